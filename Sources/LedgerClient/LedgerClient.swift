import Dispatch
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Synchronization
import Wire

/// A synchronous client of a SwiftLedger group.
///
/// Give it the group's peer list; it finds the leader (by asking every node for its status and
/// by following NOT_LEADER redirects), keeps a connection to it, and retries on leader changes,
/// refused connections and timeouts until ``LedgerClientOptions/timeout`` runs out. When no
/// leader can be found or the group cannot commit in that time, operations throw
/// ``LedgerClientError/noQuorum(_:)``.
///
/// Appends are at-least-once: when a leader dies after receiving an entry but before answering,
/// the retry may store the entry a second time. Every acknowledged append is committed. A write
/// that ends without an answer it can trust throws ``LedgerClientError/outcomeUnknown(_:)`` when
/// some attempt may have been stored, ``LedgerClientError/noQuorum(_:)`` only when none can have.
///
/// To talk to one particular node with no retries, or to keep many requests in flight on one
/// socket, use ``NodeConnection``.
///
/// Threads: one instance serves one thread at a time (it is not `Sendable`); calls block.
public final class LedgerClient {
    /// The members this client talks to, in the order given.
    public let peers: [Peer]
    public let options: LedgerClientOptions
    /// The node believed to lead; requests go there first. Nil until a leader is found, and
    /// again after the leader stops answering.
    public private(set) var leaderHint: Peer?
    private var connections: [NodeID: NodeConnection] = [:]
    /// This client's idempotent-producer id: random per instance, so two clients never share one.
    public let producerID: ProducerID
    /// The sequence of the last send; each send (or batch) takes the next one and keeps it
    /// through its retries.
    var lastSequence: UInt64 = 0
    /// Runs ``sendAsync(_:completion:)`` sends in order on a thread of their own.
    lazy var asyncSender = AsyncSender(peers: peers, options: options)

    /// A client of the group made of `peers` (at least one). `producerID` defaults to a random
    /// one (`SystemRandomNumberGenerator`).
    public init(peers: [Peer], options: LedgerClientOptions = LedgerClientOptions(), producerID: ProducerID? = nil) {
        precondition(!peers.isEmpty, "a client needs at least one peer")
        self.peers = peers
        self.options = options
        var random = SystemRandomNumberGenerator()
        self.producerID = producerID ?? ProducerID(random.next())
    }

    deinit { close() }

