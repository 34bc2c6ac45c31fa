import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing
import Wire

@testable import LedgerLocalGroup
@testable import Server

/// Peer authentication against real processes: a group started with a secret (as every
/// ``ClusterFixture`` group is) refuses a stray process that claims to be its leader, with no
/// proof or with a proof made from a wrong secret; the forged Raft messages never reach the
/// core (the term does not move), the connection is closed and the refusal logged. A member
/// started with another secret never joins; a loopback group without a secret runs and warns;
/// a node whose secret file others can read refuses to start.
@Suite(.serialized)
struct PeerAuthenticationClusterTests {
    /// The term the forged messages carry: far above anything a test group reaches by itself.
    static let forgedTerm = Term(1000)

    /// The frames of the issue's attack: three `raftTimeoutNow` and three `raftHeartbeat` in
    /// `claimed`'s name with a high term, addressed to `target`.
    static func forgedRaftMessages(from claimed: Peer, to target: Peer) -> [WireMessage] {
        var messages: [WireMessage] = []
        for round in 0..<3 {
            let term = Term(forgedTerm.rawValue + UInt64(round))
            let timeout = Message(from: claimed.id, to: target.id, term: term, body: .timeoutNow)
            let heartbeat = Message(
                from: claimed.id, to: target.id, term: term, body: .heartbeat(Heartbeat(commit: .zero)))
            messages.append(.raft(timeout))
            messages.append(.raft(heartbeat))
        }
        return messages
    }

    /// A handshake in `claimed`'s name with a fresh nonce.
    static func handshake(claiming claimed: Peer) throws -> PeerHandshake {
        let nonce: [UInt8] = try SystemRandom.bytes(count: PeerHandshake.nonceByteCount)
        return PeerHandshake(group: "test", nodeID: claimed.id, nodeName: claimed.name, nonce: nonce)
    }

