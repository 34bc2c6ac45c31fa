import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Wire

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

/// A load generator of one bench producer: one connection to the leader, driven by one thread.
protocol LoadProducer: AnyObject {
    /// Connects to the leader before the run starts.
    func connect(deadline: ContinuousClock.Instant) throws(LedgerClientError)
    /// Sends until `sendUntil`, then waits for the answers still outstanding; returns what was
    /// measured.
    func run(sendUntil: ContinuousClock.Instant) -> ProducerResult
}

/// One ``NodeConnection`` to the leader, driven by one thread, keeping up to `inflight`
/// requests of an operation outstanding (pipelined: the connection matches answers to requests
/// by request id, and the next request leaves as soon as an answer makes room).
///
/// Every wait is bounded by a short timeout, so the producer notices the end of the run, a
/// request older than the timeout, or a lost connection promptly. On any failure the
/// outstanding requests count as errors, and the producer finds the leader again (following a
/// NOT_LEADER redirect when one came) and goes on until the run ends.
final class BenchProducer: LoadProducer {
    private let operation: any BenchOperation
    /// The operation's frames and what they carry, read once: the loop needs them per request.
    private let frames: [WireMessage]
    private let messagesPerFrame: Int
    private let peers: [Peer]
    private let inflight: Int
    private let timeout: Duration
    /// With a rate: the time between two of this producer's requests; nil sends as fast as
    /// `inflight` allows.
    private let interval: Duration?
    /// When the next paced request is due.
    private var nextDue: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    private var connection: NodeConnection?
    /// Requests sent on this connection and not yet fully answered, by request number. Request
    /// `n` is frames `n × frames.count + 1` on (the connection numbers requests 1, 2, 3, ...).
    private var outstanding: [UInt64: Outstanding] = [:]
    /// The oldest request number that may still be outstanding (requests finish roughly in order).
    private var oldestRequest: UInt64 = 0
    private var nextRequest: UInt64 = 0
    /// No more requests on this connection: a NOT_LEADER answer came; reconnect once drained.
    private var draining = false
    private var redirect: NodeID?
    private(set) var result = ProducerResult()
    private let credentials: AccessCredentials?

    private struct Outstanding {
        var sentAt: ContinuousClock.Instant
        var framesLeft: Int
        var failedFrames = 0
    }

    /// `interval`, when given, paces the requests (open loop): request k is due k × interval
    /// after the start, and its latency counts from when it was due, so a stalled group shows in
    /// the latencies rather than in fewer requests (no coordinated omission).
    /// Requests are signed with `credentials` when given (a group with `aclEnable=true`).
    init(
        operation: any BenchOperation, peers: [Peer], inflight: Int, timeout: Duration, interval: Duration? = nil,
        credentials: AccessCredentials? = nil
    ) {
        precondition(inflight > 0, "a producer needs at least one request in flight")
        self.operation = operation
        frames = operation.frames
        messagesPerFrame = operation.messagesPerFrame
        self.peers = peers
        self.inflight = inflight
        self.timeout = timeout
        self.interval = interval
        self.credentials = credentials
    }

