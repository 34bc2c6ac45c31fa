import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Remoting
import Testing

@testable import LedgerLocalGroup

/// `ledger bench --remoting` against a running group found through a config file: both rounds
/// store messages without errors and the summary compares them.
@Suite(.serialized)
struct RemotingBenchTests {
    @Test("ledger bench --remoting sends through both ports and prints the comparison")
    func benchComparesBothPorts() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        let config = fixture.cluster.configPath(leader.peer.id)
        let run = try fixture.ledger(
            ["bench", "-c", config, "--remoting", "--producers", "2", "--inflight", "4", "--duration", "500ms"],
            withPeers: false)
        #expect(run.status == .exited(0), "\(run.stdout)\n\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.filter { $0 == "errors:      0" }.count == 2, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("load:        RocketMQ SEND_MESSAGE_V2 through the remoting port") })
        #expect(lines.contains { $0.hasPrefix("remoting 310:") && $0.contains("% of the own protocol's throughput") })
        // The remoting round's messages are in the store, each stored once under its own key.
        let topic = try #require(try fixture.client.topics().first { $0.name == "BenchmarkTest" })
        let stored = topic.queues.reduce(0) { $0 + Int($1.maxOffset.rawValue) }
        let counted = lines.compactMap { line -> Int? in
            guard line.hasPrefix("throughput:"), let open = line.firstIndex(of: "(") else { return nil }
            return Int(line[line.index(after: open)...].prefix { $0.isNumber })
        }
        #expect(counted.count == 2 && stored == counted.reduce(0, +), "stored \(stored), acknowledged \(counted)")

        let withoutBrokers = try fixture.ledger(["bench", "--remoting", "--duration", "200ms"])
        #expect(withoutBrokers.status == .exited(2) && withoutBrokers.stderr.contains("remotingPeers"))
    }
}
