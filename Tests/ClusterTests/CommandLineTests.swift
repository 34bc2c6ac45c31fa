import Foundation
import LedgerClient
import LedgerConfig
import Posix
import Raft
import Testing

@testable import LedgerLocalGroup

/// The `ledger` executable against a live group: the contracts scripts rely on (output lines,
/// JSON fields, exit codes), and configuration errors at node start.
@Suite(.serialized)
struct CommandLineTests {
    @Test("status --json, append, get, transfer-leader through the ledger executable")
    func clientCommands() throws {
        let fixture = try ClusterFixture()
        let leader = try fixture.awaitLeader()

        let status = try fixture.ledger(["status", "--json"])
        #expect(status.status == .exited(0), "stderr: \(status.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stdout)")
        #expect(object["group"] as? String == "test")
        #expect(object["leader"] as? String == leader.peer.name)
        #expect(object["term"] as? Int == Int(leader.term.rawValue))
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["id"] as? String } == ["n0", "n1", "n2"])
        for node in nodes {
            for key in ["id", "address", "up", "role", "term", "leader", "lastIndex", "commitIndex", "appliedIndex"] {
                #expect(node[key] != nil, "node \(node["id"] ?? "?") lacks \(key)")
            }
            #expect(node["up"] as? Bool == true)
            #expect(node["firstIndex"] as? Int == 1, "nothing was compacted yet")
            // Measured within the node's first second: the test directory's disk, 0-1.
            let disk = node["diskUsedRatio"] as? Double
            #expect(disk.map { $0 > 0 && $0 <= 1 } ?? (node["diskUsedRatio"] is NSNull), "\(node)")
        }

        let one = try fixture.ledger(["append", "--data", "hello world"])
        #expect(one.status == .exited(0), "stderr: \(one.stderr)")
        let index = try #require(UInt64(one.stdout.trimmingCharacters(in: .newlines)), "stdout: \(one.stdout)")
        let many = try fixture.ledger(["append"], stdin: "alpha\nbeta\ngamma\n")
        #expect(many.status == .exited(0), "stderr: \(many.stderr)")
        let indexes = many.stdout.split(separator: "\n").compactMap { UInt64($0) }
        #expect(indexes == [index + 1, index + 2, index + 3], "stdout: \(many.stdout)")

        let get = try fixture.ledger(["get", "--index", "\(index)"])
        #expect(
            get.status == .exited(0) && get.stdout == "hello world\n", "stdout: \(get.stdout), stderr: \(get.stderr)")
        let getJSON = try fixture.ledger(["get", "--index", "\(index + 2)", "--json"])
        let entry = try #require(
            try JSONSerialization.jsonObject(with: Data(getJSON.stdout.utf8)) as? [String: Any], "\(getJSON.stdout)")
        #expect(entry["index"] as? Int == Int(index + 2))
        #expect(entry["term"] as? Int == Int(leader.term.rawValue))
        #expect(entry["data"] as? String == "beta")
        let beyond = try fixture.ledger(["get", "--index", "1000", "--timeout", "1000"])
        #expect(beyond.status == .exited(1), "stderr: \(beyond.stderr)")

        let target = try #require(fixture.peers.first { $0.id != leader.peer.id })
        let transfer = try fixture.ledger(["transfer-leader", "--to", target.name])
        #expect(transfer.status == .exited(0), "stderr: \(transfer.stderr)")
        #expect(transfer.stdout.hasPrefix("leader \(target.name), term "), "stdout: \(transfer.stdout)")
        let after = try fixture.awaitLeader()
        #expect(after.peer == target && after.term > leader.term)
    }

    @Test("usage errors exit 2 with one line on stderr")
    func usageErrors() throws {
        let fixture = try ClusterFixture(start: false)
        for arguments in [
            ["status", "--bogus"], ["get"], ["get", "--index", "zero"], ["frobnicate"], ["append", "--data"],
        ] {
            let result = try fixture.ledger(arguments, withPeers: false)
            #expect(result.status == .exited(2), "ledger \(arguments): \(result.status)")
            #expect(result.stderr.split(separator: "\n").count == 1, "ledger \(arguments): \(result.stderr)")
        }
        let badPeers = try fixture.ledger(["status", "--peers", "n0-127.0.0.1:99999"], withPeers: false)
        #expect(badPeers.status == .exited(2))
        #expect(badPeers.stderr.contains("--peers: expected a port from 1 to 65535"), "\(badPeers.stderr)")
    }

    @Test("a node config error exits 2 with one line naming the file and line")
    func configErrors() throws {
        let fixture = try ClusterFixture(start: false)
        let path = fixture.cluster.configPath(NodeID(0))
        let good = String(decoding: try readFile(path), as: UTF8.self)

        let unknownKeyPath = "\(fixture.directory)/unknown-key.conf"
        try writeFile(unknownKeyPath, Array((good + "electionTimeout=100\n").utf8))
        let unknownKey = try fixture.ledger(["server", "-c", unknownKeyPath], withPeers: false)
        #expect(unknownKey.status == .exited(2))
        let lineNumber = good.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(
            unknownKey.stderr.hasPrefix("ledger: \(unknownKeyPath):\(lineNumber): unknown key \"electionTimeout\""),
            "\(unknownKey.stderr)")
        #expect(unknownKey.stderr.split(separator: "\n").count == 1, "\(unknownKey.stderr)")

        let port = fixture.peers[0].port
        let squatter = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: port))
        defer { squatter.close() }
        let inUse = try fixture.ledger(["server", "-c", path], withPeers: false)
        #expect(inUse.status == .exited(2))
        // The node logs its log-store recovery before it binds the port, so the error is the
        // last line rather than the only one.
        let lastLine = inUse.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(
            lastLine == "ledger: \(path): address 127.0.0.1:\(port) is already in use (another node running?)",
            "\(inUse.stderr)")
        #expect(inUse.stderr.split(separator: "\n").count { $0.hasPrefix("ledger:") } == 1, "\(inUse.stderr)")
    }
}