    @Test("a stray process without the secret is refused and the term does not move")
    func strayPeerIsRefused() throws {
        let fixture = try ClusterFixture()
        let leader: LeaderInfo = try fixture.awaitLeader()
        let followers: [Peer] = fixture.peers.filter { $0.id != leader.peer.id }
        let first: Peer = followers[0]
        let second: Peer = followers[1]

        // (a) A handshake claiming to be the leader, then Raft frames without any proof.
        let noProof = try StrayPeer(connectingTo: first)
        let hello: PeerHandshake = try Self.handshake(claiming: leader.peer)
        try noProof.send([.handshakeRequest(hello)])
        let answer: WireMessage? = try noProof.receive()
        guard case .handshakeResponse(let response) = answer else {
            Issue.record("expected a handshake response (a challenge), got \(String(describing: answer))")
            return
        }
        #expect(response.nodeID == first.id && response.nonce.count == 32)
        try noProof.send(Self.forgedRaftMessages(from: leader.peer, to: first))
        #expect(try noProof.closedByNode(), "the node closes a connection that sends Raft frames before its proof")

        // (b) A proof made from a wrong secret, followed by the same frames.
        let wrongSecret = try StrayPeer(connectingTo: second)
        let secondHello: PeerHandshake = try Self.handshake(claiming: leader.peer)
        try wrongSecret.send([.handshakeRequest(secondHello)])
        let secondAnswer: WireMessage? = try wrongSecret.receive()
        guard case .handshakeResponse(let challenge) = secondAnswer else {
            Issue.record("expected a handshake response (a challenge), got \(String(describing: secondAnswer))")
            return
        }
        let guess = ClusterSecret(bytes: try SystemRandom.bytes(count: 32))
        let forger = PeerAuthenticationContext(
            group: "test", selfID: leader.peer.id, selfName: leader.peer.name, members: fixture.peers.map(\.id),
            secret: guess)
        let exchange = PeerExchange(
            connector: leader.peer.id, acceptor: second.id, connectorNonce: secondHello.nonce,
            acceptorNonce: challenge.nonce)
        let proof: PeerProof = forger.proof(by: .connector, exchange)
        let frames: [WireMessage] = [.peerProof(proof)] + Self.forgedRaftMessages(from: leader.peer, to: second)
        try wrongSecret.send(frames)
        #expect(try wrongSecret.closedByNode(), "the node closes a connection whose proof is wrong")

        // Give any forged message that got through the time to show (elections take ~300 ms).
        pause(.seconds(1))
        let view: ClusterView = fixture.client.statusAll()
        for node in view.nodes {
            let status = try #require(node.response, "\(node.peer.name) does not answer: \(fixture.logs)")
            #expect(status.term < Self.forgedTerm, "\(node.peer.name) adopted a forged term")
            #expect(status.term == leader.term, "\(node.peer.name) moved from term \(leader.term) to \(status.term)")
            #expect(status.leader == leader.peer.id, "\(node.peer.name) follows another leader")
        }

        let firstLog: String = try log(of: first, in: fixture)
        #expect(
            firstLog.contains(
                "refused a peer connection from 127.0.0.1:"),
            "\(first.name) logs the refusal with the remote address:\n\(firstLog)")
        #expect(
            firstLog.contains(
                "claiming to be \(leader.peer.name) of group \"test\": a Raft message before the peer proved the group secret"
            ),
            "\(firstLog)")
        let secondLog: String = try log(of: second, in: fixture)
        #expect(
            secondLog.contains(
                "claiming to be \(leader.peer.name) of group \"test\": wrong proof: it does not know this group's secret"
            ),
            "\(secondLog)")
        #expect(!firstLog.contains("peers are not authenticated"), "the group runs with its secret")
    }

    @Test("a node whose secret file group or others can read refuses to start with exit code 2")
    func exposedSecretStopsTheNode() throws {
        let fixture = try ClusterFixture(start: false)
        let secretPath: String = fixture.cluster.secretPath
        try setPermissions(secretPath, 0o644)
        let path: String = fixture.cluster.configPath(NodeID(0))
        let result = try fixture.ledger(["server", "-c", path], withPeers: false)
        #expect(result.status == .exited(2), "\(result.stderr)")
        let expected =
            "clusterSecretFile: the secret file \"\(secretPath)\" is accessible to group or others (mode 0644); "
            + "make it readable by its owner only (chmod 600)"
        #expect(result.stderr.hasPrefix("ledger: \(path):"), "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
    }

    @Test("a member started with another secret never joins; the others run without it")
    func memberWithAnotherSecretStaysOut() throws {
        let fixture = try ClusterFixture(start: false)
        let outsider: Peer = fixture.peers[2]
        let otherSecret = "\(fixture.directory)/other.secret"
        try writeFile(otherSecret, try SystemRandom.bytes(count: 32), mode: 0o600)
        let configPath: String = fixture.cluster.configPath(outsider.id)
        let config = String(decoding: try readFile(configPath), as: UTF8.self)
        let line = "clusterSecretFile=\(fixture.cluster.secretPath)\n"
        #expect(config.contains(line))
        try writeFile(
            configPath, Array(config.replacingOccurrences(of: line, with: "clusterSecretFile=\(otherSecret)\n").utf8))
        try fixture.cluster.startAll()

        let leader: LeaderInfo = try fixture.awaitLeader()
        #expect(leader.peer.id != outsider.id)
        let index: LogIndex = try fixture.client.append(Array("without n2".utf8))
        pause(.seconds(1))
        let status = try fixture.client.status(of: outsider)
        #expect(status.leader == nil, "n2 follows no one: \(fixture.logs)")
        #expect(status.lastIndex < index, "nothing was replicated to n2")

        let leaderLog: String = try log(of: leader.peer, in: fixture)
        #expect(
            leaderLog.contains(
                "claiming to be n2 of group \"test\": wrong proof: it does not know this group's secret"),
            "\(leaderLog)")
        #expect(
            leaderLog.contains("closed by peer during authentication (do both nodes use the same clusterSecretFile?)"),
            "\(leaderLog)")
        let outsiderLog: String = try log(of: outsider, in: fixture)
        #expect(outsiderLog.contains("wrong proof: it does not know this group's secret"), "\(outsiderLog)")
        #expect(!outsiderLog.contains("up (authenticated)"), "\(outsiderLog)")
    }

    @Test("a loopback group without a secret runs unauthenticated and says so once at start")
    func loopbackGroupWithoutSecret() throws {
        let fixture = try ClusterFixture(start: false)
        for peer in fixture.peers {
            let path: String = fixture.cluster.configPath(peer.id)
            let config = String(decoding: try readFile(path), as: UTF8.self)
            let line = "clusterSecretFile=\(fixture.cluster.secretPath)\n"
            try writeFile(path, Array(config.replacingOccurrences(of: line, with: "").utf8))
        }
        try fixture.cluster.startAll()
        let leader: LeaderInfo = try fixture.awaitLeader()
        _ = try fixture.client.append(Array("unauthenticated".utf8))
        let leaderLog: String = try log(of: leader.peer, in: fixture)
        let warnings = leaderLog.split(separator: "\n").count {
            $0.contains("WARN") && $0.contains("peers are not authenticated")
        }
        #expect(warnings == 1, "\(leaderLog)")
        #expect(leaderLog.contains("(unauthenticated)"), "\(leaderLog)")
    }

    /// Node `peer`'s log so far.
    private func log(of peer: Peer, in fixture: ClusterFixture) throws -> String {
        String(decoding: try readFile(fixture.cluster.logPath(peer.id)), as: UTF8.self)
    }
}
