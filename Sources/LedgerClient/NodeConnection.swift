import LedgerConfig
import Posix
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A point in time an operation must finish by.
typealias Deadline = ContinuousClock.Instant

extension Deadline {
    /// Milliseconds left before this deadline, rounded up, never negative; for `poll(2)`.
    var remainingMilliseconds: Int32 {
        let left = ContinuousClock().now.duration(to: self)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// Whether so little time is left that another attempt could only time out: retry loops
    /// give up then and report the last real problem instead of an instant timeout.
    var isTooClose: Bool { ContinuousClock().now.duration(to: self) < .milliseconds(20) }
}

/// Why one attempt to talk to one node failed.
enum AttemptFailure: Error {
    /// No connection could be made, it broke, or the node did not answer in time. `reason` is
    /// short and lower-case: `connection refused`, `timeout after 1000 ms`.
    case transport(reason: String)
    /// The node answered with an error response.
    case server(ErrorResponse)
    /// The node answered with bytes or a message the protocol does not allow here.
    case protocolViolation(String)
    /// The node cannot serve the request yet but will soon (an entry it holds but has not yet
    /// seen committed); worth retrying.
    case notYet(String)
}

/// One blocking TCP connection to one node, carrying one request at a time.
///
/// The socket is non-blocking underneath; every wait is a `poll(2)` bounded by the caller's
/// deadline, so no call blocks past it. After any failure the connection is unusable: close it.
final class NodeConnection {
    let peer: Peer
    private let socket: Socket
    private var decoder = FrameDecoder()
    private var nextRequestID: UInt64 = 1
    private var readBuffer = [UInt8](repeating: 0, count: 64 << 10)
    private var isClosed = false

    private init(peer: Peer, socket: Socket) {
        self.peer = peer
        self.socket = socket
    }

    deinit { close() }

    /// Connects to `peer`, waiting at most until `deadline`.
    static func open(to peer: Peer, deadline: Deadline) throws(AttemptFailure) -> NodeConnection {
        guard let address = SocketAddress("\(peer.host == "localhost" ? "127.0.0.1" : peer.host):\(peer.port)") else {
            throw .transport(reason: "host \"\(peer.host)\" is not an IPv4 address (this build connects to IPv4 only)")
        }
        let started = ContinuousClock().now
        let socket: Socket
        let inProgress: Bool
        do {
            (socket, inProgress) = try Socket.connect(to: address, nonBlocking: true)
        } catch {
            throw .transport(reason: lowercasedReason(error.errno))
        }
        if inProgress {
            let ready: Bool
            do {
                ready = try socket.waitUntil(writable: true, timeoutMs: deadline.remainingMilliseconds)
            } catch {
                socket.close()
                throw .transport(reason: lowercasedReason(error.errno))
            }
            guard ready else {
                socket.close()
                throw .transport(reason: "connect timeout after \(elapsedMilliseconds(since: started)) ms")
            }
            let code = socket.pendingError()
            if code != 0 {
                socket.close()
                throw .transport(reason: lowercasedReason(code))
            }
        }
        do {
            try socket.setNoDelay()
        } catch {
            socket.close()
            throw .transport(reason: error.description)
        }
        return NodeConnection(peer: peer, socket: socket)
    }

    /// Sends `message` and returns the node's answer (which may be an error response), waiting
    /// at most until `deadline`.
    func request(_ message: WireMessage, deadline: Deadline) throws(AttemptFailure) -> WireMessage {
        precondition(!isClosed, "request on a closed connection to \(peer.name)")
        let started = ContinuousClock().now
        let requestID = nextRequestID
        nextRequestID += 1
        var writer = ByteWriter()
        do {
            try WireCodec.encode(message, requestID: requestID, into: &writer)
        } catch {
            throw .protocolViolation("cannot encode the request: \(error)")
        }
        try send(writer.bytes, deadline: deadline, started: started)
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                throw .protocolViolation("malformed frame: \(error)")
            }
            if let frame {
                guard frame.requestID == requestID, frame.flags.contains(.response) else {
                    throw .protocolViolation("unexpected frame \(frame.opcode) with request id \(frame.requestID)")
                }
                let answer: WireMessage
                do {
                    answer = try WireCodec.decode(frame)
                } catch {
                    throw .protocolViolation("malformed \(frame.opcode) response: \(error)")
                }
                if case .errorResponse(let error, _) = answer { throw .server(error) }
                return answer
            }
            try receive(deadline: deadline, started: started)
        }
    }

    /// Sends a one-way `message` (no answer comes), waiting at most until `deadline` for the
    /// socket to take it.
    func post(_ message: WireMessage, deadline: Deadline) throws(AttemptFailure) {
        precondition(!isClosed, "post on a closed connection to \(peer.name)")
        var writer = ByteWriter()
        do {
            try WireCodec.encode(message, requestID: 0, into: &writer)
        } catch {
            throw .protocolViolation("cannot encode the message: \(error)")
        }
        try send(writer.bytes, deadline: deadline, started: ContinuousClock().now)
    }

    /// Closes the socket; later calls do nothing.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        socket.close()
    }

    private func send(_ bytes: [UInt8], deadline: Deadline, started: Deadline) throws(AttemptFailure) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[written...]))
                }
            }
            switch result {
            case .success(let count) where count > 0:
                written += count
            case .success:
                try wait(writable: true, deadline: deadline, started: started)
            case .failure(let error):
                throw .transport(reason: NodeConnection.lowercasedReason(error.errno))
            }
        }
    }

    private func receive(deadline: Deadline, started: Deadline) throws(AttemptFailure) {
        let result: Socket.ReadResult
        do {
            result = try socket.read(into: &readBuffer, at: 0)
        } catch {
            throw .transport(reason: NodeConnection.lowercasedReason(error.errno))
        }
        switch result {
        case .bytes(let count):
            decoder.feed(readBuffer[0..<count])
        case .wouldBlock:
            try wait(writable: false, deadline: deadline, started: started)
        case .closed:
            throw .transport(reason: "connection closed by the node")
        }
    }

    private func wait(writable: Bool, deadline: Deadline, started: Deadline) throws(AttemptFailure) {
        let ready: Bool
        do {
            ready = try socket.waitUntil(writable: writable, timeoutMs: deadline.remainingMilliseconds)
        } catch {
            throw .transport(reason: NodeConnection.lowercasedReason(error.errno))
        }
        if !ready {
            throw .transport(reason: "timeout after \(NodeConnection.elapsedMilliseconds(since: started)) ms")
        }
    }

    /// `strerror` with a lower-case first letter: `connection refused`.
    static func lowercasedReason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    static func elapsedMilliseconds(since start: Deadline) -> Int64 {
        let (seconds, attoseconds) = start.duration(to: ContinuousClock().now).components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
