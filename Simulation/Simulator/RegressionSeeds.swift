/// Swarm seeds that once found a bug, kept as named cases so the bug stays fixed
/// (`Tests/SimulatorTests/RegressionSeedTests` runs each in `make test`).
public enum RegressionSeeds {
    /// Seeds 2001–30000 that broke `append-durable` while the simulator kept its own copy of the
    /// node's orchestration: a follower cut an acknowledged suffix (durably) while an earlier
    /// ready's acknowledgement of it still waited for a sync that covered nothing, so the
    /// acknowledgement left after the truncation. One `Replica` now drives both the server and
    /// the simulator, and a ready that rewrites written entries waits until no sync runs.
    public static let truncationBeforeAcknowledgement: [UInt64] = [5833, 6395, 8442, 9147, 10053, 10291, 21212]

    /// Seeds 1–20000 that broke `commit-monotonic` once the simulator ran the server's own
    /// orchestration: a node granted a vote (saving term, vote and commit at once) while the
    /// entries that commit covered were still syncing, crashed, and restarted with a durable
    /// commit beyond its durable log. The replica now saves only the commit its disk holds.
    public static let commitBeyondDurableLog: [UInt64] = [1549, 19417]

    /// Seeds 1–2000 that broke `apply-results` once a message's physical offset became its
    /// position in the Raft log: a follower that truncated an entry which had begun the next
    /// data file (after a blank) went on writing in that file, so a shorter replacement lay 56
    /// bytes later than on the other replicas and its records were refused as misplaced. A
    /// truncation (and a recovery) now continues where the last kept entry ends.
    public static let positionAfterTruncation: [UInt64] = [1397, 1596, 1739]

    /// Every regression seed.
    public static var all: [UInt64] {
        truncationBeforeAcknowledgement + commitBeyondDurableLog + positionAfterTruncation
    }
}