    /// Closes every open connection. The client stays usable; it reconnects on the next call.
    public func close() {
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    // MARK: - Status

    /// The status of one node, asked on a fresh connection that must answer within
    /// ``LedgerClientOptions/nodeTimeout``. Throws ``LedgerClientError/unreachable(node:address:reason:)``
    /// when it does not.
    public func status(of peer: Peer) throws(LedgerClientError) -> StatusResponse {
        try LedgerClient.fetchStatus(of: peer, deadline: ContinuousClock().now + options.nodeTimeout).get()
    }

    /// Every member's status, asked of all of them at once; returns within about
    /// ``LedgerClientOptions/nodeTimeout`` however many nodes are down or hung.
    public func statusAll() -> ClusterView {
        statusAll(deadline: ContinuousClock().now + options.nodeTimeout)
    }

    private func statusAll(deadline: Deadline) -> ClusterView {
        final class Results: Sendable {
            let values: Mutex<[Result<StatusResponse, LedgerClientError>?]>
            init(count: Int) { values = Mutex(Array(repeating: nil, count: count)) }
        }
        let results = Results(count: peers.count)
        let group = DispatchGroup()
        for (position, peer) in peers.enumerated() {
            group.enter()
            // One thread per node: a node that does not answer holds up only its own thread.
            spawnThread(name: "status \(peer.name)") {
                let result = LedgerClient.fetchStatus(of: peer, deadline: deadline)
                results.values.withLock { $0[position] = result }
                group.leave()
            }
        }
        group.wait()
        let answers = results.values.withLock { $0 }
        return ClusterView(nodes: zip(peers, answers).map { NodeStatus(peer: $0, result: $1!) })
    }

    private static func fetchStatus(of peer: Peer, deadline: Deadline) -> Result<StatusResponse, LedgerClientError> {
        do throws(NodeConnectionError) {
            let connection = try NodeConnection.open(to: peer, deadline: deadline)
            defer { connection.close() }
            let answer = try connection.request(.statusRequest, deadline: deadline)
            guard case .statusResponse(let status) = answer else {
                return .failure(.protocolViolation(node: peer.name, detail: "answered status with \(answer.opcode)"))
            }
            return .success(status)
        } catch {
            switch error {
            case .notSent(let reason), .unanswered(let reason):
                return .failure(.unreachable(node: peer.name, address: peer.address, reason: reason))
            case .refused(let response):
                return .failure(.serverFailure(node: peer.name, message: response.description))
            case .protocolViolation(let detail):
                return .failure(.protocolViolation(node: peer.name, detail: detail))
            }
        }
    }

    /// Waits until some node reports itself leader and returns it; throws
    /// ``LedgerClientError/noQuorum(_:)`` when none does within ``LedgerClientOptions/timeout``.
    public func findLeader() throws(LedgerClientError) -> LeaderInfo {
        let deadline = ContinuousClock().now + options.timeout
        var delay = options.retryDelay
        while true {
            let view = statusAll(deadline: min(deadline, ContinuousClock().now + options.nodeTimeout))
            if let leader = view.leader {
                leaderHint = leader.peer
                return leader
            }
            pause(min(delay, ContinuousClock().now.duration(to: deadline)))
            delay = min(delay * 2, options.maxRetryDelay)
            if deadline.isTooClose {
                throw .noQuorum("no leader found within \(options.timeout.wholeMilliseconds) ms (\(view.summary))")
            }
        }
    }

    // MARK: - Log

    /// Appends one entry holding `data` and returns its index once the entry is committed and
    /// applied on the leader. Retries on the leader it finds until the timeout.
    public func append(_ data: [UInt8]) throws(LedgerClientError) -> LogIndex {
        try onLeader("append", write: true) { (connection, deadline) throws(AttemptFailure) in
            let answer = try connection.attempt(.appendRequest(ClientAppendRequest(data: data)), deadline: deadline)
            guard case .appendResponse(let response) = answer else {
                throw .protocolViolation("answered append with \(answer.opcode)")
            }
            return response.index
        }
    }

    /// The committed entry at `index`, read from the leader (so every acknowledged append is
    /// visible). Waits while the leader holds the entry but has not yet learned it is committed
    /// (just after an election); throws ``LedgerClientError/rejected(node:message:)`` when the
    /// index is beyond the leader's log or before its first entry.
    public func get(_ index: LogIndex) throws(LedgerClientError) -> LedgerEntry {
        try onLeader("get \(index)") { (connection, deadline) throws(AttemptFailure) in
            let answer: WireMessage
            do throws(AttemptFailure) {
                answer = try connection.attempt(.getRequest(GetRequest(index: index)), deadline: deadline)
            } catch {
                guard case .connection(.refused(let response)) = error, case .badRequest = response.code else {
                    throw error
                }
                // Only "not committed yet" is worth waiting for: the entry is in the leader's log.
                let status = try connection.attempt(.statusRequest, deadline: deadline)
                if case .statusResponse(let status) = status, status.lastIndex >= index, index > .zero {
                    throw .notYet("\(connection.peer.name) holds entry \(index) but has not committed it yet")
                }
                throw error
            }
            guard case .getResponse(let entry) = answer else {
                throw .protocolViolation("answered get with \(answer.opcode)")
            }
            return LedgerEntry(index: entry.index, term: entry.term, kind: entry.kind, entryBytes: entry.data)
        }
    }

    // MARK: - Leadership

    /// Asks the leader to hand leadership to `target` and waits until `target` reports itself
    /// leader; returns it and its term. Returns at once when `target` already leads. Repeats the
    /// request every half second while leadership has not moved (a transfer the leader gave up
    /// on, e.g. because `target` lagged). Throws ``LedgerClientError/transferIncomplete(_:)``
    /// when another node still leads at the timeout, ``LedgerClientError/noQuorum(_:)`` when
    /// none does.
    public func transferLeader(to target: NodeID) throws(LedgerClientError) -> LeaderInfo {
        guard let targetPeer = peers.first(where: { $0.id == target }) else {
            throw .rejected(node: "client", message: "node \(target) is not in the peer list")
        }
        let started = ContinuousClock().now
        let deadline = started + options.timeout
        var lastRequest: Deadline?
        var problem = ""
        while true {
            let view = statusAll(deadline: min(deadline, ContinuousClock().now + options.nodeTimeout))
            let leader = view.leader
            if let leader {
                if leader.peer.id == target {
                    leaderHint = leader.peer
                    return leader
                }
                problem = "the leader is still \(leader.peer.name) at term \(leader.term)"
                if lastRequest.map({ $0.duration(to: ContinuousClock().now) >= .milliseconds(500) }) ?? true {
                    lastRequest = ContinuousClock().now
                    try requestTransfer(to: targetPeer, from: leader.peer, deadline: deadline, problem: &problem)
                }
            } else {
                problem = "no node leads (\(view.summary))"
            }
            pause(min(.milliseconds(20), ContinuousClock().now.duration(to: deadline)))
            if deadline.isTooClose {
                let summary =
                    "leadership did not move to \(targetPeer.name) within \(options.timeout.wholeMilliseconds) ms: \(problem)"
                throw leader == nil ? .noQuorum(summary) : .transferIncomplete(summary)
            }
        }
    }

    /// Sends one transfer request to `leader`; failures worth retrying only update `problem`.
    private func requestTransfer(to target: Peer, from leader: Peer, deadline: Deadline, problem: inout String)
        throws(LedgerClientError)
    {
        do throws(AttemptFailure) {
            let answer = try connection(to: leader, deadline: deadline)
                .attempt(.transferLeaderRequest(TransferLeaderRequest(target: target.id)), deadline: deadline)
            guard case .transferLeaderResponse = answer else {
                throw .protocolViolation("answered transferLeader with \(answer.opcode)")
            }
        } catch {
            switch error {
            case .connection(.refused(let response)):
                switch response.code {
                case .notLeader, .noQuorum, .timeout, .outcomeUnknown, .busy: problem = "\(leader.name): \(response)"
                case .badRequest, .noPermission, .diskFull:
                    // A full disk says so ("disk full: ..."); the others are their message alone.
                    throw .rejected(
                        node: leader.name,
                        message: response.code == .diskFull ? response.description : response.message)
                case .internal: throw .serverFailure(node: leader.name, message: response.description)
                }
            case .connection(.notSent(let reason)), .connection(.unanswered(let reason)), .notYet(let reason):
                drop(leader)
                problem = "\(leader.name) (\(leader.address)): \(reason)"
            case .connection(.protocolViolation(let detail)):
                drop(leader)
                throw .protocolViolation(node: leader.name, detail: detail)
            }
        }
    }

    /// Test only: tells `node` (started with `--fault-injection`) to drop all Raft traffic to and
    /// from `peers`, both ways; an empty list heals. Asked once, on a fresh connection.
    public func isolate(_ node: Peer, from peers: [NodeID]) throws(LedgerClientError) {
        let deadline = ContinuousClock().now + options.nodeTimeout
        do throws(NodeConnectionError) {
            let connection = try NodeConnection.open(to: node, deadline: deadline, credentials: options.credentials)
            defer { connection.close() }
            let answer = try connection.request(
                .faultInjectionRequest(FaultInjectionRequest(isolatedFrom: peers)), deadline: deadline)
            guard case .faultInjectionResponse = answer else {
                throw .protocolViolation("answered faultInjection with \(answer.opcode)")
            }
        } catch {
            switch error {
            case .refused(let response): throw .rejected(node: node.name, message: response.message)
            case .notSent(let reason), .unanswered(let reason):
                throw .unreachable(node: node.name, address: node.address, reason: reason)
            case .protocolViolation(let detail): throw .protocolViolation(node: node.name, detail: detail)
            }
        }
    }

    // MARK: - Retries

    /// Runs `attempt` on a connection to the leader until it succeeds, a node rejects it for
    /// good, or the timeout (``LedgerClientOptions/timeout`` unless given) passes. Each attempt
    /// gets at most ``LedgerClientOptions/attemptTimeout`` plus `serverWait` (the time the node
    /// may hold the request by design, a long poll's wait).
    ///
    /// For a `write`, every attempt that may have been stored (sent and unanswered, or answered
    /// `outcomeUnknown`/`timeout`) is remembered: the operation then ends in `outcomeUnknown`,
    /// never in `noQuorum` or `rejected`, unless a later attempt succeeds. Otherwise the end of
    /// the time is `noQuorum`, naming the last problem seen.
    func onLeader<T>(
        _ operation: String, timeout: Duration? = nil, write: Bool = false, serverWait: Duration = .zero,
        _ attempt: (NodeConnection, Deadline) throws(AttemptFailure) -> T
    ) throws(LedgerClientError) -> T {
        let timeout = timeout ?? options.timeout
        let deadline = ContinuousClock().now + timeout
        var delay = options.retryDelay
        var problem = "no node was asked"
        /// The first attempt of a write that may have been stored, if any.
        var uncertain: String?
        var redirects = 0
        while true {
            var target = leaderHint
            if target == nil {
                let view = statusAll(deadline: min(deadline, ContinuousClock().now + options.nodeTimeout))
                target = view.leader?.peer
                leaderHint = target
                if target == nil { problem = "no node leads (\(view.summary))" }
            }
            if let target {
                let attemptDeadline = options.attemptTimeout.map {
                    min(deadline, ContinuousClock().now + $0 + serverWait)
                }
                do throws(AttemptFailure) {
                    return try attempt(try connection(to: target, deadline: deadline), attemptDeadline ?? deadline)
                } catch {
                    switch error {
                    case .connection(.refused(let response)):
                        problem = "\(target.name): \(response)"
                        leaderHint = nil
                        switch response.code {
                        case .notLeader(let leader, _):
                            // Follow a redirect at once, but not round and round between stale nodes.
                            if let next = peers.first(where: { $0.id == leader }), next != target, redirects < 3 {
                                leaderHint = next
                                redirects += 1
                                continue
                            }
                        case .noQuorum:
                            break
                        case .busy:
                            leaderHint = target  // It leads; it only asks for a pause.
                        case .outcomeUnknown, .timeout:
                            if write && uncertain == nil { uncertain = problem }
                        case .badRequest, .noPermission, .diskFull:
                            if write, let uncertain {
                                throw .outcomeUnknown(
                                    "\(operation): an earlier attempt may have been stored (\(uncertain)); "
                                        + "a retry was rejected: \(problem)")
                            }
                            // A full disk says so ("disk full: ..."); a bad request is its message alone.
                            throw .rejected(
                                node: target.name,
                                message: response.code == .diskFull ? response.description : response.message)
                        case .internal:
                            throw .serverFailure(node: target.name, message: response.description)
                        }
                    case .connection(.notSent(let reason)), .connection(.unanswered(let reason)):
                        drop(target)
                        leaderHint = nil
                        problem = "\(target.name) (\(target.address)): \(reason)"
                        if write && uncertain == nil && error.requestMayHaveArrived { uncertain = problem }
                    case .notYet(let detail):
                        problem = detail
                    case .connection(.protocolViolation(let detail)):
                        drop(target)
                        leaderHint = nil
                        throw .protocolViolation(node: target.name, detail: detail)
                    }
                }
            }
            redirects = 0
            pause(min(delay, ContinuousClock().now.duration(to: deadline)))
            delay = min(delay * 2, options.maxRetryDelay)
            if deadline.isTooClose {
                if let uncertain {
                    throw .outcomeUnknown(
                        "\(operation) was not confirmed within \(timeout.wholeMilliseconds) ms and may have been "
                            + "stored (\(uncertain)); last: \(problem)")
                }
                throw .noQuorum(
                    "\(operation) did not succeed within \(timeout.wholeMilliseconds) ms; last: \(problem)")
            }
        }
    }

    /// The open connection to `peer`, or a new one.
    func connection(to peer: Peer, deadline: Deadline) throws(AttemptFailure) -> NodeConnection {
        if let open = connections[peer.id] { return open }
        let connectDeadline = min(deadline, ContinuousClock().now + options.nodeTimeout)
        let connection = try NodeConnection.attemptOpen(
            to: peer, deadline: connectDeadline, credentials: options.credentials)
        connections[peer.id] = connection
        return connection
    }

    /// Closes and forgets the connection to `peer` after it failed.
    func drop(_ peer: Peer) {
        connections.removeValue(forKey: peer.id)?.close()
    }
}
