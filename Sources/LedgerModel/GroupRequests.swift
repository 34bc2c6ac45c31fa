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

/// The first thing said on a peer connection, and its answer: who is speaking, and a challenge.
///
/// The connecting node sends its own identity and a fresh nonce; the accepting node answers with
/// its identity and a fresh nonce of its own, or refuses (`badRequest`) when the group differs or
/// the node is not a member. Each side then proves, with a ``PeerProof`` over both nonces, that
/// it knows the group secret.
public struct PeerHandshake: Hashable, Sendable {
    /// Bytes of a nonce this build sends and requires.
    public static let nonceByteCount = 32

    /// The Raft group the node belongs to (`group` in its config).
    public var group: String
    public var nodeID: NodeID
    /// The configured id, e.g. `n0`, for log lines.
    public var nodeName: String
    /// The sender's challenge: ``nonceByteCount`` random bytes drawn for this connection only.
    public var nonce: [UInt8]

    public init(group: String, nodeID: NodeID, nodeName: String, nonce: [UInt8]) {
        self.group = group
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.nonce = nonce
    }
}

/// A peer's answer to the other side's challenge: proof that it knows the group secret, bound to
/// both nonces, the group and both node ids (see `Sources/Server/SECURITY.md`).
///
/// Empty when the sender has no secret configured (a loopback-only group without
/// authentication); a node with a secret refuses an empty proof, and one without refuses a
/// non-empty one, so a group whose nodes disagree never forms.
public struct PeerProof: Hashable, Sendable {
    /// The largest proof accepted: a SHA-256 HMAC is 32 bytes.
    public static let maxByteCount = 64

    /// The authentication code, or empty for "no secret configured".
    public var code: [UInt8]

    public init(code: [UInt8]) { self.code = code }
}
