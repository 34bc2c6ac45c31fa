import Bytes
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// What one producer measured.
struct ProducerResult: Sendable {
    /// Send-to-acknowledgement time of every acknowledged request, in nanoseconds.
    var latency = LatencyHistogram()
    /// Messages acknowledged.
    var messages = 0
    /// Messages whose request failed: an error answer, a lost connection, a timeout.
    var errors = 0
    /// The first failure, for the report.
    var firstError: String?
    /// When the last acknowledgement arrived.
    var lastAcknowledgement: ContinuousClock.Instant?
}

/// One connection to the leader, driven by one thread, keeping up to `inflight` requests of an
/// operation outstanding (pipelined: requests and answers are matched by request id, and the
/// next request leaves as soon as an answer makes room).
///
/// Everything waits in `poll(2)` with a short timeout, so the producer notices the end of the
/// run, a request older than the timeout, or a lost connection promptly. On any failure the
/// outstanding requests count as errors, and the producer finds the leader again (following a
/// NOT_LEADER redirect when one came) and goes on until the run ends.
final class BenchProducer {
    private let operation: any BenchOperation
    private let peers: [Peer]
    private let inflight: Int
    private let timeout: Duration
    /// With a rate: the time between two of this producer's requests; nil sends as fast as
    /// `inflight` allows.
    private let interval: Duration?
    /// When the next paced request is due.
    private var nextDue: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    private var socket: Socket?
    private var target: Peer?
    private var decoder = FrameDecoder()
    private var outbound = ByteWriter(capacity: 256 << 10)
    private var outboundStart = 0
    private var readBuffer = [UInt8](repeating: 0, count: 256 << 10)
    /// Requests sent and not yet fully answered, by request number.
    private var outstanding: [UInt64: Outstanding] = [:]
    /// The oldest request number that may still be outstanding (requests finish roughly in order).
    private var oldestRequest: UInt64 = 0
    private var nextRequest: UInt64 = 0
    /// No more requests on this connection: a NOT_LEADER answer came; reconnect once drained.
    private var draining = false
    private var redirect: NodeID?
    private(set) var result = ProducerResult()

    private struct Outstanding {
        var sentAt: ContinuousClock.Instant
        var framesLeft: Int
        var failedFrames = 0
    }

    /// `interval`, when given, paces the requests (open loop): request k is due k × interval
    /// after the start, and its latency counts from when it was due, so a stalled group shows in
    /// the latencies rather than in fewer requests (no coordinated omission).
    init(operation: any BenchOperation, peers: [Peer], inflight: Int, timeout: Duration, interval: Duration? = nil) {
        precondition(inflight > 0, "a producer needs at least one request in flight")
        self.operation = operation
        self.peers = peers
        self.inflight = inflight
        self.timeout = timeout
        self.interval = interval
    }

    deinit { socket?.close() }

    /// Connects to the leader (it is found by asking every node), before the run starts.
    func connect(deadline: ContinuousClock.Instant) throws(LedgerClientError) {
        while true {
            do throws(LedgerClientError) {
                try open(to: try findLeader(deadline: deadline), deadline: deadline)
                return
            } catch {
                // Keep the error of a real attempt rather than one of a last instant.
                if clock.now.duration(to: deadline) < .milliseconds(100) { throw error }
                pause(.milliseconds(20))
            }
        }
    }

    /// Sends until `sendUntil`, then waits for the answers still outstanding (each at most
    /// `timeout` after it was sent). Returns what was measured.
    func run(sendUntil: ContinuousClock.Instant) -> ProducerResult {
        while true {
            let now = clock.now
            let sending = now < sendUntil
            if !sending && outstanding.isEmpty { break }
            if socket == nil {
                guard sending else { break }
                reconnect(sendUntil: sendUntil)
                continue
            }
            if sending && !draining {
                if let interval {
                    var due = nextDue ?? now
                    while outstanding.count < inflight && due <= now && due < sendUntil {
                        send(at: due)
                        due = due + interval
                    }
                    nextDue = due
                } else {
                    while outstanding.count < inflight { send(at: now) }
                }
            }
            if draining && outstanding.isEmpty {
                disconnect()
                continue
            }
            if let oldest = oldestOutstanding, oldest.sentAt.duration(to: now) > timeout {
                fail("no acknowledgement within \(timeout.millisecondsText) ms from \(target?.name ?? "the leader")")
                continue
            }
            do throws(BenchConnectionError) {
                try flush()
                try awaitAnswers()
            } catch {
                fail("\(target?.name ?? "the leader"): \(error)")
            }
        }
        disconnect()
        return result
    }

