import CommitLog
import Raft

/// What a node knows locally about where clients should go: the leader it follows and the
/// topics its state machine holds. Not linearizable (a follower may lag, a deposed leader may
/// not know it yet): for routing answers such as a NameServer's, which clients refresh.
extension Replica {
    /// The leader this node knows of (itself when it leads), nil during an election.
    public var knownLeader: NodeID? { core.leader }

    /// The queue count of `topic` in this node's applied state, nil if it holds no such topic.
    public func localQueueCount(topic: String) -> Int32? { stateMachine.queueCount(topic: topic) }
}
