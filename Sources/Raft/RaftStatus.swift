/// A snapshot of one node's Raft state, for status views and tests.
public struct RaftStatus: Sendable, Hashable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var vote: NodeID?
    public var leader: NodeID?
    /// The first index the log holds; entries before it are compacted into a snapshot.
    public var firstIndex: LogIndex
    public var lastIndex: LogIndex
    public var lastTerm: Term
    public var commitIndex: LogIndex
    public var appliedIndex: LogIndex
    public var persistedIndex: LogIndex
    /// The node leadership is being handed to, if a transfer is under way.
    public var transferTarget: NodeID?
    /// On a leader: each follower's replication state, in id order. Empty otherwise.
    public var followers: [FollowerStatus]
}

/// A leader's view of one follower.
public struct FollowerStatus: Sendable, Hashable {
    public var id: NodeID
    /// The highest index known to be on the follower.
    public var match: LogIndex
    public var next: LogIndex
    /// "probe", "replicate" or "snapshot" (waiting for an offered snapshot to be installed).
    public var state: String
    public var recentlyActive: Bool
}

extension RaftCore {
    public var status: RaftStatus {
        RaftStatus(
            id: id, role: role, term: term, vote: vote, leader: leader, firstIndex: log.firstIndex,
            lastIndex: log.lastIndex,
            lastTerm: log.lastTerm, commitIndex: log.committed, appliedIndex: log.applied,
            persistedIndex: log.persistedIndex, transferTarget: transferTarget,
            followers: peers.compactMap { peer in
                progress[peer].map {
                    FollowerStatus(
                        id: peer, match: $0.match, next: $0.next, state: $0.state.rawValue,
                        recentlyActive: $0.recentActive)
                }
            })
    }
}
