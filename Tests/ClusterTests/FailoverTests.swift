import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing
import Wire

@testable import LedgerLocalGroup

/// The seed story and the other process-level scenarios: three real `ledger server` processes
/// on free loopback ports, killed and restarted. Deadlines are generous (CI is a busy 2-core
/// machine); nothing waits on a fixed sleep.
@Suite(.serialized)
struct FailoverTests {
    @Test("kill -9 the leader, then the next one: no quorum; restart one: a leader again, nothing lost")
    func seedStory() throws {
        let fixture = try ClusterFixture()
        let first = try fixture.awaitLeader()
        var acknowledged = try fixture.appendEntries("before-", count: 20)

        fixture.cluster.kill(first.peer.id)
        let second = try fixture.awaitLeader(excluding: first.peer.id)
        #expect(second.term > first.term)
        acknowledged += try fixture.appendEntries("after-first-kill-", count: 10)
        try fixture.expectReadable(acknowledged)

        fixture.cluster.kill(second.peer.id)
        let lonely = LedgerClient(peers: fixture.peers, options: LedgerClientOptions(timeout: .seconds(2)))
        let error = #expect(throws: LedgerClientError.self) { try lonely.append(Array("lost?".utf8)) }
        #expect(error?.description.hasPrefix("no quorum:") == true, "\(String(describing: error))")

        let append = try fixture.ledger(["append", "--data", "lost?", "--timeout", "2000"])
        #expect(append.status == .exited(3), "stderr: \(append.stderr)")
        #expect(append.stderr.hasPrefix("ledger append: no quorum:"), "stderr: \(append.stderr)")
        #expect(append.stderr.split(separator: "\n").count == 1, "stderr: \(append.stderr)")
        let status = try fixture.ledger(["status"])
        #expect(status.status == .exited(3), "stdout: \(status.stdout)")
        #expect(status.stdout.contains("NO LEADER"), "stdout: \(status.stdout)")
        #expect(status.stdout.contains("DOWN"), "stdout: \(status.stdout)")

        try fixture.cluster.start(first.peer.id)
        let third = try fixture.awaitLeader()
        #expect(third.term > second.term)
        try fixture.expectReadable(acknowledged)
        acknowledged += try fixture.appendEntries("after-restart-", count: 5)
        try fixture.expectReadable(acknowledged)
    }

    @Test("SIGTERM exits 0 and a restart recovers every entry")
    func sigtermAndRestart() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        let acknowledged = try fixture.appendEntries("durable-", count: 15)
        for peer in fixture.peers {
            let status = fixture.cluster.terminate(peer.id, timeout: .seconds(15))
            #expect(status == .exited(0), "\(peer.name) after SIGTERM: \(String(describing: status))\n\(fixture.logs)")
        }
        try fixture.cluster.startAll()
        _ = try fixture.awaitLeader()
        try fixture.expectReadable(acknowledged)
    }

    @Test("a follower down during writes catches up after its restart")
    func followerCatchesUp() throws {
        let fixture = try ClusterFixture()
        let leader = try fixture.awaitLeader()
        _ = try fixture.appendEntries("warm-up-", count: 5)
        let follower = try #require(fixture.peers.first { $0.id != leader.peer.id })
        fixture.cluster.kill(follower.id)
        let acknowledged = try fixture.appendEntries("while-down-", count: 40)

        try fixture.cluster.start(follower.id)
        try fixture.eventually("\(follower.name) catching up with the leader") {
            let view = fixture.client.statusAll()
            guard let leader = view.leader,
                let leaderStatus = view.nodes.first(where: { $0.peer == leader.peer })?.response,
                let followerStatus = view.nodes.first(where: { $0.peer == follower })?.response
            else { return false }
            return followerStatus.lastIndex == leaderStatus.lastIndex && followerStatus.commit == leaderStatus.commit
                && followerStatus.lastIndex >= acknowledged.last!.0
        }
        try fixture.expectReadable(acknowledged)
    }
}
