import Raft

// Requests about the group itself rather than its data.

/// Ask the leader to hand leadership to `target`. The answer means the transfer started; watch
/// `status` to see it complete.
public struct TransferLeaderRequest: Hashable, Sendable {
    public var target: NodeID

    public init(target: NodeID) { self.target = target }
}

/// Test only: the peers whose Raft traffic the node must drop, both ways, until the next
/// request (an empty list heals).
public struct FaultInjectionRequest: Hashable, Sendable {
    public var isolatedFrom: [NodeID]

    public init(isolatedFrom: [NodeID]) { self.isolatedFrom = isolatedFrom }
}

/// The first thing said on a peer connection, and its answer: who is speaking.
///
/// The connecting node sends its own identity; the accepting node answers with its identity, or
/// refuses (`badRequest`) when the group differs or the node is not a member.
public struct PeerHandshake: Hashable, Sendable {
    /// The Raft group the node belongs to (`group` in its config).
    public var group: String
    public var nodeID: NodeID
    /// The configured id, e.g. `n0`, for log lines.
    public var nodeName: String

    public init(group: String, nodeID: NodeID, nodeName: String) {
        self.group = group
        self.nodeID = nodeID
        self.nodeName = nodeName
    }
}
