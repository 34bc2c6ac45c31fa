import CommitLog
import LedgerModel
import Raft
import Replica

/// Why a node refused a request made directly through the cluster's controls.
public struct SimulationRefusal: Error, Sendable, CustomStringConvertible {
    /// The node's answer.
    public var response: ErrorResponse
    public var description: String { response.message }
}

/// A request made through the cluster's controls rather than a client, until it is answered.
struct DirectProposal {
    var node: Int
    /// The proposal id of a raw append.
    var rawID: UInt64?
    /// The refusal it was answered with before anything was proposed.
    var refusal: SimulationRefusal?
}

/// What a test or a scripted scenario sees of one node.
public struct NodeView: Sendable, Hashable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var leader: NodeID?
    public var lastIndex: LogIndex
    public var commitIndex: LogIndex
    /// What the node's state machine applied.
    public var applied: LogIndex
}

/// Direct control over the cluster, for tests and scripted scenarios. Every call checks the
/// invariants of the node it touches, like an event does.
extension Cluster {
    /// The node's state, or nil while it is down.
    public func view(_ id: NodeID) -> NodeView? {
        let node = nodes[index(of: id)]
        guard let core = node.core else { return nil }
        return NodeView(
            id: id, role: core.role, term: core.term, leader: core.leader, lastIndex: core.lastIndex,
            commitIndex: core.commitIndex, applied: node.applied)
    }

    /// The running leader with the highest term, if any.
    public var leader: NodeID? { currentLeader?.id }

    /// The leader of `term`, if the run ever saw one.
    public func leader(of term: Term) -> NodeID? { checker.leader(of: term) }

    /// How many terms had a leader so far.
    public var leaderTerms: Int { checker.leaderTermCount }

    /// The highest index known committed on any node.
    public var committedIndex: LogIndex { checker.committedIndex }

    /// Every entry of `id`'s log (durable or not).
    public func entries(of id: NodeID) throws(SimulationFailure) -> [Entry] {
        let node = nodes[index(of: id)]
        guard let core = node.core else { return [] }
        guard core.lastIndex > .zero else { return [] }
        do {
            return try core.entries(from: LogIndex(1), through: core.lastIndex)
        } catch {
            throw failure(Violation("core-error", "n\(id) cannot read its log: \(error)"))
        }
    }

    /// Proposals acknowledged so far, in order.
    public var acknowledged: [(id: UInt64, index: LogIndex)] { history.acknowledgements }

    /// The proposal id an entry carries, if a client proposed it.
    public static func proposalID(of entry: Entry) -> UInt64? {
        entry.kind == .normal ? Payload.id(in: entry.data) : nil
    }

    public func crash(_ id: NodeID) throws(SimulationFailure) {
        do { try crash(nodes[index(of: id)]) } catch { throw failure(error) }
    }

    public func restart(_ id: NodeID) throws(SimulationFailure) {
        do { try restart(nodes[index(of: id)]) } catch { throw failure(error) }
    }

    public func pause(_ id: NodeID, for milliseconds: UInt64) { pause(nodes[index(of: id)], for: milliseconds) }

    /// Cuts `ids` off from the rest (both directions, or only `ids` → rest with `oneWay`).
    public func partition(_ ids: [NodeID], oneWay: Bool = false) { partition(ids.map(index(of:)), oneWay: oneWay) }

    /// Heals every partition.
    public func heal() { healPartitions() }

    /// Makes `id` start an election now.
    public func campaign(_ id: NodeID) throws(SimulationFailure) {
        let node = nodes[index(of: id)]
        precondition(node.isRunning, "campaign on a node that is not running")
        do throws(Violation) {
            try drive(node) { (replica) throws(Violation) in try replica.campaign(now: wallClock) }
        } catch {
            throw failure(error)
        }
    }

    /// Appends a fresh raw payload on `id` directly (not through a client). The returned
    /// proposal id is recorded in ``history``; an accepted proposal is tracked to its outcome.
    public func propose(on id: NodeID) throws(SimulationFailure)
        -> Result<(id: UInt64, proposal: Proposal), SimulationRefusal>
    {
        let proposalID = history.issue()
        let request = ClientRequest.append(ClientAppendRequest(data: Payload.make(id: proposalID, fillerBytes: 4)))
        let result = try direct(request, on: id, rawID: proposalID)
        if case .failure(let refusal) = result { history.failed(proposalID, reason: "refused: \(refusal)") }
        return result.map { (proposalID, $0) }
    }

    /// Proposes a one-message send on `id` directly (not through a producer), stamped by `id`
    /// as a leader stamps a send. Returns where the proposal sits, or why `id` refused it.
    public func send(on id: NodeID) throws(SimulationFailure) -> Result<Proposal, SimulationRefusal> {
        lastMessageUID += 1
        let stamp = ProducerStamp(producer: ProducerID(999), sequence: lastMessageUID)
        let message = ProducerMessage(
            topic: WorkloadNames.topic(0), body: MessageBody.make(uid: lastMessageUID, fillerBytes: 4),
            producer: stamp)
        return try propose(
            SendOperation(stamp: stamp, messages: [message], uids: [lastMessageUID], isBatch: false), on: id)
    }

