import Raft

/// The answer to a `status` request: what this node is and how far its log has come.
public struct StatusResponse: Hashable, Sendable {
    /// A follower at least this many entries behind its leader is catching up: `ledger status`
    /// shows it as CATCHING UP, and the leader logs when it starts and ends.
    public static let catchingUpLag: UInt64 = 10_000

    public var group: String
    public var nodeID: NodeID
    public var nodeName: String
    public var role: Role
    public var term: Term
    /// The leader this node knows, if any.
    public var leader: NodeID?
    /// The leader's `host:port`, when known.
    public var leaderAddress: String?
    public var lastIndex: LogIndex
    public var commit: LogIndex
    public var applied: LogIndex
    /// Milliseconds since the node started.
    public var uptimeMs: UInt64
    /// The last entry the replicated state machine (the message store) has applied.
    public var stateApplied: LogIndex
    /// The state machine's running digest at ``stateApplied`` (`CommitLogStateMachine.digest`):
    /// two replicas at the same ``stateApplied`` hold the same state exactly when their digests
    /// are equal.
    public var stateDigest: UInt64

    public init(
        group: String, nodeID: NodeID, nodeName: String, role: Role, term: Term, leader: NodeID?,
        leaderAddress: String?, lastIndex: LogIndex, commit: LogIndex, applied: LogIndex, uptimeMs: UInt64,
        stateApplied: LogIndex, stateDigest: UInt64
    ) {
        self.group = group
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.role = role
        self.term = term
        self.leader = leader
        self.leaderAddress = leaderAddress
        self.lastIndex = lastIndex
        self.commit = commit
        self.applied = applied
        self.uptimeMs = uptimeMs
        self.stateApplied = stateApplied
        self.stateDigest = stateDigest
    }
}
