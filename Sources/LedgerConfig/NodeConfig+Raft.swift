import Raft

extension NodeConfig {
    /// The Raft core's settings for this node: timings converted from milliseconds to ticks of
    /// ``tickMs`` (exact, as the parser requires multiples), the voters from ``peers``, the
    /// preferred leader, ``maxMessageSize`` as the largest proposal and
    /// ``maxInflightBytesPerFollower`` as each follower's inflight window and
    /// ``maxUncommittedBytes`` as the leader's back-pressure bound.
    ///
    /// `randomSeed` seeds election jitter; give each node and each start a different one (the
    /// node runtime can use the clock) so that nodes do not time out in step.
    public func raftConfig(randomSeed: UInt64) -> RaftConfig {
        var raft = RaftConfig(id: selfPeer.id, voters: peers.map(\.id))
        raft.electionTimeoutTicks = (electionTimeoutMinMs / tickMs)...(electionTimeoutMaxMs / tickMs)
        raft.heartbeatIntervalTicks = heartbeatIntervalMs / tickMs
        raft.proposalTimeoutTicks = proposalTimeoutMs / tickMs
        raft.maxEntryBytes = maxMessageSize
        raft.maxInflightBytes = maxInflightBytesPerFollower
        raft.maxUncommittedBytes = maxUncommittedBytes
        raft.preferredLeader = preferredLeader?.id
        raft.randomSeed = randomSeed
        return raft
    }
}
