import Raft

/// Why a peer connection was refused during or after authentication. Each reads as the tail of
/// one log line ("refusing ... from 10.0.0.7:51234: <description>").
enum PeerRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The handshake names another group.
    case foreignGroup(String)
    /// The handshake names a node id that is not a member of this group.
    case notAMember(NodeID, name: String)
    /// The handshake claims to come from this very node.
    case claimsOwnID
    /// The node answering an outbound connection is not the member it was dialled for.
    case unexpectedPeer(expected: NodeID, got: NodeID)
    /// The nonce is not ``LedgerModel/PeerHandshake/nonceByteCount`` bytes.
    case badNonce(byteCount: Int)
    /// The peer sent an empty proof but this node has a secret.
    case missingProof
    /// The peer sent a proof but this node has no secret.
    case unexpectedProof
    /// The proof does not match: the peer does not know this group's secret (or replays an old proof).
    case wrongProof
    /// A handshake, proof or Raft frame that does not decode (e.g. a handshake of an older build,
    /// which has no nonce): the opcode's name and the decoding error.
    case malformed(opcode: String, String)
    /// A frame the handshake does not allow at this point, e.g. a Raft message before the proof.
    case outOfOrder(String)
    /// An authenticated peer sent a Raft message in another node's name.
    case impersonation(claimed: NodeID, authenticated: NodeID)
    /// An authenticated peer sent a Raft message addressed to another node.
    case misdirected(to: NodeID)

    var description: String {
        switch self {
        case .foreignGroup(let group):
            "it belongs to group \(String(reflecting: group))"
        case .notAMember(let id, let name):
            "node \(String(reflecting: name)) (id \(id.rawValue)) is not a member of this group"
        case .claimsOwnID:
            "it claims to be this node"
        case .unexpectedPeer(let expected, let got):
            "node \(got.rawValue) answered where node \(expected.rawValue) was expected"
        case .badNonce(let count):
            "its nonce has \(count) bytes, not 32"
        case .missingProof:
            "it sent no proof (it has no clusterSecretFile, and this node has one)"
        case .unexpectedProof:
            "it sent a proof but this node has no clusterSecretFile (every node of a group needs the same secret)"
        case .wrongProof:
            "wrong proof: it does not know this group's secret"
        case .malformed(let opcode, let error):
            "a malformed \(opcode) frame (a node of an older, incompatible build?): \(error)"
        case .outOfOrder(let what):
            "\(what) (out of order in the peer handshake)"
        case .impersonation(let claimed, let authenticated):
            "a Raft message from node \(claimed.rawValue) on the connection of node \(authenticated.rawValue)"
        case .misdirected(let to):
            "a Raft message for node \(to.rawValue), not this node"
        }
    }
}
