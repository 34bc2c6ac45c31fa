import FoundationEssentials
import LedgerConfig
import LedgerModel
import Raft
import Testing

@Suite struct NodeConfigTests {
    @Test func requiredKeysAloneGiveTheDefaults() throws {
        let config = try NodeConfig.parse(requiredLines, source: "test.conf")
        #expect(config.group == "ledger")
        #expect(config.selfPeer == Peer(name: "n0", id: NodeID(0), host: "127.0.0.1", port: 40911))
        #expect(config.peers.map(\.name) == ["n0", "n1", "n2"])
        #expect(config.otherPeers.map(\.id) == [NodeID(1), NodeID(2)])
        #expect(config.peer(NodeID(2))?.address == "127.0.0.1:40913")
        #expect(config.storeBaseDir == "run/data/n0")
        #expect(config.flushDiskType == .sync)
        #expect(config.flushIntervalMs == 10)
        #expect(config.tickMs == 10)
        #expect(config.heartbeatIntervalMs == 50)
        #expect(config.electionTimeoutMinMs == 150)
        #expect(config.electionTimeoutMaxMs == 300)
        #expect(config.proposalTimeoutMs == 2000)
        #expect(config.preferredLeader == nil)
        #expect(config.dataFileSize == 1 << 30)
        #expect(config.maxMessageSize == 4 << 20)
        #expect(config.maxInflightBytesPerFollower == 8 << 20)
        #expect(config.maxUncommittedBytes == 64 << 20)
        #expect(config.raftConfig(randomSeed: 1).maxUncommittedBytes == 64 << 20)
        #expect(config.defaultTopicQueueNums == 4)
        #expect(config.fileReservedTimeMs == 72 * 3_600_000)
        #expect(config.deleteWhenHours == [4])
        #expect(config.diskMaxUsedSpaceRatio == 75)
        #expect(config.diskSpaceCleanForciblyRatio == 85)
        #expect(config.diskSpaceWarningLevelRatio == 90)
        #expect(config.sendTimeoutMs == 3000)
        #expect(config.adminPort == nil)
        #expect(config.adminAddress == "127.0.0.1")
        #expect(config.clusterSecretFile == nil)
    }

    @Test func commentsBlankLinesWhitespaceAndCRLFAreIgnored() throws {
        let text =
            "# a comment\r\n\r\n   \t\r\n  group = ledger  \r\n\t# indented comment\r\n"
            + "selfId=n1\r\npeers =  n0-a:1 ; n1-b:2 ;\r\nstoreBaseDir= /var/lib/ledger data \r\n"
            + "clusterSecretFile = /etc/ledger/secret \r\n"
        let config = try NodeConfig.parse(text, source: "crlf.conf")
        #expect(config.group == "ledger")
        #expect(config.selfPeer.name == "n1")
        #expect(config.peers.map(\.address) == ["a:1", "b:2"])
        #expect(config.storeBaseDir == "/var/lib/ledger data")
        #expect(config.clusterSecretFile == "/etc/ledger/secret")
    }

