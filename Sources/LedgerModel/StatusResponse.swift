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
    /// The first index the node's log holds (entries before it were compacted away).
    public var firstIndex: LogIndex
    /// How full the file system holding the node's store is, in hundredths of a percent
    /// (0–10000, as `df` counts: used ÷ (used + available to the node)); nil when unknown.
    public var diskUsedBasisPoints: UInt16?

    /// Whether the node would take writes as far as its own disk goes (below
    /// `diskSpaceWarningLevelRatio`); nil when unknown (an older node, or the disk unmeasured).
    public var writable: Bool?

    /// ``diskUsedBasisPoints`` as a fraction, 0–1.
    public var diskUsedRatio: Double? { diskUsedBasisPoints.map { Double($0) / 10_000 } }

    public init(
        group: String, nodeID: NodeID, nodeName: String, role: Role, term: Term, leader: NodeID?,
        leaderAddress: String?, lastIndex: LogIndex, commit: LogIndex, applied: LogIndex, uptimeMs: UInt64,
        stateApplied: LogIndex, stateDigest: UInt64, firstIndex: LogIndex = LogIndex(1),
        diskUsedBasisPoints: UInt16? = nil, writable: Bool? = nil
    ) {
        self.writable = writable
        self.firstIndex = firstIndex
        self.diskUsedBasisPoints = diskUsedBasisPoints
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
