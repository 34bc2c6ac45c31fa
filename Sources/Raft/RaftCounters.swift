/// Events a Raft core counts over its lifetime, for the node's metrics. Counting decides
/// nothing: the core only increments these where the events happen.
public struct RaftCounters: Sendable, Hashable {
    /// Elections this node started: it became a candidate and bumped its term (a pre-vote round
    /// that did not lead to one is not counted).
    public internal(set) var electionsStarted: UInt64 = 0
    /// Elections this node won: it became leader.
    public internal(set) var electionsWon: UInt64 = 0
    /// Times this node learned of a leader other than the last one it knew (itself included);
    /// the first leader it sees after starting counts. Losing sight of a leader does not count.
    public internal(set) var leaderChanges: UInt64 = 0
    /// Proposals this node refused as leader because too many bytes awaited commit.
    public internal(set) var proposalsRefusedOverloaded: UInt64 = 0
    /// The last leader this node knew, for ``leaderChanges``.
    var lastKnownLeader: NodeID?

    public init() {}

    /// Counts a change of the core's leader to `leader`, if it is news.
    mutating func observeLeader(_ leader: NodeID?) {
        guard let leader, leader != lastKnownLeader else { return }
        lastKnownLeader = leader
        leaderChanges += 1
    }
}
