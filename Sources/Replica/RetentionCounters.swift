/// What retention, snapshots and a full disk did on this node since it started, for metrics.
public struct RetentionCounters: Sendable, Hashable {
    /// Retention passes that deleted data files, by why (``Replica/RetentionReason``'s labels:
    /// `expired`, `disk`, `forced`).
    public internal(set) var deletions: [String: UInt64] = [:]
    /// Bytes of data files those passes deleted, by the same reasons.
    public internal(set) var deletedBytes: [String: UInt64] = [:]
    /// Snapshots this node sent to a follower (as leader) and installed from a leader.
    public internal(set) var snapshotsSent: UInt64 = 0
    public internal(set) var snapshotsInstalled: UInt64 = 0
    /// Snapshot bytes this node sent (as leader): less than whole snapshots when a repeated
    /// offer resumed an interrupted transfer.
    public internal(set) var snapshotBytesSent: UInt64 = 0
    /// Times the store's disk refused the log's writes (`ENOSPC`) after they had been going:
    /// each starts a spell of refused writes that ends when a retry writes them.
    public internal(set) var logWritesRefused: UInt64 = 0

    /// The reasons, in the order metrics list them.
    public static let reasons = ["expired", "disk", "forced"]
}
