import Remoting
import Testing

@Suite struct TopicRouteDataTests {
    let route = TopicRouteData(
        brokerDatas: [
            .init(cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: [(0, "127.0.0.1:10911")])
        ],
        queueDatas: [.init(brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: [.read, .write])])

    @Test func standardJSONIsTheReferenceSample() {
        #expect(String(decoding: route.encodedJSON(.standard), as: UTF8.self) == RemotingSamples.standardRoute)
    }

    @Test func fastjsonStyleUnquotesBrokerIDs() {
        // The standard sample with the one difference the reference names: `{0:"ip:port"}`.
        let standard = RemotingSamples.standardRoute
        let quotedKey = RemotingSamples.offset(of: #"{"0":"#, in: standard)
        var expected = Array(standard.utf8)
        expected.removeSubrange(quotedKey + 1...quotedKey + 3)
        expected.insert(UInt8(ascii: "0"), at: quotedKey + 1)
        #expect(
            String(decoding: expected, as: UTF8.self).hasPrefix(
                #"{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"}"#))
        #expect(route.encodedJSON(.fastjson) == expected)
    }

    @Test func brokerAddressesAreWrittenByAscendingID() throws {
        let group = TopicRouteData(
            brokerDatas: [
                .init(cluster: "c", brokerName: "g", brokerAddrs: [(2, "h:3"), (0, "h:1"), (1, "h:2")])
            ], queueDatas: [])
        let json = try JSONParser().parse(group.encodedJSON(.standard))
        guard case .array(let brokers) = json[member: "brokerDatas"]?.kind else {
            Issue.record("no brokerDatas")
            return
        }
        #expect(brokers[0][member: "brokerAddrs"]?.members?.map(\.name) == ["0", "1", "2"])
    }

    @Test func styleFollowsTheRequestVersion() throws {
        #expect(try RouteJSONStyle(for: RemotingCommand(code: 105, version: 63, opaque: 1)) == .fastjson)
        #expect(try RouteJSONStyle(for: RemotingCommand(code: 105, version: 333, opaque: 1)) == .fastjson)
        #expect(try RouteJSONStyle(for: RemotingCommand(code: 105, version: 401, opaque: 1)) == .standard)
        let asked = RemotingCommand(code: 105, version: 63, opaque: 1, extFields: ["acceptStandardJsonOnly": "true"])
        #expect(try RouteJSONStyle(for: asked) == .standard)
    }
}
