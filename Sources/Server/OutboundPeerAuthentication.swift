import LedgerModel
import Raft

/// The connecting side of one peer connection's challenge–response, as a state machine that
/// returns what to send; ``PeerLink`` and the server do the I/O.
///
/// 1. ``handshake`` is the request to send first: this node's identity and a fresh nonce.
/// 2. The acceptor's handshake response arrives: ``handshakeResponseReceived(_:)`` checks it is
///    the member that was dialled and returns this node's proof to send.
/// 3. The acceptor's proof arrives: ``proofReceived(_:)`` checks it; the link is then up and
///    Raft messages may be sent. A node never sends Raft traffic to an acceptor that has not
///    proved the secret.
///
/// Any refusal is final: the link closes the connection and reconnects later with a new value.
struct OutboundPeerAuthentication: Sendable {
    enum State: Sendable, Hashable {
        case awaitingHandshake
        case awaitingProof(PeerExchange)
        case authenticated
        case refused
    }

    let context: PeerAuthenticationContext
    /// The member this connection was opened to.
    let peer: NodeID
    /// The handshake request to send first.
    let handshake: PeerHandshake
    private(set) var state: State = .awaitingHandshake

    /// Authentication towards `peer`, challenging it with `nonce` (fresh random bytes).
    init(context: PeerAuthenticationContext, peer: NodeID, nonce: [UInt8]) {
        precondition(nonce.count == PeerHandshake.nonceByteCount, "a nonce of \(nonce.count) bytes")
        precondition(peer != context.selfID, "a link to this node itself")
        self.context = context
        self.peer = peer
        handshake = context.handshake(nonce: nonce)
    }

    /// What to do with the acceptor's handshake response.
    enum HandshakeStep: Sendable, Hashable {
        /// Send this proof and wait for the acceptor's.
        case prove(PeerProof)
        /// Close the connection.
        case refuse(PeerRefusal)
    }

    mutating func handshakeResponseReceived(_ answer: PeerHandshake) -> HandshakeStep {
        guard case .awaitingHandshake = state else {
            return .refuse(refusal(.outOfOrder("a second handshake response")))
        }
        guard answer.group == context.group else { return .refuse(refusal(.foreignGroup(answer.group))) }
        guard answer.nodeID == peer else {
            return .refuse(refusal(.unexpectedPeer(expected: peer, got: answer.nodeID)))
        }
        guard answer.nonce.count == PeerHandshake.nonceByteCount else {
            return .refuse(refusal(.badNonce(byteCount: answer.nonce.count)))
        }
        let exchange = PeerExchange(
            connector: context.selfID, acceptor: peer, connectorNonce: handshake.nonce, acceptorNonce: answer.nonce)
        state = .awaitingProof(exchange)
        return .prove(context.proof(by: .connector, exchange))
    }

    /// Whether the acceptor's proof is right: nil when the link is now authenticated, else why not.
    mutating func proofReceived(_ proof: PeerProof) -> PeerRefusal? {
        guard case .awaitingProof(let exchange) = state else {
            return refusal(.outOfOrder("a proof outside the handshake"))
        }
        if let refusal = context.check(proof, by: .acceptor, exchange) { return self.refusal(refusal) }
        state = .authenticated
        return nil
    }

    var isAuthenticated: Bool { state == .authenticated }

    /// Enters the final refused state and returns `reason`.
    private mutating func refusal(_ reason: PeerRefusal) -> PeerRefusal {
        state = .refused
        return reason
    }
}
