import CommitLog
import LedgerClient
import LedgerConfig
import Raft
import Wire

/// The workload on the plain replicated log: producers append raw entries, each carrying its
/// operation id (`chaos p2 s17`); consumers tail the committed log of a node picked at random
/// for each read.
///
/// Raw appends are at-least-once when retried after an unanswered attempt, so a producer
/// retries only attempts that certainly failed; an operation whose attempt went unanswered ends
/// indeterminate (it may be stored at most once). An acknowledged operation therefore must be
/// stored exactly once.
///
/// An impatient producer gives up on a node as soon as another node leads, so the failover
/// windows measure the cluster. A patient one waits out every pause (4 s, longer than the
/// longest SIGSTOP): its appends are still pending on a paused leader when it wakes up deposed,
/// which is when a leader that acknowledges what it cannot commit would be caught.
struct ChaosRawWorkload: ChaosWorkload {
    var patient = false

    var name: String { patient ? "raw-append-patient" : "raw-append" }
    /// How long one attempt may wait for its answer: long enough for an election (150–300 ms
    /// by default) and a commit, short enough that an impatient producer stuck on a paused
    /// leader moves on.
    var attemptTimeout: Duration { patient ? .seconds(4) : .seconds(1) }
    /// How long an operation keeps retrying attempts that certainly failed.
    var operationTimeout: Duration = .seconds(5)

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

    /// The checker's view of one committed entry.
    static func item(_ entry: GetResponse) -> ChaosItem {
        let content: ChaosContent
        switch entry.kind {
        case .noop:
            content = .bookkeeping("the no-op of term \(entry.term)")
        case .normal:
            // Log entries carry the EntryPayload envelope: a raw append is 0x00 + its bytes.
            let payload: EntryPayload?
            do { payload = try EntryPayload(decoding: entry.data) } catch { payload = nil }
            switch payload {
            case .raw(let bytes)?:
                if let id = operation(in: bytes) {
                    content = .operation(id)
                } else {
                    content = .unknown(quoted(String(decoding: bytes.prefix(64), as: UTF8.self)))
                }
            case .command?:
                content = .bookkeeping("a message-store command at \(entry.index)")
            case nil:
                content = .unknown(quoted(String(decoding: entry.data.prefix(64), as: UTF8.self)))
            }
        }
        return ChaosItem(position: .index(entry.index.rawValue), content: content, fingerprint: fingerprint(entry))
    }

    /// The bytes two replicas' copies of an entry must agree on: term, kind and data.
    static func fingerprint(_ entry: GetResponse) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: entry.term.rawValue.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(entry.kind.rawValue)
        bytes.append(contentsOf: entry.data)
        return bytes
    }

    func produce(producer: Int, context: ChaosContext) {
        var connections = ChaosConnections(peers: context.peers)
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
                let outcome = attempt(request, on: target, connections: &connections, redirect: &redirect) {
                    // A newer leader elsewhere: this node cannot commit the entry any more on its own.
                    guard !patient, let now = context.recorder.currentLeader else { return false }
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

    /// One append on `target`. A refusal is a certain failure only when the node refused before
    /// proposing (it was not the leader, or a transfer was under way); the wire protocol gives
    /// the same codes to entries it proposed and then lost track of, so those are told apart by
    /// the message the node's Raft core wrote (see the report's notes on the protocol).
    private func attempt(
        _ request: WireMessage, on target: Peer, connections: inout ChaosConnections, redirect: inout Peer?,
        abandon: () -> Bool
    ) -> ChaosAttemptOutcome {
        do throws(ChaosTransportFailure) {
            let answer = try connections[target].request(request, timeout: attemptTimeout, abandon: abandon)
            guard case .appendResponse(let response) = answer else {
                return .indeterminate("\(target.name) answered append with \(answer.opcode)")
            }
            return .acknowledged(.index(response.index.rawValue), node: target.name)
        } catch {
            switch error {
            case .notSent(let reason):
                return .failed("\(target.name): \(reason)")
            case .unanswered(let reason):
                return .indeterminate("\(target.name): \(reason)")
            case .refused(let response):
                guard ChaosRawWorkload.refusedBeforeProposing(response) else {
                    return .indeterminate("\(target.name): \(response)")
                }
                if case .notLeader(let leader?, _) = response.code {
                    redirect = connections.peers.first { $0.id == leader }
                }
                return .failed("\(target.name): \(response)")
            }
        }
    }

    /// Whether an error answer to an append certainly means nothing was proposed: the refusals
    /// `RaftCore.propose` makes (`not the leader`, `no leader is known`, a transfer in progress)
    /// or a bad request. Everything else (proposal timeout, leadership lost, shutdown with
    /// entries pending, internal errors) may still commit.
    static func refusedBeforeProposing(_ response: ErrorResponse) -> Bool {
        switch response.code {
        case .badRequest:
            return true
        case .notLeader, .noQuorum:
            return response.message.hasPrefix("not the leader:")
                || response.message.hasPrefix("no quorum: no leader is known")
                || (response.message.hasPrefix("leadership transfer to node")
                    && response.message.hasSuffix("progress; retry when it completes"))
        case .timeout, .internal:
            return false
        }
    }

    func consume(consumer: Int, context: ChaosContext) {
        var connections = ChaosConnections(peers: context.peers)
        defer { connections.closeAll() }
        var random = SplitMix64(seed: context.seed)
        var next: UInt64 = 1
        let name = "c\(consumer)"
        while !context.recorder.isStopping {
            let peer = context.peers[Int(random.below(UInt64(context.peers.count)))]
            // A few entries from one node, then another node: every replica's committed prefix is read.
            for _ in 0..<8 where !context.recorder.isStopping {
                do throws(ChaosTransportFailure) {
                    let answer = try connections[peer].request(
                        .getRequest(GetRequest(index: LogIndex(next))), timeout: .milliseconds(500))
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

/// One ``ChaosConnection`` per node, opened on first use.
struct ChaosConnections {
    let peers: [Peer]
    private var open: [NodeID: ChaosConnection] = [:]

    init(peers: [Peer]) { self.peers = peers }

    subscript(peer: Peer) -> ChaosConnection {
        mutating get {
            if let connection = open[peer.id] { return connection }
            let connection = ChaosConnection(peer: peer)
            open[peer.id] = connection
            return connection
        }
    }

    mutating func closeAll() {
        for connection in open.values { connection.close() }
        open.removeAll()
    }
}
