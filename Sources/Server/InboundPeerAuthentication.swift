import LedgerModel
import Raft

/// The accepting side of one peer connection's challenge–response, as a state machine that
/// returns what to send; the server does the I/O.
///
/// 1. The connector's handshake (identity + nonce) arrives: ``handshakeReceived(_:nonce:)``
///    checks the identity and answers with this node's handshake and a fresh nonce.
/// 2. The connector's proof arrives: ``proofReceived(_:)`` checks it and, when it is right,
///    returns this node's own proof to send; the connection is then authenticated.
/// 3. Every Raft message goes through ``admit(_:)``: accepted only once authenticated, only in
///    the authenticated peer's name, only addressed to this node.
///
/// Any refusal is final: the server closes the connection, and this value refuses everything
/// after it.
struct InboundPeerAuthentication: Sendable {
    enum State: Sendable, Hashable {
        case awaitingHandshake
        case awaitingProof(peer: PeerHandshake, exchange: PeerExchange)
        case authenticated(peer: PeerHandshake)
        /// Final; keeps the handshake the connection had sent, if any, for log lines.
        case refused(claimed: PeerHandshake?)
    }

    let context: PeerAuthenticationContext
    private(set) var state: State = .awaitingHandshake

    init(context: PeerAuthenticationContext) { self.context = context }

    /// What to do with a handshake request.
    enum HandshakeStep: Sendable, Hashable {
        /// Send this handshake response and wait for the connector's proof.
        case answer(PeerHandshake)
        /// Refuse (answer `badRequest` with the reason) and close.
        case refuse(PeerRefusal)
    }

    /// The connector introduced itself; `nonce` is a fresh random challenge for this connection.
    mutating func handshakeReceived(_ hello: PeerHandshake, nonce: [UInt8]) -> HandshakeStep {
        precondition(nonce.count == PeerHandshake.nonceByteCount, "a nonce of \(nonce.count) bytes")
        guard case .awaitingHandshake = state else { return refuse(.outOfOrder("a second handshake")) }
        if let problem = problem(with: hello) {
            state = .refused(claimed: hello)
            return .refuse(problem)
        }
        let exchange = PeerExchange(
            connector: hello.nodeID, acceptor: context.selfID, connectorNonce: hello.nonce, acceptorNonce: nonce)
        state = .awaitingProof(peer: hello, exchange: exchange)
        return .answer(context.handshake(nonce: nonce))
    }

    /// What to do with the connector's proof.
    enum ProofStep: Sendable, Hashable {
        /// The connector is `peer`: send `answer` (this node's proof); Raft messages may follow.
        case authenticated(peer: PeerHandshake, answer: PeerProof)
        /// Close the connection.
        case refuse(PeerRefusal)
    }

    /// The connector proved (or failed to prove) that it knows the secret.
    mutating func proofReceived(_ proof: PeerProof) -> ProofStep {
        guard case .awaitingProof(let peer, let exchange) = state else {
            return .refuse(refusal(.outOfOrder("a proof outside the handshake")))
        }
        if let refusal = context.check(proof, by: .connector, exchange) { return .refuse(self.refusal(refusal)) }
        state = .authenticated(peer: peer)
        return .authenticated(peer: peer, answer: context.proof(by: .acceptor, exchange))
    }

    /// Whether a piece of a snapshot may reach the replica, as for a Raft message.
    mutating func admit(_ chunk: SnapshotChunk) -> PeerRefusal? {
        admit(Message(from: chunk.from, to: chunk.to, term: chunk.term, body: .installSnapshot(chunk.snapshot)))
    }

    /// Whether a Raft message may reach the core: nil when it may, else why not (close).
    mutating func admit(_ message: Message) -> PeerRefusal? {
        guard case .authenticated(let peer) = state else {
            return refusal(.outOfOrder("a Raft message before the peer proved the group secret"))
        }
        guard message.from == peer.nodeID else {
            return refusal(.impersonation(claimed: message.from, authenticated: peer.nodeID))
        }
        guard message.to == context.selfID else { return refusal(.misdirected(to: message.to)) }
        return nil
    }

    /// The authenticated peer, once the proof was accepted.
    var authenticatedPeer: PeerHandshake? {
        if case .authenticated(let peer) = state { return peer }
        return nil
    }

    /// The peer the connection claims to be, once its handshake was accepted, also after a
    /// refusal (for log lines).
    var claimedPeer: PeerHandshake? {
        switch state {
        case .awaitingProof(let peer, _), .authenticated(let peer): peer
        case .refused(let claimed): claimed
        case .awaitingHandshake: nil
        }
    }

    /// Why `hello` cannot be a member's handshake, or nil when it can.
    private func problem(with hello: PeerHandshake) -> PeerRefusal? {
        if hello.group != context.group { return .foreignGroup(hello.group) }
        if hello.nodeID == context.selfID { return .claimsOwnID }
        if !context.members.contains(hello.nodeID) { return .notAMember(hello.nodeID, name: hello.nodeName) }
        if hello.nonce.count != PeerHandshake.nonceByteCount { return .badNonce(byteCount: hello.nonce.count) }
        return nil
    }

    private mutating func refuse(_ reason: PeerRefusal) -> HandshakeStep { .refuse(refusal(reason)) }

    /// Enters the final refused state and returns `reason`.
    private mutating func refusal(_ reason: PeerRefusal) -> PeerRefusal {
        state = .refused(claimed: claimedPeer)
        return reason
    }
}
