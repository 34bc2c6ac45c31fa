import CommitLog
import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Wire

/// The workload on the plain replicated log: producers append raw entries, each carrying its
/// operation id (`chaos p2 s17`); consumers tail the committed log of a node picked at random
/// for each read.
///
/// Raw appends are at-least-once when retried after an unanswered attempt, so a producer
/// retries only attempts that certainly failed; an operation whose attempt went unanswered (or
/// was answered `outcomeUnknown`) ends indeterminate (it may be stored at most once). An
/// acknowledged operation therefore must be stored exactly once.
///
/// The first producers are impatient: they give up on a node as soon as another node leads, so
/// the failover windows measure the cluster. The last one is patient: it waits out every pause
/// (4 s, longer than the longest SIGSTOP), so its appends are still pending on a paused leader
/// when it wakes up deposed, which is when a leader that acknowledges what it cannot commit
/// would be caught.
struct ChaosRawWorkload: ChaosWorkload {
    var name: String { "raw-append" }
    var producers: Int { 3 }
    var consumers: Int { 2 }
    var holdsMessages: Bool { false }
    /// How long an operation keeps retrying attempts that certainly failed.
    var operationTimeout: Duration = .seconds(5)

    /// Whether `producer` waits out pauses (the last one does).
    func isPatient(_ producer: Int) -> Bool { producer == producers - 1 }

    /// How long one attempt may wait for its answer: long enough for an election (150–300 ms
    /// by default) and a commit, short enough that an impatient producer stuck on a paused
    /// leader moves on.
    func attemptTimeout(_ producer: Int) -> Duration { isPatient(producer) ? .seconds(4) : .seconds(1) }

    /// The payload of operation `id`.
    static func payload(_ id: ChaosOperationID) -> [UInt8] { Array("chaos p\(id.producer) s\(id.sequence)".utf8) }

    /// The operation a payload names, or nil when it is not a chaos payload.
    static func operation(in payload: [UInt8]) -> ChaosOperationID? {
        let words = String(decoding: payload, as: UTF8.self).split(separator: " ")
        guard words.count == 3, words[0] == "chaos", words[1].first == "p", words[2].first == "s",
            let producer = Int(words[1].dropFirst()), let sequence = Int(words[2].dropFirst())
        else { return nil }
        return ChaosOperationID(producer: producer, sequence: sequence)
    }

    /// The checker's view of one committed entry: a raw append is the operation its payload names.
    static func item(_ entry: GetResponse) -> ChaosItem {
        ChaosFinalState.item(entry) { bytes in
            operation(in: bytes).map(ChaosContent.operation) ?? ChaosFinalState.excerpt(bytes)
        }
    }

    func contents(of node: ChaosNodeState) -> ChaosNodeContents {
        ChaosNodeContents(node: node.node, items: node.entries.map(ChaosRawWorkload.item), digest: node.digest)
    }

    /// Raw appends have no queries beyond `get`, which the final state reads from every node.
    func served(by client: LedgerClient) -> ChaosNodeContents? { nil }

    func produce(producer: Int, context: ChaosContext) {
        var connections = ChaosConnections(peers: context.peers, credentials: context.credentials)
        defer { connections.closeAll() }
        var redirect: Peer?
        // The node whose last attempt went unanswered and the leader term believed then: it is
        // not asked again until the poller sees a newer leader (it may be paused or cut off).
        var avoid: (node: NodeID, term: UInt64)?
        var turn = producer
        var sequence = 0
        while !context.recorder.isStopping {
            sequence += 1
            let id = ChaosOperationID(producer: producer, sequence: sequence)
            let request = WireMessage.appendRequest(ClientAppendRequest(data: ChaosRawWorkload.payload(id)))
            let began = ContinuousClock().now
            let started = context.recorder.elapsed
            var attempts: [ChaosAttemptOutcome] = []
            while true {
                let leader = context.recorder.currentLeader
                let target: Peer
                if let next = redirect {
                    target = next
                } else if let leader, !(avoid?.node == leader.peer.id && avoid?.term == leader.term) {
                    target = leader.peer
                } else {
                    turn += 1
                    let candidates = context.peers.filter { $0.id != avoid?.node }
                    target = candidates[turn % candidates.count]
                }
                redirect = nil
                let outcome = attempt(
                    request, on: target, timeout: attemptTimeout(producer), connections: &connections,
                    redirect: &redirect
                ) {
                    // A newer leader elsewhere: this node cannot commit the entry any more on its own.
                    guard !isPatient(producer), let now = context.recorder.currentLeader else { return false }
                    return now.term > (leader?.term ?? 0) && now.peer.id != target.id
                }
                attempts.append(outcome)
                switch outcome {
                case .acknowledged: avoid = nil
                case .indeterminate: avoid = (target.id, leader?.term ?? 0)
                case .failed: break
                }
                guard case .failed = outcome, began.duration(to: ContinuousClock().now) < operationTimeout,
                    !context.recorder.isStopping
                else { break }
                if redirect == nil { pause(.milliseconds(20)) }
            }
            context.recorder.record(
                ChaosOperation(
                    id: id, started: started, ended: context.recorder.elapsed, attempts: attempts, idempotent: false))
            pause(context.operationInterval - began.duration(to: ContinuousClock().now))
        }
    }