    deinit { connection?.close() }

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
            guard let connection else {
                guard sending else { break }
                reconnect(sendUntil: sendUntil)
                continue
            }
            if sending && !draining {
                if let interval {
                    var due = nextDue ?? now
                    while outstanding.count < inflight && due <= now && due < sendUntil {
                        send(at: due, on: connection)
                        due = due + interval
                    }
                    nextDue = due
                } else {
                    while outstanding.count < inflight { send(at: now, on: connection) }
                }
            }
            if draining && outstanding.isEmpty {
                disconnect()
                continue
            }
            if let oldest = oldestOutstanding, oldest.sentAt.duration(to: now) > timeout {
                fail("no acknowledgement within \(timeout.millisecondsText) ms from \(connection.peer.name)")
                continue
            }
            // Up to 10 ms, or until the next paced request is due.
            var wait = Duration.milliseconds(10)
            if let nextDue, outstanding.count < inflight { wait = min(wait, clock.now.duration(to: nextDue)) }
            do throws(NodeConnectionError) {
                try connection.flush()
                try connection.waitForResponses(timeout: wait)
                let answered = clock.now
                while let response = try connection.nextResponse() { try settle(response, at: answered) }
            } catch {
                fail("\(connection.peer.name): \(error)")
            }
        }
        disconnect()
        return result
    }

    // MARK: - Requests and answers

    private func send(at now: ContinuousClock.Instant, on connection: NodeConnection) {
        let number = nextRequest
        nextRequest += 1
        for frame in frames {
            let id: UInt64
            do {
                id = try connection.enqueue(frame)
            } catch {
                // The options bound size × batch well inside a frame; an encoding failure is a bug.
                preconditionFailure("cannot encode a bench request: \(error)")
            }
            precondition(request(of: id) == number, "request id \(id) is not in request \(number)")
        }
        outstanding[number] = Outstanding(sentAt: now, framesLeft: frames.count)
    }

    /// The request number frame `id` belongs to.
    private func request(of id: UInt64) -> UInt64 { (id - 1) / UInt64(frames.count) }

    private var oldestOutstanding: Outstanding? {
        while oldestRequest < nextRequest {
            if let request = outstanding[oldestRequest] { return request }
            oldestRequest += 1
        }
        return nil
    }

    /// Counts one answer frame towards its request; a request whose frames are all answered is
    /// acknowledged (or counted as failed) at `now`.
    private func settle(_ response: NodeResponse, at now: ContinuousClock.Instant) throws(NodeConnectionError) {
        let number = request(of: response.requestID)
        guard var request = outstanding[number] else {
            preconditionFailure("the connection returned an answer to request id \(response.requestID), not sent")
        }
        switch operation.answer(response.message) {
        case .acknowledged:
            break
        case .failed(let reason, let leader):
            request.failedFrames += 1
            result.firstError = result.firstError ?? "\(connection?.peer.name ?? "the leader"): \(reason)"
            if case .errorResponse(let error, _) = response.message, case .notLeader = error.code {
                draining = true
                redirect = leader
            }
        case nil:
            throw .protocolViolation("answered \(operation.label) with \(response.message.opcode)")
        }
        request.framesLeft -= 1
        if request.framesLeft > 0 {
            outstanding[number] = request
            return
        }
        outstanding[number] = nil
        let perFrame = messagesPerFrame
        result.errors += request.failedFrames * perFrame
        if request.failedFrames == 0 {
            result.messages += operation.batch
            result.latency.record(UInt64(request.sentAt.duration(to: now).nanoseconds))
            result.lastAcknowledgement = now
        } else {
            result.messages += (frames.count - request.failedFrames) * perFrame
        }
    }

    // MARK: - Connections

    /// Counts every outstanding request as failed (its frames not yet answered), and drops the
    /// connection.
    private func fail(_ reason: String) {
        result.firstError = result.firstError ?? reason
        for request in outstanding.values { result.errors += request.framesLeft * messagesPerFrame }
        outstanding.removeAll()
        disconnect()
    }

    /// Closes the connection; nothing is outstanding on it any more (answered, or counted by
    /// ``fail(_:)``), so the next one numbers its requests from 0 again.
    private func disconnect() {
        connection?.close()
        connection = nil
        precondition(outstanding.isEmpty, "a connection dropped with requests outstanding")
        nextRequest = 0
        oldestRequest = 0
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
        do throws(NodeConnectionError) {
            connection = try NodeConnection.open(to: peer, deadline: deadline, credentials: credentials)
        } catch {
            switch error {
            case .notSent(let reason), .unanswered(let reason), .protocolViolation(let reason):
                throw .unreachable(node: peer.name, address: peer.address, reason: reason)
            case .refused(let response):
                throw .unreachable(node: peer.name, address: peer.address, reason: response.description)
            }
        }
    }
}
