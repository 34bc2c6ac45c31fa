import LedgerConfig
import LedgerModel
import Raft
import TestSupport
import Testing

@testable import Server

/// The peer challenge–response, both sides driven against each other without sockets: right
/// proofs are accepted in both directions; a wrong secret, a replayed or reflected proof, a
/// proof for another node id or group, a missing proof and out-of-order frames are refused.
@Suite struct PeerAuthenticationTests {
    static let secret = ClusterSecret(bytes: Array("the group secret, 32 bytes long!".utf8))
    static let otherSecret = ClusterSecret(bytes: Array("another secret, also 32 bytes...".utf8))
    static let members: [NodeID] = [NodeID(0), NodeID(1), NodeID(2)]

    /// Node `id` of group `group` ("test" unless given) with `secret`.
    static func node(_ id: UInt64, secret: ClusterSecret?, group: String = "test") -> PeerAuthenticationContext {
        PeerAuthenticationContext(
            group: group, selfID: NodeID(id), selfName: "n\(id)", members: members, secret: secret)
    }

    /// A nonce of 32 copies of `byte` (tests choose nonces; the server draws them at random).
    static func nonce(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: PeerHandshake.nonceByteCount) }

    /// One full exchange between connector n1 and acceptor n0; returns both sides afterwards.
    struct Exchange {
        var connector: OutboundPeerAuthentication
        var acceptor: InboundPeerAuthentication
        var connectorProof: PeerProof?
        var acceptorRefusal: PeerRefusal?
        var connectorRefusal: PeerRefusal?
    }

    static func exchange(
        connector connectorContext: PeerAuthenticationContext, acceptor acceptorContext: PeerAuthenticationContext,
        connectorNonce: UInt8 = 1, acceptorNonce: UInt8 = 2
    ) -> Exchange {
        var connector = OutboundPeerAuthentication(
            context: connectorContext, peer: acceptorContext.selfID, nonce: nonce(connectorNonce))
        var acceptor = InboundPeerAuthentication(context: acceptorContext)
        var result = Exchange(connector: connector, acceptor: acceptor)
        guard case .answer(let answer) = acceptor.handshakeReceived(connector.handshake, nonce: nonce(acceptorNonce))
        else {
            Issue.record("the acceptor refused the handshake")
            return result
        }
        guard case .prove(let proof) = connector.handshakeResponseReceived(answer) else {
            Issue.record("the connector refused the handshake response")
            return result
        }
        result.connectorProof = proof
        switch acceptor.proofReceived(proof) {
        case .authenticated(let peer, let acceptorProof):
            #expect(peer.nodeID == connectorContext.selfID)
            result.connectorRefusal = connector.proofReceived(acceptorProof)
        case .refuse(let refusal):
            result.acceptorRefusal = refusal
        }
        result.connector = connector
        result.acceptor = acceptor
        return result
    }

    @Test func theRightSecretAuthenticatesBothSides() {
        let result = Self.exchange(
            connector: Self.node(1, secret: Self.secret), acceptor: Self.node(0, secret: Self.secret))
        #expect(result.acceptorRefusal == nil)
        #expect(result.connectorRefusal == nil)
        #expect(result.connector.isAuthenticated)
        #expect(result.acceptor.authenticatedPeer?.nodeID == NodeID(1))
        #expect(result.connectorProof?.code.count == 32)
    }

    @Test func aConnectorWithTheWrongSecretIsRefusedByTheAcceptor() {
        let result = Self.exchange(
            connector: Self.node(1, secret: Self.otherSecret), acceptor: Self.node(0, secret: Self.secret))
        #expect(result.acceptorRefusal == .wrongProof)
        #expect(result.acceptor.authenticatedPeer == nil)
        #expect(!result.connector.isAuthenticated)
    }

    @Test func anAcceptorWithTheWrongSecretIsRefusedByTheConnector() {
        // The acceptor checks first, so let it share the connector's secret for its check but
        // answer with a proof made from another secret.
        var connector = OutboundPeerAuthentication(
            context: Self.node(1, secret: Self.secret), peer: NodeID(0), nonce: Self.nonce(1))
        let impostor = Self.node(0, secret: Self.otherSecret)
        let answer = impostor.handshake(nonce: Self.nonce(2))
        guard case .prove = connector.handshakeResponseReceived(answer) else {
            Issue.record("the connector refused the handshake response")
            return
        }
        let exchange = PeerExchange(
            connector: NodeID(1), acceptor: NodeID(0), connectorNonce: Self.nonce(1), acceptorNonce: Self.nonce(2))
        #expect(connector.proofReceived(impostor.proof(by: .acceptor, exchange)) == .wrongProof)
        #expect(!connector.isAuthenticated)
        #expect(
            connector.proofReceived(Self.node(0, secret: Self.secret).proof(by: .acceptor, exchange)) != nil,
            "a refusal is final")
    }

    @Test func aReplayedProofIsRefused() throws {
        let first = Self.exchange(
            connector: Self.node(1, secret: Self.secret), acceptor: Self.node(0, secret: Self.secret))
        let recorded = try #require(first.connectorProof)
        // An eavesdropper replays n1's handshake and proof; the acceptor's fresh nonce differs.
        var acceptor = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        let hello = Self.node(1, secret: nil).handshake(nonce: Self.nonce(1))
        guard case .answer = acceptor.handshakeReceived(hello, nonce: Self.nonce(3)) else {
            Issue.record("the acceptor refused the handshake")
            return
        }
        #expect(acceptor.proofReceived(recorded) == .refuse(.wrongProof))
    }

    @Test func theAcceptorsOwnProofReflectedBackIsRefused() {
        let context = Self.node(0, secret: Self.secret)
        var acceptor = InboundPeerAuthentication(context: context)
        let hello = Self.node(1, secret: nil).handshake(nonce: Self.nonce(1))
        _ = acceptor.handshakeReceived(hello, nonce: Self.nonce(2))
        let exchange = PeerExchange(
            connector: NodeID(1), acceptor: NodeID(0), connectorNonce: Self.nonce(1), acceptorNonce: Self.nonce(2))
        #expect(acceptor.proofReceived(context.proof(by: .acceptor, exchange)) == .refuse(.wrongProof))
    }

    @Test func aProofForAnotherNodeIDIsRefused() {
        // n2 knows the secret but claims to be n1: its proof binds its real id, not the claimed one.
        var acceptor = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        let claim = Self.node(1, secret: nil).handshake(nonce: Self.nonce(1))
        _ = acceptor.handshakeReceived(claim, nonce: Self.nonce(2))
        let asItself = PeerExchange(
            connector: NodeID(2), acceptor: NodeID(0), connectorNonce: Self.nonce(1), acceptorNonce: Self.nonce(2))
        let proof = Self.node(2, secret: Self.secret).proof(by: .connector, asItself)
        #expect(acceptor.proofReceived(proof) == .refuse(.wrongProof))
    }

    @Test func aProofForAnotherGroupIsRefused() {
        let result = Self.exchange(
            connector: Self.node(1, secret: Self.secret, group: "test"),
            acceptor: Self.node(0, secret: Self.secret, group: "test"))
        #expect(result.acceptorRefusal == nil)
        var acceptor = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        _ = acceptor.handshakeReceived(Self.node(1, secret: nil).handshake(nonce: Self.nonce(1)), nonce: Self.nonce(2))
        let exchange = PeerExchange(
            connector: NodeID(1), acceptor: NodeID(0), connectorNonce: Self.nonce(1), acceptorNonce: Self.nonce(2))
        let proof = Self.node(1, secret: Self.secret, group: "other").proof(by: .connector, exchange)
        #expect(acceptor.proofReceived(proof) == .refuse(.wrongProof))
    }

    @Test func handshakesFromStrangersAreRefused() {
        let context = Self.node(0, secret: Self.secret)
        let cases: [(PeerHandshake, PeerRefusal)] = [
            (Self.node(1, secret: nil, group: "other").handshake(nonce: Self.nonce(1)), .foreignGroup("other")),
            (Self.node(0, secret: nil).handshake(nonce: Self.nonce(1)), .claimsOwnID),
            (
                PeerHandshake(group: "test", nodeID: NodeID(7), nodeName: "n7", nonce: Self.nonce(1)),
                .notAMember(NodeID(7), name: "n7")
            ),
            (Self.node(1, secret: nil).handshake(nonce: [1, 2, 3]), .badNonce(byteCount: 3)),
        ]
        for (hello, expected) in cases {
            var acceptor = InboundPeerAuthentication(context: context)
            #expect(acceptor.handshakeReceived(hello, nonce: Self.nonce(2)) == .refuse(expected))
            #expect(acceptor.state == .refused(claimed: hello))
        }
    }

    @Test func theConnectorRefusesAnAcceptorItDidNotDial() {
        var connector = OutboundPeerAuthentication(
            context: Self.node(1, secret: Self.secret), peer: NodeID(0), nonce: Self.nonce(1))
        let answer = Self.node(2, secret: Self.secret).handshake(nonce: Self.nonce(2))
        #expect(
            connector.handshakeResponseReceived(answer) == .refuse(.unexpectedPeer(expected: NodeID(0), got: NodeID(2)))
        )
        var second = OutboundPeerAuthentication(
            context: Self.node(1, secret: Self.secret), peer: NodeID(0), nonce: Self.nonce(1))
        let otherGroup = Self.node(0, secret: Self.secret, group: "other").handshake(nonce: Self.nonce(2))
        #expect(second.handshakeResponseReceived(otherGroup) == .refuse(.foreignGroup("other")))
    }

    @Test func aMissingOrUnexpectedProofIsRefused() {
        let missing = Self.exchange(connector: Self.node(1, secret: nil), acceptor: Self.node(0, secret: Self.secret))
        #expect(missing.acceptorRefusal == .missingProof)
        let unexpected = Self.exchange(
            connector: Self.node(1, secret: Self.secret), acceptor: Self.node(0, secret: nil))
        #expect(unexpected.acceptorRefusal == .unexpectedProof)
    }

    @Test func withoutSecretsOnBothSidesPeersConnectUnauthenticated() {
        let result = Self.exchange(connector: Self.node(1, secret: nil), acceptor: Self.node(0, secret: nil))
        #expect(result.acceptorRefusal == nil && result.connectorRefusal == nil)
        #expect(result.connectorProof == PeerProof(code: []))
        #expect(result.connector.isAuthenticated)
    }

    @Test func raftMessagesAreBoundToTheAuthenticatedPeer() {
        func heartbeat(from: UInt64, to: UInt64) -> Message {
            Message(
                from: NodeID(from), to: NodeID(to), term: Term(50),
                body: .heartbeat(Heartbeat(commit: .zero)))
        }
        var early = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        #expect(
            early.admit(heartbeat(from: 1, to: 0))
                == .outOfOrder("a Raft message before the peer proved the group secret"))

        var waiting = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        _ = waiting.handshakeReceived(Self.node(1, secret: nil).handshake(nonce: Self.nonce(1)), nonce: Self.nonce(2))
        #expect(waiting.admit(heartbeat(from: 1, to: 0)) != nil, "handshake alone is not enough")

        let result = Self.exchange(
            connector: Self.node(1, secret: Self.secret), acceptor: Self.node(0, secret: Self.secret))
        var acceptor = result.acceptor
        #expect(acceptor.admit(heartbeat(from: 1, to: 0)) == nil)
        #expect(acceptor.admit(heartbeat(from: 1, to: 2)) == .misdirected(to: NodeID(2)))
        #expect(acceptor.admit(heartbeat(from: 1, to: 0)) != nil, "a refusal is final")

        var other = Self.exchange(
            connector: Self.node(1, secret: Self.secret), acceptor: Self.node(0, secret: Self.secret)
        )
        .acceptor
        #expect(other.admit(heartbeat(from: 2, to: 0)) == .impersonation(claimed: NodeID(2), authenticated: NodeID(1)))
    }

    @Test func framesOutOfOrderAreRefused() {
        var acceptor = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        #expect(acceptor.proofReceived(PeerProof(code: [])) == .refuse(.outOfOrder("a proof outside the handshake")))

        var twice = InboundPeerAuthentication(context: Self.node(0, secret: Self.secret))
        let hello = Self.node(1, secret: nil).handshake(nonce: Self.nonce(1))
        _ = twice.handshakeReceived(hello, nonce: Self.nonce(2))
        #expect(twice.handshakeReceived(hello, nonce: Self.nonce(3)) == .refuse(.outOfOrder("a second handshake")))

        var connector = OutboundPeerAuthentication(
            context: Self.node(1, secret: Self.secret), peer: NodeID(0), nonce: Self.nonce(1))
        #expect(connector.proofReceived(PeerProof(code: [])) == .outOfOrder("a proof outside the handshake"))
    }

    /// The proof layout documented in SECURITY.md and PROTOCOL.md, pinned by a value computed
    /// independently with Python: hmac.new(secret, label + nonces + group + ids, "sha256").
    @Test func theProofLayoutIsTheDocumentedOne() {
        let exchange = PeerExchange(
            connector: NodeID(1), acceptor: NodeID(0), connectorNonce: Self.nonce(1), acceptorNonce: Self.nonce(2))
        let code = PeerProofCode.compute(secret: Self.secret, prover: .connector, group: "test", exchange)
        #expect(hex(code) == PeerAuthenticationTests.pythonConnectorProof)
    }

    static let pythonConnectorProof = "a38065e92092185a14eb86cdf68e779e023ddf51a5d12233203218bd869c6dca"
}
