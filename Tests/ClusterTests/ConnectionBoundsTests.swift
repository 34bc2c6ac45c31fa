import LedgerClient
import LedgerConfig
import Posix
import Raft
import Testing
import Wire

@testable import LedgerLocalGroup

/// What a hostile or broken process can hold of a real node: connections beyond
/// `maxConnections` are closed as they are accepted, and connections that send part of a frame
/// (or nothing) and go silent are closed after `stalledConnectionTimeoutMs`; the group keeps
/// its leader and serves clients throughout, and both refusals are logged and counted.
@Suite(.serialized)
struct ConnectionBoundsTests {
    @Test("connections beyond maxConnections are refused and stalled ones closed; the group serves on")
    func floodOfStalledConnections() throws {
        let fixture = try ClusterFixture(
            adminPorts: true, settings: ["maxConnections=16", "stalledConnectionTimeoutMs=600"])
        let leader = try fixture.awaitLeader()
        let target: Peer = fixture.peers.first { $0.id != leader.peer.id }!
        let before = fixture.client.statusAll()

        // 24 connections to one follower, each sending the first 5 bytes of a frame header. Its
        // two peers' links hold 2 of its 16 slots.
        var flood: [StrayPeer] = []
        for _ in 0..<24 {
            let stray = try StrayPeer(connectingTo: target)
            try stray.socket.writeAll([0, 0, 0, 40, 1])
            flood.append(stray)
        }
        let started = ContinuousClock().now
        var closedAt: [Duration] = []
        for stray in flood {
            #expect(try stray.closedByNode(within: .seconds(5)), "every flooding connection is closed")
            closedAt.append(started.duration(to: ContinuousClock().now))
        }
        print("ConnectionBoundsTests: 24 flooding connections closed within \(closedAt.max() ?? .zero)")

        // The group kept its leader and term, and the flooded node serves clients again.
        let after = fixture.client.statusAll()
        #expect(after.leader?.peer.id == leader.peer.id)
        #expect(after.leader?.term == before.leader?.term)
        let status = try fixture.ledger(["status", "--json"])
        #expect(status.status == .exited(0), "\(status.stderr)")
        _ = try fixture.client.append(Array("after the flood".utf8))

        let log = String(decoding: try readFile(fixture.cluster.logPath(target.id)), as: UTF8.self)
        #expect(log.contains("node port: 16 connections open, the limit (maxConnections); refused a new one"))
        #expect(log.contains("stalled: 5 bytes of an unfinished frame and nothing for"))
        let index = try #require(fixture.peers.firstIndex { $0.id == target.id })
        let metrics = try HTTPProbe.get(port: fixture.cluster.adminPorts[index], "/metrics").body
        #expect(try Self.sample(metrics, #"ledger_connections_refused_total{port="node"}"#) >= 8)
        #expect(try Self.sample(metrics, #"ledger_connections_stalled_total{port="node"}"#) >= 1)
    }

    @Test("a connection that sends nothing at all is closed as stalled; one that finished a request stays")
    func silentConnectionsAreClosedButIdleClientsStay() throws {
        let fixture = try ClusterFixture(settings: ["stalledConnectionTimeoutMs=400"])
        _ = try fixture.awaitLeader()
        let target = fixture.peers[0]
        let silent = try StrayPeer(connectingTo: target)
        let client = try StrayPeer(connectingTo: target)
        try client.send([.statusRequest])
        guard case .statusResponse(_) = try client.receive() else {
            Issue.record("expected a status answer")
            return
        }
        #expect(try silent.closedByNode(within: .seconds(5)))
        #expect(try !client.closedByNode(within: .seconds(2)), "an idle client that finished its request stays")
    }

    /// The value of the sample named exactly `name` (with its labels) in Prometheus text.
    static func sample(_ text: String, _ name: String) throws -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1)) ?? -1
        }
        throw FixtureError("no sample \(name) in /metrics")
    }
}
