/// Reads HTTP/1.0 and HTTP/1.1 request heads from a byte stream that arrives in arbitrary
/// chunks: ``feed(_:)`` each chunk as it is read, then call ``next()`` until it returns nil.
/// Pipelined requests come out one by one, in order. A pure value: no I/O, no clock.
///
/// Strict and small (RFC 9112, for a server with fixed routes and no request bodies):
/// - a head larger than ``maxHeadBytes`` (request line and headers, 8 KiB by default) fails as
///   soon as that many bytes are buffered without its end, before more is kept;
/// - lines end in CRLF (a bare LF, a stray CR or a NUL fails); empty lines before a request are
///   skipped; the request line is exactly `METHOD SP /target SP HTTP/1.x` with an origin-form
///   target of visible ASCII; obsolete line folding, a blank before the colon and more than
///   ``maxHeaderCount`` fields fail; an HTTP/1.1 request needs exactly one `Host`;
/// - after a request with a body (which this parser does not read) or one that ends the
///   connection (`Connection: close`, or HTTP/1.0 without keep-alive), nothing more is parsed:
///   ``next()`` returns nil and the owner closes the connection after answering.
///
/// After ``next()`` throws, every later call throws the same error: answer with the error's
/// ``HTTPParseError/status`` and close the connection.
public struct HTTPRequestParser: Sendable {
    /// The default bound on one request head.
    public static let defaultMaxHeadBytes = 8 << 10
    /// The most header fields one request may carry.
    public static let maxHeaderCount = 100

    /// The largest head accepted, its final empty line included.
    public let maxHeadBytes: Int
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet parsed.
    private var readIndex = 0
    private var failure: HTTPParseError?
    /// Set once a request ended the stream (a body follows, or the connection closes after it).
    private var finished = false

    public init(maxHeadBytes: Int = defaultMaxHeadBytes) {
        precondition(maxHeadBytes >= 16, "a request head needs room for at least a request line")
        self.maxHeadBytes = maxHeadBytes
    }

    /// Bytes received but not yet parsed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the stream is over for this parser: a request ended it, or it failed.
    public var isFinished: Bool { finished || failure != nil }

    /// Appends bytes that arrived; ignored once ``isFinished``.
    public mutating func feed(_ chunk: some Collection<UInt8>) {
        guard !isFinished else { return }
        if readIndex > 0 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next complete request head, or nil until more bytes arrive (or after the request
    /// that ended the stream).
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        if finished { return nil }
        do {
            guard let request = try parseNext() else { return nil }
            if request.hasBody || !request.keepAlive { finished = true }
            return request
        } catch {
            failure = error
            throw error
        }
    }

    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    private mutating func parseNext() throws(HTTPParseError) -> HTTPRequest? {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while buffer.count - readIndex >= 2 && buffer[readIndex] == Self.cr && buffer[readIndex + 1] == Self.lf {
            readIndex += 2
        }
        let searchEnd = min(buffer.count, readIndex + maxHeadBytes)
        var position = readIndex
        while position < searchEnd {
            let byte = buffer[position]
            if byte == Self.lf {
                guard position > readIndex, buffer[position - 1] == Self.cr else { throw .badLineEnding }
                if position - readIndex >= 3 && buffer[position - 2] == Self.lf && buffer[position - 3] == Self.cr {
                    let head = buffer[readIndex..<(position - 3)]
                    readIndex = position + 1
                    return try Self.parseHead(head)
                }
            } else if byte == 0 {
                throw .badLineEnding
            }
            position += 1
        }
        if buffer.count - readIndex >= maxHeadBytes { throw .headTooLarge(limit: maxHeadBytes) }
        return nil
    }

    /// Parses a head without its final CRLF CRLF.
    private static func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == cr {
                guard index + 1 < head.endIndex, head[index + 1] == lf else { throw .badLineEnding }
                lines.append(head[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        lines.append(head[lineStart..<head.endIndex])
        guard lines.count - 1 <= maxHeaderCount else { throw .tooManyHeaders(limit: maxHeaderCount) }
        let (method, target, minorVersion) = try parseRequestLine(lines[0])
        let headers = try lines.dropFirst().map { (line) throws(HTTPParseError) in try parseHeader(line) }
        var request = HTTPRequest(
            method: method, target: target, minorVersion: minorVersion, headers: headers, keepAlive: false,
            hasBody: false)
        let hosts = request.values(of: "Host")
        if hosts.count > 1 { throw .duplicateHost }
        if minorVersion == 1 && hosts.isEmpty { throw .missingHost }
        let lengths = request.values(of: "Content-Length").flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        .map { $0.trimmingBlanks }
        var length = 0
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
                first.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(first)
            else {
                throw .invalidContentLength(request.values(of: "Content-Length").joined(separator: ", "))
            }
            length = value
        }
        request.hasBody = length > 0 || !request.values(of: "Transfer-Encoding").isEmpty
        let options = request.values(of: "Connection").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingBlanks.lowercased() }
        request.keepAlive =
            minorVersion == 1
            ? !options.contains("close") : options.contains("keep-alive") && !options.contains("close")
        return request
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, Int) {
        let text = String(decoding: line, as: UTF8.self)
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
            let first = parts[1].first, first == UInt8(ascii: "/"), parts[1].allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw .malformedRequestLine(text)
        }
        let version = Array(parts[2])
        guard version.count == 8, version[0..<5].elementsEqual("HTTP/".utf8), version[6] == UInt8(ascii: "."),
            isDigit(version[5]), isDigit(version[7])
        else {
            throw .malformedRequestLine(text)
        }
        guard version[5] == UInt8(ascii: "1"), version[7] <= UInt8(ascii: "1") else {
            throw .unsupportedVersion(String(decoding: version, as: UTF8.self))
        }
        return (
            String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self),
            Int(version[7] - UInt8(ascii: "0"))
        )
    }

    private static func parseHeader(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeader {
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[line.startIndex..<colon].allSatisfy(isTokenByte),
            line[(colon + 1)...].allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F })
        else {
            throw .malformedHeader(text)
        }
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingBlanks
        return HTTPHeader(name: String(decoding: line[line.startIndex..<colon], as: UTF8.self), value: value)
    }

    /// RFC 9110 `tchar`: the bytes of a method or header name.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(
                ascii: "0")...UInt8(
                ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
