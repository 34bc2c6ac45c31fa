import LedgerConfig
import LedgerModel
import Posix
import Replica
import Server
import Testing

/// `ServerOptions(config:source:randomSeed:)`: what a node's config file gives its runtime.
@Suite struct ServerOptionsConfigTests {
    @Test func retentionKeysReachTheReplica() throws {
        let text = """
            group=ledger
            selfId=n0
            peers=n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913
            storeBaseDir=run/data/n0
            fileReservedTime=30m
            deleteWhen=16;04
            diskMaxUsedSpaceRatio=60
            diskSpaceCleanForciblyRatio=70
            diskSpaceWarningLevelRatio=80
            """
        let config = try NodeConfig.parse(text, source: "t.conf")
        let options = try ServerOptions(config: config, source: "t.conf", randomSeed: 1)
        let retention = options.replica.retention
        #expect(retention.fileReservedMilliseconds == 1_800_000)
        #expect(retention.deleteWhenHours == [4, 16])
        #expect(retention.diskMaxUsedSpaceRatio == 60)
        #expect(retention.diskSpaceCleanForciblyRatio == 70)
        #expect(options.replica.diskSpaceWarningLevelRatio == 80)
        #expect(retention.utcOffsetSeconds == WallClock.now().utcOffsetSeconds)
    }

    /// A record's store host is where RocketMQ clients reach the node: its listenPort when it has
    /// one (rocketmq-client-cpp 1.x sends CONSUMER_SEND_MSG_BACK there), else its peer address.
    @Test func storeHostIsTheRemotingFrontEnd() throws {
        let base = """
            group=ledger
            selfId=n1
            peers=n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913
            storeBaseDir=run/data/n1
            """
        let plain = try ServerOptions(config: NodeConfig.parse(base, source: "t.conf"), source: "t.conf", randomSeed: 1)
        #expect(plain.replica.storeHost == HostAddress(ipv4: 127, 0, 0, 1, port: 40912))
        let remoting = """
            \(base)
            listenPort=30921
            remotingPeers=n0-127.0.0.1:30911;n1-127.0.0.1:30921;n2-127.0.0.1:30931
            """
        let broker = try ServerOptions(
            config: NodeConfig.parse(remoting, source: "t.conf"), source: "t.conf", randomSeed: 1)
        #expect(broker.replica.storeHost == HostAddress(ipv4: 127, 0, 0, 1, port: 30921))
    }
}