    /// One append on `target`, classified by what its failure says about the entry: certainly
    /// not stored (not sent; refused with `notLeader`, `noQuorum` or `badRequest`, all given
    /// before anything is proposed) or perhaps stored (sent and unanswered; `outcomeUnknown`,
    /// `timeout`, `internal`).
    private func attempt(
        _ request: WireMessage, on target: Peer, timeout: Duration, connections: inout ChaosConnections,
        redirect: inout Peer?, abandon: @escaping () -> Bool
    ) -> ChaosAttemptOutcome {
        do throws(NodeConnectionError) {
            let answer = try connections.request(
                request, on: target, deadline: ContinuousClock().now + timeout, abandon: abandon)
            guard case .appendResponse(let response) = answer else {
                return .indeterminate("\(target.name) answered append with \(answer.opcode)")
            }
            return .acknowledged(.index(response.index.rawValue), node: target.name)
        } catch {
            switch error {
            case .notSent(let reason):
                return .failed("\(target.name): \(reason)")
            case .unanswered(let reason), .protocolViolation(let reason):
                return .indeterminate("\(target.name): \(reason)")
            case .refused(let response):
                guard ChaosRawWorkload.certainlyNotStored(response) else {
                    return .indeterminate("\(target.name): \(response)")
                }
                if case .notLeader(let leader?, _) = response.code {
                    redirect = connections.peers.first { $0.id == leader }
                }
                return .failed("\(target.name): \(response)")
            }
        }
    }

    /// Whether an error answer to an append means the entry certainly was not stored: the
    /// codes a node gives before proposing (or for an entry another leader replaced).
    static func certainlyNotStored(_ response: ErrorResponse) -> Bool {
        switch response.code {
        case .notLeader, .noQuorum, .badRequest, .busy, .diskFull, .noPermission: true
        case .outcomeUnknown, .timeout, .internal: false
        }
    }

    func consume(consumer: Int, context: ChaosContext) {
        var connections = ChaosConnections(peers: context.peers, credentials: context.credentials)
        defer { connections.closeAll() }
        var random = SplitMix64(seed: context.seed)
        var next: UInt64 = 1
        let name = "c\(consumer)"
        while !context.recorder.isStopping {
            let peer = context.peers[Int(random.below(UInt64(context.peers.count)))]
            // A few entries from one node, then another node: every replica's committed prefix is read.
            for _ in 0..<8 where !context.recorder.isStopping {
                do throws(NodeConnectionError) {
                    let answer = try connections.request(
                        .getRequest(GetRequest(index: LogIndex(next))), on: peer,
                        deadline: ContinuousClock().now + .milliseconds(500))
                    guard case .getResponse(let entry) = answer else { break }
                    context.recorder.record(
                        ChaosRead(consumer: name, node: peer.name, item: ChaosRawWorkload.item(entry)))
                    next += 1
                } catch {
                    // Not committed there yet, or the node is down or paused: try elsewhere soon.
                    pause(.milliseconds(20))
                    break
                }
            }
        }
    }
}

/// One ``NodeConnection`` per node, opened on first use and dropped after a failure (other
/// than a refusal, after which it stays usable).
struct ChaosConnections {
    let peers: [Peer]
    private var open: [NodeID: NodeConnection] = [:]

    let credentials: AccessCredentials?

    init(peers: [Peer], credentials: AccessCredentials? = nil) {
        self.peers = peers
        self.credentials = credentials
    }

    /// `message` on the connection to `peer` (opened now if needed, within `deadline`).
    mutating func request(
        _ message: WireMessage, on peer: Peer, deadline: ContinuousClock.Instant, abandon: (() -> Bool)? = nil
    ) throws(NodeConnectionError) -> WireMessage {
        let connection: NodeConnection
        if let existing = open[peer.id] {
            connection = existing
        } else {
            connection = try NodeConnection.open(to: peer, deadline: deadline, credentials: credentials)
            open[peer.id] = connection
        }
        do {
            return try connection.request(message, deadline: deadline, abandon: abandon)
        } catch {
            if case .refused = error {} else { open.removeValue(forKey: peer.id)?.close() }
            throw error
        }
    }

    mutating func closeAll() {
        for connection in open.values { connection.close() }
        open.removeAll()
    }
}
