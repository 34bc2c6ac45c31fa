import LedgerConfig
import Raft
import Testing

/// `listenPort`, `namesrvPort` and `remotingPeers`: the RocketMQ front end's keys.
@Suite struct RemotingConfigTests {
    static let remoting = """
        listenPort=30911
        namesrvPort=9876
        remotingPeers=n0-127.0.0.1:30911;n1-127.0.0.1:30921;n2-127.0.0.1:30931
        """

    @Test func theThreeKeysTogetherConfigureTheFrontEnd() throws {
        let config = try NodeConfig.parse(requiredLines + "\n" + Self.remoting, source: "t.conf")
        #expect(config.listenPort == 30911 && config.namesrvPort == 9876)
        #expect(config.remotingPeers.map(\.address) == ["127.0.0.1:30911", "127.0.0.1:30921", "127.0.0.1:30931"])
        #expect(config.remotingPeer(NodeID(2))?.port == 30931)
        let none = try NodeConfig.parse(requiredLines, source: "t.conf")
        #expect(none.listenPort == nil && none.namesrvPort == nil && none.remotingPeers.isEmpty)
    }

    @Test func theShippedConfigsServeRocketMQOnTheirOwnPorts() throws {
        for (node, listen, namesrv) in [(0, 30911, 9876), (1, 30921, 9877), (2, 30931, 9878)] {
            let config = try NodeConfig.load(path: "\(repositoryRoot)/conf/n\(node).conf")
            #expect(config.listenPort == listen && config.namesrvPort == namesrv)
            #expect(config.remotingPeers.count == 3)
        }
    }

    @Test func mistakesAreNamedWithTheirKey() {
        let peers = "remotingPeers=n0-127.0.0.1:30911;n1-127.0.0.1:30921;n2-127.0.0.1:30931"
        #expect(
            errorMessage(requiredLines + "\nlistenPort=30911")
                == #"conf/n0.conf:5: listenPort: expected remotingPeers beside it: every member's remoting address, such as n0-127.0.0.1:30911, got "30911""#
        )
        #expect(
            errorMessage(requiredLines + "\nnamesrvPort=9876")
                == #"conf/n0.conf:5: namesrvPort: expected no value unless listenPort is set, got "9876""#)
        #expect(
            errorMessage(requiredLines + "\nlistenPort=40911\n" + peers)
                == #"conf/n0.conf:5: listenPort: expected a port other than peers's (40911), got "40911""#)
        #expect(
            errorMessage(requiredLines + "\nlistenPort=30911\nnamesrvPort=30911\n" + peers)
                == #"conf/n0.conf:6: namesrvPort: expected a port other than listenPort's (30911), got "30911""#)
        #expect(
            errorMessage(requiredLines + "\nlistenPort=30912\n" + peers)
                == #"conf/n0.conf:6: remotingPeers: expected listenPort (30912) as n0's port, got "n0-127.0.0.1:30911;n1-127.0.0.1:30921;n2-127.0.0.1:30931""#
        )
        #expect(
            errorMessage(requiredLines + "\nlistenPort=30911\nremotingPeers=n0-127.0.0.1:30911;n1-127.0.0.1:30921")
                == #"conf/n0.conf:6: remotingPeers: expected one entry for each id in peers (n0, n1, n2), got "n0-127.0.0.1:30911;n1-127.0.0.1:30921""#
        )
    }
}
