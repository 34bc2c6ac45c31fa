import LedgerConfig
import Posix
import Raft
import TestSupport
import Testing

@testable import LedgerLocalGroup

/// A local group's set-up, without starting any node.
@Suite struct LocalGroupTests {
    @Test func writesOneConfigPerNodeOnDistinctFreePorts() throws {
        let scratch = try TemporaryDirectory(prefix: "local-group-test")
        defer { #expect(throws: Never.self) { try scratch.remove() } }
        let group = try LocalGroup(
            binary: "/bin/false", directory: scratch.path, settings: ["dataFileSize=8MiB"],
            serverFlags: ["--fault-injection"])
        #expect(group.peers.map(\.name) == ["n0", "n1", "n2"])
        #expect(Set(group.peers.map(\.port)).count == 3)
        #expect(group.peers.allSatisfy { (20_000...31_999).contains(Int($0.port)) })

        let config = try NodeConfig.load(path: group.configPath(NodeID(1)))
        #expect(config.peers == group.peers)
        #expect(config.group == "test")
        let text = String(decoding: try readFile(group.configPath(NodeID(1))), as: UTF8.self)
        #expect(text.contains("selfId=n1\n") && text.hasSuffix("dataFileSize=8MiB\n"))
        #expect(text.contains("storeBaseDir=\(scratch.path)/data/n1\n"))
        #expect(!group.isRunning(NodeID(0)) && group.pid(of: NodeID(0)) == nil)

        #expect(config.clusterSecretFile == group.secretPath)
        let secret = try #require(try config.loadClusterSecret(source: group.configPath(NodeID(1))))
        #expect(secret.bytes.count == 32, "a group secret the node accepts: owner-only, 32 random bytes")
    }

    @Test func twoGroupsOfOneProcessNeverShareAPort() throws {
        let scratch = try TemporaryDirectory(prefix: "local-group-test")
        defer { #expect(throws: Never.self) { try scratch.remove() } }
        try makeDirectories("\(scratch.path)/a")
        try makeDirectories("\(scratch.path)/b")
        let first = try LocalGroup(binary: "/bin/false", directory: "\(scratch.path)/a")
        let second = try LocalGroup(binary: "/bin/false", directory: "\(scratch.path)/b")
        #expect(Set(first.peers.map(\.port)).isDisjoint(with: second.peers.map(\.port)))
    }
}
