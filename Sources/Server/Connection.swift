import Bytes
import CommitLog
import LedgerModel
import Posix
import Wire

/// One nonblocking TCP connection speaking the native protocol: incoming bytes are reassembled
/// into frames, outgoing frames wait in a bounded buffer until the socket takes them.
final class Connection {
    let socket: Socket
    /// Unique for the life of the process; pending requests remember it, not the socket.
    let id: UInt64
    /// Who is on the other end, for log lines.
    var label: String
    private var decoder: FrameDecoder
    private var outbound = OutboundQueue()
    private let maxOutboundBytes: Int
    /// When bytes last arrived (or the connection was made), for ``StallWatch``.
    private(set) var lastActivity = ContinuousClock.now
    /// Whether a complete frame ever arrived on it.
    private(set) var hasSentFrame = false
    /// The client's address, stored as the born host of the messages it sends.
    var remoteHost = HostAddress.unspecified
    /// The other end's address, for log lines; nil for an outbound connection (its peer's
    /// address is the link's).
    var remoteAddress: SocketAddress?
    /// Whether the loop watches this socket for writability (only while bytes wait).
    private(set) var watchingWrites = false
    /// False once the node closed the socket: nothing may be written to or closed on it again
    /// (its descriptor number may already belong to another socket).
    var isOpen = true

    init(socket: Socket, id: UInt64, label: String, maxFrameBytes: Int, maxOutboundBytes: Int) {
        self.socket = socket
        self.id = id
        self.label = label
        decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
        self.maxOutboundBytes = maxOutboundBytes
    }

    enum ReadError: Error, CustomStringConvertible {
        case closedByPeer
        case system(SystemError)
        case malformed(WireError)

        var description: String {
            switch self {
            case .closedByPeer: "closed by peer"
            case .system(let error): error.description
            case .malformed(let error): "malformed input: \(error)"
            }
        }
    }

    /// Bytes of an incomplete frame held.
    var partialBytes: Int { decoder.bufferedByteCount }

    /// Reads everything available through `scratch` (the event loop's one read buffer, shared
    /// by every connection, so an idle connection holds no buffer of its own) and returns the
    /// complete frames, oldest first.
    func readFrames(using scratch: inout [UInt8]) throws(ReadError) -> [Frame] {
        var frames: [Frame] = []
        while true {
            let result: Socket.ReadResult
            do { result = try socket.read(into: &scratch, at: 0) } catch { throw .system(error) }
            switch result {
            case .bytes(let n):
                lastActivity = .now
                decoder.feed(scratch[..<n])
                do {
                    while let frame = try decoder.next() { frames.append(frame) }
                } catch {
                    throw .malformed(error)
                }
                if !frames.isEmpty { hasSentFrame = true }
                if n < scratch.count { return frames }
            case .wouldBlock:
                return frames
            case .closed:
                if frames.isEmpty { throw .closedByPeer }
                return frames
            }
        }
    }

    /// After a flush that wrote everything (`done`) or stopped short, what the loop must watch
    /// this socket for from now on — readability, plus writability while bytes wait — or nil
    /// when it already watches exactly that. Records the new state.
    func interestChange(afterFlush done: Bool) -> Interest? {
        let needsWrites = !done
        guard needsWrites != watchingWrites else { return nil }
        watchingWrites = needsWrites
        return needsWrites ? [.readable, .writable] : .readable
    }

    /// Bytes waiting to be written.
    var pendingBytes: Int { outbound.pendingBytes }

    /// Queues `message` in `lane`. Returns false (queuing nothing) when the buffer is over its
    /// bound: a slow peer loses messages rather than holding the node's memory.
    @discardableResult
    func enqueue(_ message: WireMessage, requestID: UInt64, lane: OutboundQueue.Lane = .bulk) throws(WireError)
        -> Bool
    {
        guard pendingBytes < maxOutboundBytes else { return false }
        let maxFrameBytes = decoder.maxFrameBytes
        try outbound.append(lane) { (writer) throws(WireError) in
            try WireCodec.encode(message, requestID: requestID, into: &writer, maxFrameBytes: maxFrameBytes)
        }
        return true
    }

    /// Writes as much as the socket takes, control frames first. Returns true when nothing is left.
    func flush() throws(SystemError) -> Bool {
        try outbound.drain { (bytes) throws(SystemError) in try socket.write(bytes) }
    }
}