    // MARK: - Requests and answers

    private func send(at now: ContinuousClock.Instant) {
        let number = nextRequest
        nextRequest += 1
        do {
            try operation.writeRequest(firstRequestID: requestID(number, frame: 0), into: &outbound)
        } catch {
            // The options bound size × batch well inside a frame; an encoding failure is a bug.
            preconditionFailure("cannot encode a bench request: \(error)")
        }
        outstanding[number] = Outstanding(sentAt: now, framesLeft: operation.framesPerRequest)
    }

    /// Request ids start at 1; request `number` uses ids `number × framesPerRequest + 1` on.
    private func requestID(_ number: UInt64, frame: Int) -> UInt64 {
        number * UInt64(operation.framesPerRequest) + UInt64(frame) + 1
    }

    private var oldestOutstanding: Outstanding? {
        while oldestRequest < nextRequest {
            if let request = outstanding[oldestRequest] { return request }
            oldestRequest += 1
        }
        return nil
    }

    private func flush() throws(BenchConnectionError) {
        guard let socket else { return }
        while outboundStart < outbound.count {
            let start = outboundStart
            let result = outbound.bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            }
            let written: Int
            do {
                written = try result.get()
            } catch {
                throw .system(error)
            }
            if written == 0 { return }
            outboundStart += written
        }
        outbound.removeAll()
        outboundStart = 0
    }

    /// Waits up to 10 ms (or until the next paced request is due) for the socket, reads what
    /// arrived and settles the answered requests.
    private func awaitAnswers() throws(BenchConnectionError) {
        guard let socket else { return }
        var events = Int16(POLLIN)
        if outboundStart < outbound.count { events |= Int16(POLLOUT) }
        var wait = Duration.milliseconds(10)
        if let nextDue, outstanding.count < inflight { wait = min(wait, clock.now.duration(to: nextDue)) }
        let revents: Int16
        do {
            revents = try socket.wait(for: events, timeout: wait)
        } catch {
            throw .system(error)
        }
        guard revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { return }
        while true {
            let read: Socket.ReadResult
            do {
                read = try socket.read(into: &readBuffer, at: 0)
            } catch {
                throw .system(error)
            }
            switch read {
            case .bytes(let count):
                decoder.feed(readBuffer[0..<count])
                try settleFrames(at: clock.now)
                if count < readBuffer.count { return }
            case .wouldBlock:
                return
            case .closed:
                throw .closed
            }
        }
    }

    private func settleFrames(at now: ContinuousClock.Instant) throws(BenchConnectionError) {
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                throw .protocolViolation("malformed frame: \(error)")
            }
            guard let frame else { return }
            let frames = UInt64(operation.framesPerRequest)
            let number = (frame.requestID &- 1) / frames
            guard frame.requestID >= 1, frame.flags.contains(.response), var request = outstanding[number] else {
                throw .protocolViolation(
                    "an answer \(frame.opcode) to request id \(frame.requestID), which is not outstanding")
            }
            let message: WireMessage
            do {
                message = try WireCodec.decode(frame)
            } catch {
                throw .protocolViolation("malformed \(frame.opcode) answer: \(error)")
            }
            switch operation.answer(message) {
            case .acknowledged:
                break
            case .failed(let reason, let leader):
                request.failedFrames += 1
                result.firstError = result.firstError ?? "\(target?.name ?? "the leader"): \(reason)"
                if case .errorResponse(let error, _) = message, case .notLeader = error.code {
                    draining = true
                    redirect = leader
                }
            case nil:
                throw .protocolViolation("answered \(operation.label) with \(message.opcode)")
            }
            request.framesLeft -= 1
            if request.framesLeft > 0 {
                outstanding[number] = request
                continue
            }
            outstanding[number] = nil
            let perFrame = operation.messagesPerFrame
            result.errors += request.failedFrames * perFrame
            if request.failedFrames == 0 {
                result.messages += operation.batch
                result.latency.record(UInt64(request.sentAt.duration(to: now).nanoseconds))
                result.lastAcknowledgement = now
            } else {
                result.messages += (operation.framesPerRequest - request.failedFrames) * perFrame
            }
        }
    }

    // MARK: - Connections

    /// Counts every outstanding request as failed (its frames not yet answered), and drops the
    /// connection.
    private func fail(_ reason: String) {
        result.firstError = result.firstError ?? reason
        for request in outstanding.values { result.errors += request.framesLeft * operation.messagesPerFrame }
        outstanding.removeAll()
        disconnect()
    }

    private func disconnect() {
        socket?.close()
        socket = nil
        decoder = FrameDecoder()
        outbound.removeAll()
        outboundStart = 0
        draining = false
    }

    /// Finds the leader again (the redirect first) and connects, retrying until `sendUntil`.
    private func reconnect(sendUntil: ContinuousClock.Instant) {
        let hint = redirect.flatMap { id in peers.first { $0.id == id } }
        redirect = nil
        do throws(LedgerClientError) {
            if let hint {
                try open(to: hint, deadline: sendUntil)
            } else {
                try open(to: try findLeader(deadline: sendUntil), deadline: sendUntil)
            }
        } catch {
            result.firstError = result.firstError ?? error.description
            pause(.milliseconds(20))
        }
    }

    private func findLeader(deadline: ContinuousClock.Instant) throws(LedgerClientError) -> Peer {
        let left = clock.now.duration(to: deadline)
        guard left > .milliseconds(1) else { throw .noQuorum("no time left to find a leader") }
        let client = LedgerClient(
            peers: peers, options: LedgerClientOptions(timeout: left, nodeTimeout: min(left, .seconds(1))))
        defer { client.close() }
        return try client.findLeader().peer
    }

    private func open(to peer: Peer, deadline: ContinuousClock.Instant) throws(LedgerClientError) {
        let unreachable = { (reason: String) in
            LedgerClientError.unreachable(node: peer.name, address: peer.address, reason: reason)
        }
        guard let address = SocketAddress("\(peer.host == "localhost" ? "127.0.0.1" : peer.host):\(peer.port)") else {
            throw unreachable("host \(quoted(peer.host)) is not an IPv4 address")
        }
        let socket: Socket
        let inProgress: Bool
        do {
            (socket, inProgress) = try Socket.connect(to: address, nonBlocking: true)
        } catch {
            throw unreachable(error.description)
        }
        do throws(SystemError) {
            if inProgress {
                let left = clock.now.duration(to: deadline)
                let ready = try socket.waitUntil(writable: true, timeoutMs: Int32(clamping: max(1, left.wholeMillis)))
                let code = socket.pendingError()
                guard ready, code == 0 else {
                    throw SystemError("connect", subject: address.description, errno: ready ? code : ETIMEDOUT)
                }
            }
            try socket.setNoDelay()
        } catch {
            socket.close()
            throw unreachable(error.description)
        }
        self.socket = socket
        target = peer
    }
}

/// Why a producer's connection broke.
enum BenchConnectionError: Error, CustomStringConvertible {
    case system(SystemError)
    case closed
    case protocolViolation(String)

    var description: String {
        switch self {
        case .system(let error): "connection failed: \(error)"
        case .closed: "closed the connection"
        case .protocolViolation(let detail): "broke the protocol: \(detail)"
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMillis: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
