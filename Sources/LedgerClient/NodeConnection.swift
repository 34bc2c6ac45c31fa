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

/// One TCP connection to one node: no leader search, no redirects, no retries. ``LedgerClient``
/// builds its retry loops on it; use it directly to ask one particular node (a follower's
/// status or committed entries), to decide yourself what a failed attempt means, or to keep
/// many requests in flight on one socket.
///
/// Two ways to use it, not mixed while requests are in flight:
/// - One request at a time: ``request(_:deadline:abandon:)`` sends and waits for the answer.
/// - Pipelined (see `NodeConnection+Pipelining.swift`): ``enqueue(_:)`` any number of requests,
///   ``flush()`` them in as few `write(2)`s as the socket allows, ``waitForResponses(timeout:)``
///   and take each answer with ``nextResponse()``, matched to its request by request id, in
///   whatever order the node sends them. The caller bounds how many are in flight
///   (``inFlight``).
///
/// Contract:
/// - No call blocks past the deadline or timeout it is given: the socket is non-blocking
///   underneath and every wait is a `poll(2)` bounded by it.
/// - Request ids are 1, 2, 3, … in the order requests are enqueued; every answer must carry
///   the id of a request in flight (else ``NodeConnectionError/protocolViolation(_:)``).
/// - Failures say whether a request may have reached the node (``NodeConnectionError``).
/// - After any failure other than ``NodeConnectionError/refused(_:)`` the connection is
///   unusable (an answer may still be in flight): ``close()`` it and open a new one.
/// - One thread at a time (not `Sendable`).
public final class NodeConnection {
    /// The node this connection talks to.
    public let peer: Peer
    let socket: Socket
    var decoder = FrameDecoder()
    var nextRequestID: UInt64 = 1
    var readBuffer = [UInt8](repeating: 0, count: 64 << 10)
    var isClosed = false
    /// Encoded requests the socket has not taken yet: `outbound.bytes[outboundStart...]`.
    var outbound = ByteWriter()
    var outboundStart = 0
    /// Bytes the socket took over the connection's life.
    var bytesWritten = 0
    /// Requests enqueued and not yet answered, with where their bytes begin in the outbound
    /// stream (to tell, on a failure, whether any of them left).
    var awaiting = InFlightRequests()

    /// The account every client request on this connection is signed with (frame flag
    /// `signed`); nil sends them unsigned. Peer messages are never signed.
    public let credentials: AccessCredentials?

    private init(peer: Peer, socket: Socket, credentials: AccessCredentials?) {
        self.peer = peer
        self.socket = socket
        self.credentials = credentials
    }

    deinit { close() }

    /// Connects to `peer` (`connect(2)`, TCP_NODELAY), waiting at most until `deadline`; client
    /// requests are signed with `credentials` when given. Throws
    /// ``NodeConnectionError/notSent(_:)`` when no connection could be made.
    public static func open(
        to peer: Peer, deadline: ContinuousClock.Instant, credentials: AccessCredentials? = nil
    ) throws(NodeConnectionError) -> NodeConnection {
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
        return NodeConnection(peer: peer, socket: socket, credentials: credentials)
    }

    /// Sends `message` and returns the node's answer, waiting at most until `deadline`, or until
    /// `abandon` (asked about every 20 ms while the answer is awaited) returns true. An error
    /// response is thrown as ``NodeConnectionError/refused(_:)``. Preconditions: not closed, no
    /// pipelined request in flight.
    public func request(
        _ message: WireMessage, deadline: ContinuousClock.Instant, abandon: (() -> Bool)? = nil
    ) throws(NodeConnectionError) -> WireMessage {
        precondition(!isClosed, "request on a closed connection to \(peer.name)")
        precondition(awaiting.count == 0, "request on a connection to \(peer.name) with pipelined requests in flight")
        let started = ContinuousClock().now
        let messageStart = queuedStreamOffset
        _ = try enqueue(message)
        try flushAll(deadline: deadline, started: started, messageStart: messageStart)
        while true {
            if let response = try nextResponse() {
                if case .errorResponse(let error, _) = response.message { throw .refused(error) }
                return response.message
            }
            try receive(deadline: deadline, started: started, abandon: abandon)
        }
    }

    /// Sends a one-way `message` (no answer comes), waiting at most until `deadline` for the
    /// socket to take it. Preconditions: not closed, no pipelined request in flight.
    public func post(_ message: WireMessage, deadline: ContinuousClock.Instant) throws(NodeConnectionError) {
        precondition(!isClosed, "post on a closed connection to \(peer.name)")
        precondition(awaiting.count == 0, "post on a connection to \(peer.name) with pipelined requests in flight")
        let messageStart = queuedStreamOffset
        let start = outbound.count
        do {
            try encode(message, requestID: 0)
        } catch {
            outbound.truncate(to: start)
            throw .notSent("cannot encode the message: \(error)")
        }
        try flushAll(deadline: deadline, started: ContinuousClock().now, messageStart: messageStart)
    }

    /// Appends `message` to the outbound bytes, signed with ``credentials`` when it is a client
    /// request and there are credentials.
    func encode(_ message: WireMessage, requestID: UInt64) throws(WireError) {
        if let credentials, message.isSignable {
            try WireCodec.encodeSigned(
                message, requestID: requestID, accessKey: credentials.accessKey, sign: credentials.sign, into: &outbound
            )
        } else {
            try WireCodec.encode(message, requestID: requestID, into: &outbound)
        }
    }

    /// Closes the socket; later calls do nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        socket.close()
    }

    /// Writes the one message queued (from stream offset `messageStart`), waiting for the socket
    /// until `deadline`. A failure before its first byte left is
    /// ``NodeConnectionError/notSent(_:)``; after, the node may have it:
    /// ``NodeConnectionError/unanswered(_:)``.
    private func flushAll(deadline: Deadline, started: Deadline, messageStart: Int) throws(NodeConnectionError) {
        while true {
            let problem: String
            do {
                try writeQueued()
                guard hasUnsentBytes else { return }
                if try socket.waitUntil(writable: true, timeoutMs: deadline.remainingMilliseconds) { continue }
                problem = "send timeout after \(NodeConnection.elapsedMilliseconds(since: started)) ms"
            } catch {
                problem = NodeConnection.lowercasedReason(error.errno)
            }
            throw writeFailure(problem, messageStart: messageStart)
        }
    }

    /// Reads what has arrived into the decoder, waiting for it until `deadline` or `abandon`.
    private func receive(deadline: Deadline, started: Deadline, abandon: (() -> Bool)?) throws(NodeConnectionError) {
        if try readAvailable() { return }
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
    }

    /// `strerror` with a lower-case first letter: `connection refused`.
    static func lowercasedReason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    static func elapsedMilliseconds(since start: Deadline) -> Int64 {
        start.duration(to: ContinuousClock().now).wholeMilliseconds
    }
}
