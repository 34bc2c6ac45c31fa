import Bytes
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

/// One blocking TCP connection to one node, carrying one request at a time: no leader search,
/// no redirects, no retries. ``LedgerClient`` builds its retry loops on it; use it directly to
/// ask one particular node (a follower's status or committed entries) or to decide yourself
/// what a failed attempt means.
///
/// Contract:
/// - Every call returns by the caller's deadline: the socket is non-blocking underneath and
///   every wait is a `poll(2)` bounded by it.
/// - Failures say whether the request may have reached the node (``NodeConnectionError``).
/// - After any failure other than ``NodeConnectionError/refused(_:)`` the connection is
///   unusable (an answer may still be in flight): ``close()`` it and open a new one.
/// - One thread at a time (not `Sendable`).
public final class NodeConnection {
    /// The node this connection talks to.
    public let peer: Peer
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

    /// Connects to `peer` (`connect(2)`, TCP_NODELAY), waiting at most until `deadline`. Throws
    /// ``NodeConnectionError/notSent(_:)`` when no connection could be made.
    public static func open(to peer: Peer, deadline: ContinuousClock.Instant) throws(NodeConnectionError)
        -> NodeConnection
    {
        guard let address = SocketAddress("\(peer.host == "localhost" ? "127.0.0.1" : peer.host):\(peer.port)") else {
            throw .notSent("host \"\(peer.host)\" is not an IPv4 address (this build connects to IPv4 only)")
        }
        let started = ContinuousClock().now
        let socket: Socket
        let inProgress: Bool
        do {
            (socket, inProgress) = try Socket.connect(to: address, nonBlocking: true)
        } catch {
            throw .notSent(lowercasedReason(error.errno))
        }
        if inProgress {
            let ready: Bool
            do {
                ready = try socket.waitUntil(writable: true, timeoutMs: deadline.remainingMilliseconds)
            } catch {
                socket.close()
                throw .notSent(lowercasedReason(error.errno))
            }
            guard ready else {
                socket.close()
                throw .notSent("connect timeout after \(elapsedMilliseconds(since: started)) ms")
            }
            let code = socket.pendingError()
            if code != 0 {
                socket.close()
                throw .notSent(lowercasedReason(code))
            }
        }
        do {
            try socket.setNoDelay()
        } catch {
            socket.close()
            throw .notSent(error.description)
        }
        return NodeConnection(peer: peer, socket: socket)
    }

    /// Sends `message` and returns the node's answer, waiting at most until `deadline`, or until
    /// `abandon` (asked about every 20 ms while the answer is awaited) returns true. An error
    /// response is thrown as ``NodeConnectionError/refused(_:)``. Precondition: not closed.
    public func request(
        _ message: WireMessage, deadline: ContinuousClock.Instant, abandon: (() -> Bool)? = nil
    ) throws(NodeConnectionError) -> WireMessage {
        precondition(!isClosed, "request on a closed connection to \(peer.name)")
        let started = ContinuousClock().now
        let requestID = nextRequestID
        nextRequestID += 1
        var writer = ByteWriter()
        do {
            try WireCodec.encode(message, requestID: requestID, into: &writer)
        } catch {
            throw .notSent("cannot encode the request: \(error)")
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
                if case .errorResponse(let error, _) = answer { throw .refused(error) }
                return answer
            }
            try receive(deadline: deadline, started: started, abandon: abandon)
        }
    }

    /// Sends a one-way `message` (no answer comes), waiting at most until `deadline` for the
    /// socket to take it. Precondition: not closed.
    public func post(_ message: WireMessage, deadline: ContinuousClock.Instant) throws(NodeConnectionError) {
        precondition(!isClosed, "post on a closed connection to \(peer.name)")
        var writer = ByteWriter()
        do {
            try WireCodec.encode(message, requestID: 0, into: &writer)
        } catch {
            throw .notSent("cannot encode the message: \(error)")
        }
        try send(writer.bytes, deadline: deadline, started: ContinuousClock().now)
    }

    /// Closes the socket; later calls do nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        socket.close()
    }

    /// Writes all of `bytes`. A failure before the first byte left is ``NodeConnectionError/notSent(_:)``;
    /// after, the node may have the request: ``NodeConnectionError/unanswered(_:)``.
    private func send(_ bytes: [UInt8], deadline: Deadline, started: Deadline) throws(NodeConnectionError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[written...]))
                }
            }
            let problem: String
            switch result {
            case .success(let count) where count > 0:
                written += count
                continue
            case .success:
                do {
                    if try socket.waitUntil(writable: true, timeoutMs: deadline.remainingMilliseconds) { continue }
                    problem = "send timeout after \(NodeConnection.elapsedMilliseconds(since: started)) ms"
                } catch {
                    problem = NodeConnection.lowercasedReason(error.errno)
                }
            case .failure(let error):
                problem = NodeConnection.lowercasedReason(error.errno)
            }
            throw written == 0 ? .notSent(problem) : .unanswered(problem)
        }
    }

    /// Reads what has arrived into the decoder, waiting for it until `deadline` or `abandon`.
    private func receive(deadline: Deadline, started: Deadline, abandon: (() -> Bool)?) throws(NodeConnectionError) {
        let result: Socket.ReadResult
        do {
            result = try socket.read(into: &readBuffer, at: 0)
        } catch {
            throw .unanswered(NodeConnection.lowercasedReason(error.errno))
        }
        switch result {
        case .bytes(let count):
            decoder.feed(readBuffer[0..<count])
        case .wouldBlock:
            let timeout = abandon == nil ? deadline.remainingMilliseconds : min(20, deadline.remainingMilliseconds)
            let ready: Bool
            do {
                ready = try socket.waitUntil(writable: false, timeoutMs: timeout)
            } catch {
                throw .unanswered(NodeConnection.lowercasedReason(error.errno))
            }
            if ready { return }
            if ContinuousClock().now >= deadline {
                throw .unanswered("timeout after \(NodeConnection.elapsedMilliseconds(since: started)) ms")
            }
            if let abandon, abandon() {
                throw .unanswered("abandoned after \(NodeConnection.elapsedMilliseconds(since: started)) ms")
            }
        case .closed:
            throw .unanswered("connection closed by the node")
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
