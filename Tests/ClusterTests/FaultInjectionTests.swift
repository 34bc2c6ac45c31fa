import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Testing
import Wire

/// The test-only partition hook the chaos runner uses: a node told to drop a peer's Raft traffic
/// behaves as if the network between them were cut.
@Suite(.serialized)
struct FaultInjectionTests {
    @Test("an isolated leader steps down, the majority elects another, healing reunites them")
    func isolatedLeader() throws {
        let fixture = try ClusterFixture(serverFlags: ["--fault-injection"])
        let leader = try fixture.awaitLeader()
        let before = try fixture.appendEntries("before-", count: 5)
        let others = fixture.peers.filter { $0.id != leader.peer.id }
        try fixture.client.isolate(leader.peer, from: others.map(\.id))
        for peer in others { try fixture.client.isolate(peer, from: [leader.peer.id]) }

        let successor = try fixture.awaitLeader(excluding: leader.peer.id)
        #expect(successor.term > leader.term)
        try fixture.eventually("the isolated leader stepping down (check-quorum)") {
            status(of: leader.peer, in: fixture)?.role == .follower
        }
        let during = try fixture.appendEntries("during-", count: 5)

        for peer in fixture.peers { try fixture.client.isolate(peer, from: []) }
        try fixture.eventually("the old leader catching up after the heal") {
            guard let status = status(of: leader.peer, in: fixture) else { return false }
            return status.commit >= during.last!.0 && status.role == .follower
        }
        try fixture.expectReadable(before + during)
    }

    @Test("without --fault-injection the hook is refused")
    func refusedByDefault() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        let node = fixture.peers[0]
        do {
            try fixture.client.isolate(node, from: [fixture.peers[1].id])
            Issue.record("a node without --fault-injection accepted a partition request")
        } catch {
            #expect(error.description.contains("fault injection is disabled"))
        }
    }

    /// The node's status, or nil while it does not answer (the caller polls).
    private func status(of peer: Peer, in fixture: ClusterFixture) -> StatusResponse? {
        do {
            return try fixture.client.status(of: peer)
        } catch {
            return nil
        }
    }
}