    @Test func everyKeyCanBeSet() throws {
        let text = """
            \(requiredLines)
            flushDiskType=ASYNC_FLUSH
            flushIntervalMs=500
            tickMs=5
            heartbeatIntervalMs=25
            electionTimeoutMinMs=100
            electionTimeoutMaxMs=200
            proposalTimeoutMs=1000
            preferredLeaderId=n2
            dataFileSize=64 MiB
            maxMessageSize=512KiB
            maxInflightBytesPerFollower=2MiB
            defaultTopicQueueNums=8
            fileReservedTime=48
            deleteWhen=16;04
            diskMaxUsedSpaceRatio=70
            diskSpaceCleanForciblyRatio=80
            diskSpaceWarningLevelRatio=95
            sendTimeoutMs=5000
            adminPort=8081
            adminAddress=0.0.0.0
            clusterSecretFile=run/cluster.secret
            """
        let config = try NodeConfig.parse(text, source: "all.conf")
        #expect(config.flushDiskType == .async)
        #expect(config.flushIntervalMs == 500)
        #expect(config.tickMs == 5)
        #expect(config.heartbeatIntervalMs == 25)
        #expect(config.electionTimeoutMinMs == 100)
        #expect(config.electionTimeoutMaxMs == 200)
        #expect(config.proposalTimeoutMs == 1000)
        #expect(config.preferredLeader?.id == NodeID(2))
        #expect(config.dataFileSize == 64 << 20)
        #expect(config.maxMessageSize == 512 << 10)
        #expect(config.maxInflightBytesPerFollower == 2 << 20)
        #expect(config.defaultTopicQueueNums == 8)
        #expect(config.fileReservedTimeMs == 48 * 3_600_000)
        #expect(config.deleteWhenHours == [4, 16])
        #expect(config.diskMaxUsedSpaceRatio == 70)
        #expect(config.diskSpaceCleanForciblyRatio == 80)
        #expect(config.diskSpaceWarningLevelRatio == 95)
        #expect(config.sendTimeoutMs == 5000)
        #expect(config.adminPort == 8081)
        #expect(config.adminAddress == "0.0.0.0")
        #expect(config.clusterSecretFile == "run/cluster.secret")

        let raft = config.raftConfig(randomSeed: 7)
        #expect(raft.id == NodeID(0))
        #expect(raft.voters == [NodeID(0), NodeID(1), NodeID(2)])
        #expect(raft.electionTimeoutTicks == 20...40)
        #expect(raft.heartbeatIntervalTicks == 5)
        #expect(raft.proposalTimeoutTicks == 200)
        #expect(raft.maxEntryBytes == 512 << 10)
        #expect(raft.maxInflightBytes == 2 << 20)
        #expect(raft.preferredLeader == NodeID(2))
        #expect(raft.randomSeed == 7)
        try raft.validate()

        let messages = config.commitLogConfiguration
        #expect(messages.commitLogFileSize == 64 << 20)
        #expect(messages.defaultTopicQueueNums == 8)
        #expect(messages.maxMessageSize == 512 << 10)
        try messages.validate()
    }

    @Test func anEmptyPreferredLeaderMeansNone() throws {
        let config = try NodeConfig.parse(requiredLines + "\npreferredLeaderId=", source: "t.conf")
        #expect(config.preferredLeader == nil)
    }

    @Test func sizesAcceptBytesAndBinarySuffixes() throws {
        for (text, bytes) in [
            ("8388608", 8 << 20), ("8MiB", 8 << 20), ("8 mib", 8 << 20), ("2GiB", 2 << 30), ("5120KiB", 5 << 20),
            ("4194305B", (4 << 20) + 1),
        ] {
            let config = try NodeConfig.parse(requiredLines + "\ndataFileSize=\(text)", source: "t.conf")
            #expect(config.dataFileSize == bytes, "\(text)")
        }
    }

    @Test(arguments: 0..<3) func clusterConfigFilesParse(node: Int) throws {
        let path = "\(repositoryRoot)/conf/n\(node).conf"
        let config = try NodeConfig.load(path: path)
        #expect(config.group == "ledger")
        #expect(config.selfPeer.name == "n\(node)")
        #expect(config.selfPeer.id == NodeID(UInt64(node)))
        #expect(config.selfPeer.address == "127.0.0.1:\(40911 + node)")
        #expect(config.peers.map(\.address) == ["127.0.0.1:40911", "127.0.0.1:40912", "127.0.0.1:40913"])
        #expect(config.storeBaseDir == "run/data/n\(node)")
        #expect(config.clusterSecretFile == "run/cluster.secret", "make cluster creates it; resolved like storeBaseDir")
        #expect(config.flushDiskType == .sync)
        let raft = config.raftConfig(randomSeed: UInt64(node))
        #expect(raft.electionTimeoutTicks == 15...30)
        #expect(raft.heartbeatIntervalTicks == 5)
        try raft.validate()
    }

    @Test func configDocumentListsEveryKey() throws {
        let path = "\(repositoryRoot)/Sources/LedgerConfig/CONFIG.md"
        let document = try String(contentsOf: URL(filePath: path), encoding: .utf8)
        for key in NodeConfig.Key.allCases {
            #expect(document.contains("| `\(key.rawValue)`"), "CONFIG.md has no row for \(key.rawValue)")
        }
    }

    @Test func missingFileIsReportedWithItsPath() {
        #expect(
            throws: ConfigError(
                source: "/nonexistent/n9.conf", line: nil, problem: .unreadable("No such file or directory"))
        ) {
            try NodeConfig.load(path: "/nonexistent/n9.conf")
        }
        let message = ConfigError(
            source: "/nonexistent/n9.conf", line: nil, problem: .unreadable("No such file or directory"))
        #expect(message.description == "/nonexistent/n9.conf: cannot read the file: No such file or directory")
    }
}
