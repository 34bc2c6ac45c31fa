import Bytes
import Crypto
import LedgerConfig
import LedgerModel
import Raft

/// What either side of a peer handshake knows about this node and its group: the inputs of
/// the challenge–response that ``InboundPeerAuthentication`` and ``OutboundPeerAuthentication``
/// run (the protocol is in `SECURITY.md` and `Sources/Wire/PROTOCOL.md`).
struct PeerAuthenticationContext: Sendable {
    /// The group's name (`group`), bound into every proof.
    var group: String
    /// This node.
    var selfID: NodeID
    /// This node's configured name, sent in its handshake.
    var selfName: String
    /// Every voting member, this node included.
    var members: [NodeID]
    /// The group secret; nil when none is configured (a loopback-only group without
    /// authentication): then proofs are empty and only empty proofs are accepted.
    var secret: ClusterSecret?

    /// This node's handshake with `nonce`.
    func handshake(nonce: [UInt8]) -> PeerHandshake {
        PeerHandshake(group: group, nodeID: selfID, nodeName: selfName, nonce: nonce)
    }

    /// The proof that whoever plays `prover` in the connection between `connector` and
    /// `acceptor`, with these nonces, knows the secret; empty without a secret.
    func proof(by prover: PeerRole, _ exchange: PeerExchange) -> PeerProof {
        guard let secret else { return PeerProof(code: []) }
        return PeerProof(code: PeerProofCode.compute(secret: secret, prover: prover, group: group, exchange))
    }

    /// Checks the proof the other side (`prover`) sent: nil when it is right, else why not.
    func check(_ proof: PeerProof, by prover: PeerRole, _ exchange: PeerExchange) -> PeerRefusal? {
        guard let secret else { return proof.code.isEmpty ? nil : .unexpectedProof }
        guard !proof.code.isEmpty else { return .missingProof }
        let expected = PeerProofCode.compute(secret: secret, prover: prover, group: group, exchange)
        return constantTimeEquals(expected, proof.code) ? nil : .wrongProof
    }
}

/// The two parts a node plays on one peer connection.
enum PeerRole: Sendable, Hashable {
    /// The node that opened the connection and sent the handshake request.
    case connector
    /// The node that accepted it and answered.
    case acceptor
}

/// The public facts of one handshake, which both proofs are bound to.
struct PeerExchange: Sendable, Hashable {
    var connector: NodeID
    var acceptor: NodeID
    var connectorNonce: [UInt8]
    var acceptorNonce: [UInt8]
}

/// The proof computation: HMAC-SHA256 keyed with the secret over
/// `string label, bytes connectorNonce, bytes acceptorNonce, string group, u64 connector,
/// u64 acceptor` (Wire field encodings: `u32` length prefixes, big-endian integers).
///
/// The label names the prover's part, so a proof one side sent can never pass as the other
/// side's (no reflection); the fresh nonce of the verifier makes every proof good for one
/// connection only (no replay); the group and both ids bind it to who claims to talk to whom.
enum PeerProofCode {
    /// The label of a proof by `prover`.
    static func label(_ prover: PeerRole) -> String {
        switch prover {
        case .connector: "SwiftLedger peer proof v1: connector"
        case .acceptor: "SwiftLedger peer proof v1: acceptor"
        }
    }

    static func compute(secret: ClusterSecret, prover: PeerRole, group: String, _ exchange: PeerExchange) -> [UInt8] {
        var input = ByteWriter()
        input.writeString(label(prover))
        input.writeBytes(exchange.connectorNonce)
        input.writeBytes(exchange.acceptorNonce)
        input.writeString(group)
        input.writeUInt64(exchange.connector.rawValue)
        input.writeUInt64(exchange.acceptor.rawValue)
        return HMAC<SHA256>.authenticationCode(for: input.bytes, key: secret.bytes)
    }
}
