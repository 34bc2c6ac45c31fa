/// The part a node plays in its group right now.
public enum Role: String, Sendable, Hashable, CustomStringConvertible {
    case follower = "FOLLOWER"
    /// Asking for pre-votes: the term is not bumped until a majority says an election could win.
    case preCandidate = "PRE_CANDIDATE"
    case candidate = "CANDIDATE"
    case leader = "LEADER"

    public var description: String { rawValue }
}

/// Volatile state worth reporting whenever it changes: who leads, and what this node is.
public struct SoftState: Sendable, Hashable {
    public var role: Role
    public var leader: NodeID?

    public init(role: Role, leader: NodeID?) {
        self.role = role
        self.leader = leader
    }
}
