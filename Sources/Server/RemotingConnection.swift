import Bytes
import LedgerModel
import Posix
import Remoting

/// One nonblocking connection to the RocketMQ broker port or the embedded NameServer: incoming
/// bytes are cut into remoting frames (``RemotingFrameDecoder``, bounded frame and header
/// sizes); answers wait in one bounded buffer until the socket takes them. Requests handed to
/// the node core wait in ``pending`` under a request id of this connection's own.
final class RemotingConnection {
    /// Which port it came in on, so which codes it is served.
    enum Role: String {
        case broker
        case nameServer = "NameServer"
    }

    /// A request handed to the node core, remembered until its answer comes back.
    struct Pending {
        /// The request's code, opaque and flags: all its answer needs (no fields, no body).
        var request: RemotingCommand
        /// What the core's reply answers.
        var awaiting: Awaiting

        init(answering request: RemotingCommand, awaiting: Awaiting) {
            self.request = RemotingCommand(code: request.code, opaque: request.opaque, flags: request.flags)
            self.awaiting = awaiting
        }
    }

    /// What a broker request waits for from the core, and so how its reply is translated.
    enum Awaiting {
        case send, pull, commit, maxOffset, minOffset, searchOffset, viewMessage, topicConfig
        case consumerOffset(MessageQueue)
        case queryMessage(storedWithin: ClosedRange<Int64>)
        case topicUpdate, topicDeletion
        case sendBack, endTransaction
        /// The queues asked, to name them (with their broker) in the answer.
        case lockQueues(LockBatchRequest)
        case unlockQueues
        /// An offset commit piggy-backed on a pull: its answer is dropped (the client reads the
        /// pull's).
        case piggybackedCommit
        case earliestStoreTime(queueID: Int32)
    }

    let socket: Socket
    /// Unique among all of the node's connections (it is the core's ``ClientID``).
    let id: UInt64
    let role: Role
    /// The client's address: the born host of the messages it sends, and in log lines.
    let remoteHost: HostAddress
    private var decoder: RemotingFrameDecoder
    private var outbound: [UInt8] = []
    private var written = 0
    private let maxOutboundBytes: Int
    /// When bytes last arrived (or the connection was made), for ``StallWatch``.
    private(set) var lastActivity = ContinuousClock.now
    /// Whether a complete command ever arrived on it.
    private(set) var hasSentFrame = false
    /// Bytes of an incomplete frame held.
    var partialBytes: Int { decoder.bufferedByteCount }
    /// Requests waiting for the node core, by this connection's request id.
    var pending: [UInt64: Pending] = [:]
    private var nextRequestID: UInt64 = 0
    /// Whether the loop watches this socket for writability (only while bytes wait).
    private(set) var watchingWrites = false
    /// False once closed: nothing may be written to or closed on it again.
    var isOpen = true

    init(socket: Socket, id: UInt64, role: Role, remoteHost: HostAddress, limits: RemotingLimits, maxOutboundBytes: Int)
    {
        self.socket = socket
        self.id = id
        self.role = role
        self.remoteHost = remoteHost
        decoder = RemotingFrameDecoder(limits: limits)
        self.maxOutboundBytes = maxOutboundBytes
    }

    var label: String { "\(role.rawValue) client \(remoteHost) (fd \(socket.fd))" }

    /// Why reading stopped for good.
    enum ReadError: Error, CustomStringConvertible {
        case closedByPeer
        case system(SystemError)
        /// The stream is out of step (framing) or a header does not decode: close.
        case malformed(RemotingError)

        var description: String {
            switch self {
            case .closedByPeer: "closed by peer"
            case .system(let error): error.description
            case .malformed(let error): "malformed frame: \(error)"
            }
        }
    }

    /// Reads everything available and returns the complete commands, oldest first. A frame
    /// whose header does not decode ends the connection like a framing error: the clients never
    /// send one, so a peer that does is not speaking this protocol.
    /// `scratch` is the event loop's one read buffer, shared by every connection.
    func readCommands(using scratch: inout [UInt8]) throws(ReadError) -> [RemotingCommand] {
        var commands: [RemotingCommand] = []
        while true {
            let result: Socket.ReadResult
            do { result = try socket.read(into: &scratch, at: 0) } catch { throw .system(error) }
            switch result {
            case .bytes(let count):
                lastActivity = .now
                decoder.feed(scratch[..<count])
                do {
                    while let frame = try decoder.next() {
                        commands.append(try RemotingCommand(frame, limits: decoder.limits))
                    }
                } catch {
                    throw .malformed(error)
                }
                if !commands.isEmpty { hasSentFrame = true }
                if count < scratch.count { return commands }
            case .wouldBlock:
                return commands
            case .closed:
                if commands.isEmpty { throw .closedByPeer }
                return commands
            }
        }
    }

    private var nextOpaque: Int32 = 0

    /// A new opaque for a request this node sends the client (NOTIFY_CONSUMER_IDS_CHANGED).
    func makeOpaque() -> Int32 {
        nextOpaque &+= 1
        return nextOpaque
    }

    /// A new request id of this connection.
    func makeRequestID() -> UInt64 {
        nextRequestID += 1
        return nextRequestID
    }

    /// Why an answer could not be queued.
    enum QueueError: Error, CustomStringConvertible {
        case backedUp(Int)
        case encoding(EncodeError)

        var description: String {
            switch self {
            case .backedUp(let bytes): "\(bytes) bytes of answers wait unread"
            case .encoding(let error): "cannot encode an answer: \(error)"
            }
        }
    }

    /// Queues the frame `encode` appends (a command as a JSON frame). Throws when the client has
    /// left too many answers unread (the connection must close: a dropped answer would leave its
    /// request hanging).
    func queue(encoding encode: (inout [UInt8]) throws(EncodeError) -> Void) throws(QueueError) {
        guard outbound.count - written < maxOutboundBytes else { throw .backedUp(outbound.count - written) }
        if written == outbound.count {
            outbound.removeAll(keepingCapacity: true)
            written = 0
        }
        do { try encode(&outbound) } catch { throw .encoding(error) }
    }

    /// Writes what the socket takes. Returns true when nothing is left.
    func flush() throws(SystemError) -> Bool {
        while written < outbound.count {
            let start = written
            let count = try outbound.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            }.get()
            if count == 0 { return false }
            written += count
        }
        if written > 0 {
            outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 20)
            written = 0
        }
        return true
    }

    /// After a flush that wrote everything (`done`) or not, what the loop must watch this
    /// socket for now, or nil when unchanged. Records the new state.
    func interestChange(afterFlush done: Bool) -> Interest? {
        guard !done != watchingWrites else { return nil }
        watchingWrites = !done
        return watchingWrites ? [.readable, .writable] : .readable
    }
}
