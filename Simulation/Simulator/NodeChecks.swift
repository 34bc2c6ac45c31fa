import CommitLog
import LedgerModel
import Raft
import Replica

/// The checkers' view of one incarnation of one node: the replica calls these hooks at the
/// moment each step happens (``ReplicaObserver``), and they forward to the cluster's Raft and
/// CommitLog checkers with the node named.
final class NodeChecks: ReplicaObserver {
    private unowned let cluster: Cluster
    private unowned let node: SimNode
    /// What this incarnation proposed, by log index: the entry there must hold these bytes if it
    /// applies with the proposal's term.
    private var proposals: [LogIndex: (term: Term, data: [UInt8])] = [:]
    /// The log index each client request was proposed at (a write's acknowledgement is at it).
    private(set) var proposedRequests: [UInt64: Proposal] = [:]

    init(cluster: Cluster, node: SimNode) {
        self.cluster = cluster
        self.node = node
    }

    func readyTaken(_ ready: Ready, by core: RaftCore) throws(Violation) {
        try cluster.checker.readyProduced(ready, by: node, core)
        if cluster.options.processing != nil { node.workBytes += Self.entryBytes(in: ready) }
        if node.syncInFlight != nil { cluster.statistics.readiesDuringWrites += 1 }
        if let sink = cluster.eventSink { sink("    n\(node.id) \(Cluster.describe(ready))") }
    }

    func willWrite(_ entries: [Entry]) throws(Violation) { try cluster.checker.willWrite(entries, on: node) }

    func writesRefused(from index: LogIndex?, by core: RaftCore) throws(Violation) {
        cluster.checker.writesRefused(from: index, on: node, core)
    }

    func storageChanged(_ core: RaftCore) throws(Violation) {
        try cluster.checker.didWrite(on: node)
        try cluster.checker.commitAdvanced(node, core)
    }

    func willSend(_ message: Message, by core: RaftCore) throws(Violation) {
        try cluster.checker.sent(message, by: node, core)
    }

    func willApply(_ entry: Entry) throws(Violation) {
        guard let core = node.core else { preconditionFailure("apply on a node that is down") }
        try cluster.checker.commitAdvanced(node, core)
        try cluster.checker.applied(entry, on: node)
    }

    func stateMachineInput(_ entries: [Entry]) -> [Entry] { cluster.stateMachineEntries(entries, on: node) }

    func didApply(_ entry: Entry, results: [ApplyResult], stateMachine: CommitLogStateMachine) throws(Violation) {
        try cluster.commitLogChecker.applied(entry, results: results, digest: stateMachine.digest, on: node)
        if entry.kind == .normal, let id = Payload.id(in: entry.data) {
            try cluster.history.applied(id, at: entry.index)
        }
        guard let proposal = proposals.removeValue(forKey: entry.index), proposal.term == entry.term else { return }
        if entry.data != proposal.data {
            throw Violation(
                "proposal-identity",
                "n\(node.id) accepted a proposal at \(entry.index) term \(entry.term) but that entry holds other bytes")
        }
    }

    func didCompactLog(before firstIndex: LogIndex, forced: Bool) throws(Violation) {
        cluster.statistics.logCompactions += 1
        if forced {
            cluster.statistics.forcedCompactions += 1
            cluster.commitLogChecker.forcedThrough = max(cluster.commitLogChecker.forcedThrough, firstIndex.previous)
        }
    }

    func didInstall(_ snapshot: SnapshotMetadata, stateMachine: CommitLogStateMachine) throws(Violation) {
        cluster.statistics.snapshotsInstalled += 1
        try cluster.checker.installed(snapshot, on: node)
        try cluster.commitLogChecker.recovered(node, stateMachine)
    }

    func proposed(_ proposal: Proposal, data: [UInt8], for client: ClientID, requestID: UInt64) throws(Violation) {
        proposals[proposal.index] = (proposal.term, data)
        proposedRequests[requestID] = proposal
    }

    func readConfirmed(at index: LogIndex, for client: ClientID, requestID: UInt64) throws(Violation) {
        try cluster.readConfirmed(at: index, client: client, request: requestID, on: node)
    }

    /// The entry bytes a ready makes its node write, read for appends, and apply.
    private static func entryBytes(in ready: Ready) -> Int {
        func bytes(_ entries: [Entry]) -> Int { entries.reduce(0) { $0 + $1.data.count } }
        var total = bytes(ready.entries) + bytes(ready.committedEntries)
        for message in ready.messages {
            if case .append(let request) = message.body { total += bytes(request.entries) }
        }
        return total
    }

    /// Where request `requestID` was proposed by this incarnation, if it was (removed).
    func takeProposal(of requestID: UInt64) -> Proposal? { proposedRequests.removeValue(forKey: requestID) }
}
