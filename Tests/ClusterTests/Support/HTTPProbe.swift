import Foundation
import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny blocking HTTP/1.1 client for the process tests: writes raw request bytes to a node's
/// admin port and reads what comes back until the server closes the connection.
enum HTTPProbe {
    /// One response as read off the wire.
    struct Response {
        var code: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Sends `request` (raw bytes, pipelined requests allowed) to `127.0.0.1:port` and returns
    /// everything the server sent until it closed the connection (or `timeout` passed).
    static func exchange(port: UInt16, _ request: String, timeout: Duration = .seconds(10)) throws -> [UInt8] {
        let (socket, _) = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), nonBlocking: false)
        defer { socket.close() }
        try socket.writeAll(Array(request.utf8))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let deadline = ContinuousClock().now + timeout
        while ContinuousClock().now < deadline {
            guard try socket.wait(for: Int16(POLLIN), timeout: ContinuousClock().now.duration(to: deadline)) != 0 else {
                break
            }
            switch try socket.read(into: &buffer, at: 0) {
            case .bytes(let count): received += buffer[..<count]
            case .wouldBlock: continue
            case .closed: return received
            }
        }
        throw ProbeError("port \(port): the server did not close the connection within \(timeout)")
    }

    /// Splits `bytes` into responses; `headOnly[k]` says response `k` answers a HEAD (no body).
    static func responses(_ bytes: [UInt8], headOnly: [Bool] = []) throws -> [Response] {
        var responses: [Response] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let end = rest.indices.first(where: { rest[$0...].starts(with: Array("\r\n\r\n".utf8)) }) else {
                throw ProbeError("a response head without its end: \(String(decoding: rest, as: UTF8.self))")
            }
            let lines = String(decoding: rest[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ", maxSplits: 2)
            guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let code = Int(statusParts[1]) else {
                throw ProbeError("not a status line: \(lines[0])")
            }
            let headers = lines.dropFirst().map { line in
                let colon = line.firstIndex(of: ":") ?? line.endIndex
                return (
                    name: String(line[..<colon]),
                    value: String(line[colon...].dropFirst()).trimmingCharacters(in: .whitespaces)
                )
            }
            var response = Response(code: code, headers: headers, body: "")
            let length = Int(response.header("Content-Length") ?? "") ?? 0
            var bodyStart = end + 4
            if !(headOnly.count > responses.count && headOnly[responses.count]) {
                guard rest.endIndex - bodyStart >= length else { throw ProbeError("a body cut short") }
                response.body = String(decoding: rest[bodyStart..<(bodyStart + length)], as: UTF8.self)
                bodyStart += length
            }
            responses.append(response)
            rest = rest[bodyStart...]
        }
        return responses
    }

    /// `GET path` on its own connection (`Connection: close`), with `headers` (`Name: value` lines).
    static func get(port: UInt16, _ path: String, headers: [String] = []) throws -> Response {
        let extra = headers.map { "\($0)\r\n" }.joined()
        let bytes = try exchange(
            port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(extra)Connection: close\r\n\r\n")
        let all = try responses(bytes)
        guard all.count == 1 else { throw ProbeError("expected one response to GET \(path), got \(all.count)") }
        return all[0]
    }
}

struct ProbeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
