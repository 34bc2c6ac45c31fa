import Bytes
import Posix
import Remoting

/// A blocking RocketMQ remoting connection for tests: sends one command, reads one answer.
final class RemotingProbe {
    let socket: Socket
    private var decoder = RemotingFrameDecoder()
    private var nextOpaque: Int32 = 0

    init(port: UInt16) throws {
        socket = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), nonBlocking: false).socket
    }

    deinit { socket.close() }

    /// Sends `code` with `fields` and `body` (header as `serializeType`) and returns the answer.
    func call(
        _ code: RequestCode, _ fields: ExtFields = [:], body: [UInt8] = [], as serializeType: SerializeType = .json
    ) throws -> RemotingCommand {
        nextOpaque += 1
        let request = RemotingCommand(
            code: code.rawValue, language: .cpp, version: 63, opaque: nextOpaque, extFields: fields, body: body[...])
        var bytes: [UInt8] = []
        try request.encode(into: &bytes, as: serializeType)
        try socket.writeAll(bytes)
        while true {
            guard let answer = try readCommand() else { throw ProbeError("the connection closed before an answer") }
            // The node's own requests (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE) may come first.
            if !answer.isResponse {
                pushed.append(answer)
                continue
            }
            guard answer.opaque == request.opaque else { throw ProbeError("not our answer: \(answer)") }
            return answer
        }
    }

    /// Requests the node sent on this connection while ``call(_:_:body:as:)`` waited for answers.
    var pushed: [RemotingCommand] = []

    /// The next request the node sends (one ``pushed`` already, else one read now; throws after 20 s).
    func nextPushed() throws -> RemotingCommand {
        if !pushed.isEmpty { return pushed.removeFirst() }
        while true {
            guard let command = try readCommand() else { throw ProbeError("the connection closed") }
            if !command.isResponse { return command }
        }
    }

    /// Writes raw bytes.
    func write(_ bytes: [UInt8]) throws { try socket.writeAll(bytes) }

    /// The next command, or nil when the node closed the connection; throws after 20 s.
    func readCommand() throws -> RemotingCommand? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if let frame = try decoder.next() { return try RemotingCommand(frame) }
            guard try socket.waitUntil(writable: false, timeoutMs: 20_000) else {
                throw ProbeError("no answer in 20 s")
            }
            switch try socket.read(into: &buffer, at: 0) {
            case .bytes(let count): decoder.feed(buffer[..<count])
            case .wouldBlock: continue
            case .closed: return nil
            }
        }
    }
}
