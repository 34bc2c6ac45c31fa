/// Why the core refused or abandoned a request. Each case reads as one line for an operator.
public enum RaftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only the leader accepts proposals and reads; `leader` is the one this node knows, if any.
    case notLeader(leader: NodeID?)
    /// The leader is handing over to `target`; retry once the new leader is known.
    case transferInProgress(target: NodeID)
    /// The entry was not committed within the proposal timeout: no majority acknowledged it.
    /// It may still commit later (the outcome is indeterminate).
    case noQuorum(index: LogIndex, ticks: Int)
    /// This node stopped leading before the entry committed; it may still commit under the new
    /// leader (the outcome is indeterminate).
    case leadershipLost(index: LogIndex)
    /// A proposal larger than the configured limit.
    case entryTooLarge(bytes: Int, limit: Int)
    /// The leader already holds `uncommittedBytes` of proposals a majority has not stored
    /// (``RaftConfig/maxUncommittedBytes``): nothing was proposed; retry after a short wait.
    case overloaded(uncommittedBytes: Int, limit: Int)
    /// A node that is not a voter of this group.
    case unknownNode(NodeID)
    /// A leadership transfer that cannot start (to self, to a non-voter) or timed out.
    case transferFailed(target: NodeID, reason: String)
    /// The log storage failed to read; the node must stop.
    case storageFailed(String)

    public var description: String {
        switch self {
        case .notLeader(let leader?):
            "not the leader: node \(leader) leads this group"
        case .notLeader(nil):
            "no quorum: no leader is known (a majority of the group is unreachable or an election is under way)"
        case .transferInProgress(let target):
            "leadership transfer to node \(target) in progress; retry when it completes"
        case .noQuorum(let index, let ticks):
            "no quorum: entry \(index) was not acknowledged by a majority within \(ticks) ticks"
        case .leadershipLost(let index):
            "leadership lost before entry \(index) committed; its outcome is unknown"
        case .entryTooLarge(let bytes, let limit):
            "entry of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .overloaded(let uncommitted, let limit):
            "busy: \(uncommitted) bytes of proposals await commit (limit \(limit)); retry shortly"
        case .unknownNode(let id):
            "node \(id) is not a member of this group"
        case .transferFailed(let target, let reason):
            "leadership transfer to node \(target) failed: \(reason)"
        case .storageFailed(let detail):
            "log storage failed: \(detail)"
        }
    }
}