    /// Proposes `send` on `id` directly (not through a producer), stamped by `id`; proposing
    /// the same send twice is what a retry does.
    func propose(_ send: SendOperation, on id: NodeID) throws(SimulationFailure) -> Result<Proposal, SimulationRefusal>
    {
        try direct(.send(send.request, oneWay: false), on: id, rawID: nil)
    }

    /// Hands `request` to `id`'s replica as the direct client; returns where it was proposed, or
    /// the refusal it was answered with at once.
    private func direct(_ request: ClientRequest, on id: NodeID, rawID: UInt64?) throws(SimulationFailure)
        -> Result<Proposal, SimulationRefusal>
    {
        let node = nodes[index(of: id)]
        precondition(node.isRunning, "a direct request to a node that is not running")
        nextRequest += 1
        let requestID = nextRequest
        directProposals[requestID] = DirectProposal(node: node.index, rawID: rawID)
        do throws(Violation) {
            try drive(node) { (replica) throws(Violation) in
                try replica.handleObserved(
                    .request(request, from: Cluster.directClient, requestID: requestID), now: wallClock)
            }
        } catch {
            throw failure(error)
        }
        if let proposal = node.checks?.proposedRequests[requestID] { return .success(proposal) }
        let refusal = directProposals.removeValue(forKey: requestID)?.refusal
        return .failure(
            refusal
                ?? SimulationRefusal(
                    response: ErrorResponse(code: .internal, message: "n\(id) neither proposed nor refused the request")
                ))
    }

    /// `reply` answers the direct request `request`, proposed at `proposal` (if it was).
    func directProposalAnswered(_ reply: ClientReply, request: UInt64, proposal: Proposal?) {
        guard let direct = directProposals[request] else { return }
        switch reply {
        case .appended(let appended):
            directProposals[request] = nil
            if let id = direct.rawID { history.acknowledged(id, at: appended.index) }
        case .error(let error, _) where proposal == nil && direct.refusal == nil:
            // Refused before anything was proposed: `direct(_:on:rawID:)` returns it.
            directProposals[request]?.refusal = SimulationRefusal(response: error)
        case .error(let error, _):
            directProposals[request] = nil
            guard let id = direct.rawID else { return }
            if case .notLeader = error.code {
                history.failed(id, reason: error.message)
            } else {
                history.indeterminate(id, reason: error.message)
            }
        default:
            directProposals[request] = nil
        }
    }

    /// `node` crashed: the direct proposals waiting on it have unknown outcomes.
    func directProposalsLost(at node: SimNode) {
        for (request, direct) in directProposals.sorted(by: { $0.key < $1.key }) where direct.node == node.index {
            directProposals[request] = nil
            if let id = direct.rawID { history.indeterminate(id, reason: "node \(node.id) crashed") }
        }
    }

    /// Messages acknowledged to producers so far.
    public var acknowledgedMessages: Int { commitLogChecker.acknowledged.count }

    /// The highest log index acknowledged to any client.
    public var highestAcknowledged: LogIndex { highestAcknowledgedIndex }

    /// The acknowledged messages (by id) that `id`'s state machine does not hold at their
    /// acknowledged queue offset with their body. Empty for a node that is down.
    public func acknowledgedMessages(missingOn id: NodeID) -> [UInt64] {
        guard let machine = nodes[index(of: id)].machine else { return [] }
        return commitLogChecker.acknowledged.sorted { $0.key < $1.key }.compactMap { uid, location in
            do {
                let result = try machine.pull(
                    topic: location.queue.topic, queueID: location.queue.queueID, offset: location.offset, maxCount: 1)
                guard let message = result.messages.first, message.queueOffset == location.offset,
                    MessageBody.isIntact(message.body, uid: uid)
                else { return uid }
                return nil
            } catch {
                return uid
            }
        }
    }

    /// Checks the state machines of `ids` (converged nodes) against everything the run stored
    /// and committed: every message at its offset with its body, every queue's end, every
    /// group's committed offsets, equal digests.
    public func checkStateMachines(on ids: [NodeID]) throws(SimulationFailure) {
        do {
            try commitLogChecker.checkConverged(try ids.map(runningMachine))
        } catch {
            throw failure(error)
        }
    }

    /// Consumer progress so far: pulls, messages consumed, offset commits acknowledged.
    public var consumerProgress: (pulls: Int, consumed: Int, commits: Int) {
        (statistics.pulls, statistics.messagesConsumed, statistics.offsetCommits)
    }

    /// Whether the nodes `ids` (all by default) are up and idle, and their logs are identical,
    /// durable, fully committed and applied.
    public func converged(among ids: [NodeID]? = nil) throws(SimulationFailure) -> Bool {
        do {
            return try logsConverged(among: ids.map { $0.map { nodes[index(of: $0)] } })
        } catch {
            throw failure(error)
        }
    }

    /// Runs until the nodes `ids` (all by default) have converged, at most `duration`.
    /// Returns whether they did.
    public func runUntilConverged(among ids: [NodeID]? = nil, within duration: VirtualTime) throws(SimulationFailure)
        -> Bool
    {
        try run(until: now + duration) { (cluster: Cluster) throws(SimulationFailure) in
            try cluster.converged(among: ids)
        }
    }
}
