import Bytes
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Remoting
import Testing

@testable import LedgerLocalGroup

/// The RocketMQ front end on a real three-node group, spoken to with raw frames: the embedded
/// NameServers, a request's way through the node core and back as RocketMQ fields, and frames
/// that must close their connection. (`make test-interop` drives the real C++ clients.)
@Suite(.serialized)
struct RemotingFrontEndTests {
    /// The leader's broker port as every running node's NameServer names it, once they all agree.
    static func agreedMaster(_ fixture: ClusterFixture) throws -> String {
        var master = ""
        try fixture.eventually("every NameServer naming one master") {
            let live = zip(fixture.peers, fixture.cluster.nameServerPorts).filter { fixture.cluster.isRunning($0.0.id) }
            let masters = live.map(\.1).map { port -> String? in
                do {
                    let answer = try RemotingProbe(port: port).call(
                        .getRouteInfoByTopic, ["topic": "TBW102", "acceptStandardJsonOnly": "true"])
                    guard answer.responseCode == .success else { return nil }
                    let route = try JSONParser().parse(answer.body)
                    guard
                        case .string(let address) = route[member: "brokerDatas"].flatMap(firstElement)?[
                            member: "brokerAddrs"]?[member: "0"]?.kind
                    else { return nil }
                    return address
                } catch {
                    return nil
                }
            }
            guard let first = masters.first, let address = first, masters.allSatisfy({ $0 == address }) else {
                return false
            }
            master = address
            return true
        }
        return master
    }

    static func firstElement(_ value: JSONValue) -> JSONValue? {
        if case .array(let elements) = value.kind { return elements.first }
        return nil
    }

    @Test("every NameServer names the leader's broker port; invalid topic names are TOPIC_NOT_EXIST")
    func nameServersFollowTheLeader() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        let leaderPosition = Int(leader.peer.id.rawValue)
        #expect(try Self.agreedMaster(fixture) == "127.0.0.1:\(fixture.cluster.brokerPorts[leaderPosition])")
        let follower = (leaderPosition + 1) % 3
        let probe = try RemotingProbe(port: fixture.cluster.nameServerPorts[follower])
        // A topic the store does not hold yet is routed as its first send will create it.
        let unknown = try probe.call(.getRouteInfoByTopic, ["topic": "NotSentYet"])
        #expect(
            unknown.responseCode == .success
                && String(decoding: unknown.body, as: UTF8.self).contains(#""readQueueNums":4"#))
        let invalid = try probe.call(.getRouteInfoByTopic, ["topic": "no spaces allowed"])
        #expect(invalid.responseCode == .topicNotExist)
        let retry = try probe.call(.getRouteInfoByTopic, ["topic": "%RETRY%G"])
        #expect(
            retry.responseCode == .success
                && String(decoding: retry.body, as: UTF8.self).contains(#""readQueueNums":1"#))
        #expect(try probe.call(.sendMessage).responseCode == .requestCodeNotSupported)
        let cluster = try probe.call(.getBrokerClusterInfo, ["acceptStandardJsonOnly": "true"])
        let brokerPort = fixture.cluster.brokerPorts[leaderPosition]
        #expect(
            String(decoding: cluster.body, as: UTF8.self).hasPrefix(
                #"{"brokerAddrTable":{"test":{"brokerAddrs":{"0":"127.0.0.1:\#(brokerPort)","1":"#))

        fixture.cluster.kill(leader.peer.id)
        let next = try fixture.awaitLeader(excluding: leader.peer.id)
        let master = try Self.agreedMaster(fixture)
        #expect(master == "127.0.0.1:\(fixture.cluster.brokerPorts[Int(next.peer.id.rawValue)])")
    }

    @Test("a send, a pull and the consumer offsets go through the node core and come back as RocketMQ fields")
    func requestsRoundTripThroughTheCore() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        let leaderPosition = Int(leader.peer.id.rawValue)
        _ = try Self.agreedMaster(fixture)
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[leaderPosition])
        let header = SendMessageRequestHeader(
            producerGroup: "PG", topic: "Orders", queueID: 1, bornTimestamp: 42,
            properties: [
                .init("TAGS", "tagA"), .init("KEYS", "k1"), .init("UNIQ_KEY", "C0FFEE"), .init("color", "red"),
            ])
        let sent = try broker.call(.sendMessage, header.extFields(v2: false), body: Array("hello".utf8))
        #expect(sent.responseCode == .success, "\(sent)")
        #expect(sent.extFields["queueId"] == "1" && sent.extFields["queueOffset"] == "0")
        let msgID = try #require(sent.extFields["msgId"])
        #expect(MessageID.parse(msgID) != nil, "msgId \(msgID)")

        let follower = try RemotingProbe(port: fixture.cluster.brokerPorts[(leaderPosition + 1) % 3])
        let refused = try follower.call(.sendMessageV2, header.extFields(v2: true), body: [1])
        #expect(refused.responseCode == .serviceNotAvailable, "\(refused)")

        let pull: ExtFields = [
            "consumerGroup": "G", "topic": "Orders", "queueId": "1", "queueOffset": "0", "maxMsgNums": "32",
            "sysFlag": "6", "commitOffset": "0", "suspendTimeoutMillis": "15000", "subscription": "tagA || tagB",
        ]
        let pulled = try broker.call(.pullMessage, pull, as: .rocketMQ)
        #expect(pulled.responseCode == .success && pulled.extFields["nextBeginOffset"] == "1", "\(pulled)")
        let record = try StoredMessage(decoding: Array(pulled.body))
        #expect(record.body == Array("hello".utf8) && record.tags == "tagA" && record.keys == ["k1"])
        #expect(record.property("color") == "red" && record.property("UNIQ_KEY") == "C0FFEE")
        #expect(record.physicalOffset == MessageID.parse(msgID)?.physicalOffset && record.bornTimestamp == 42)

        // A long poll on the queue's end is answered by the next send.
        var waiting = pull
        waiting["queueOffset"] = "1"
        let poller = try RemotingProbe(port: fixture.cluster.brokerPorts[leaderPosition])
        var request: [UInt8] = []
        try RemotingCommand(code: 11, opaque: 99, extFields: waiting).encode(into: &request)
        try poller.write(request)
        // Another message, so another unique key (the same one would be a retry, stored once).
        var second = header
        second.properties = [.init("TAGS", "tagA"), .init("UNIQ_KEY", "C0FFEF")]
        #expect(try broker.call(.sendMessage, second.extFields(v2: false), body: [2]).responseCode == .success)
        let woken = try #require(try poller.readCommand())
        #expect(woken.opaque == 99 && woken.responseCode == .success && woken.extFields["nextBeginOffset"] == "2")

        let queue: ExtFields = ["consumerGroup": "G", "topic": "Orders", "queueId": "1"]
        #expect(try broker.call(.queryConsumerOffset, queue).extFields["offset"] == "0")
        var commit = queue
        commit["commitOffset"] = "2"
        #expect(try broker.call(.updateConsumerOffset, commit).responseCode == .success)
        #expect(try broker.call(.queryConsumerOffset, queue).extFields["offset"] == "2")
        #expect(try broker.call(.getMaxOffset, queue).extFields["offset"] == "2")
        #expect(try broker.call(.getMinOffset, queue).extFields["offset"] == "0")
        let retryPull = try broker.call(
            .pullMessage,
            [
                "consumerGroup": "G", "topic": "%RETRY%G", "queueId": "0", "queueOffset": "0", "maxMsgNums": "32",
                "sysFlag": "4",
            ])
        #expect(retryPull.responseCode == .pullNotFound, "an absent topic pulls as empty: \(retryPull)")

        // Lookups: by time, by the offset in the message id, by key.
        let byTime = try broker.call(.searchOffsetByTimestamp, ["topic": "Orders", "queueId": "1", "timestamp": "0"])
        #expect(byTime.extFields["offset"] == "0")
        let offset = try #require(MessageID.parse(msgID)).physicalOffset.rawValue
        let viewed = try broker.call(.viewMessageByID, ["offset": String(offset)])
        #expect(try StoredMessage(decoding: Array(viewed.body)) == record)
        let byKey = try broker.call(
            .queryMessage,
            ["topic": "Orders", "key": "k1", "maxNum": "32", "beginTimestamp": "0", "endTimestamp": String(Int64.max)])
        #expect(byKey.responseCode == .success && byKey.extFields["indexLastUpdatePhyoffset"] != nil)
        #expect(try StoredMessage(decoding: Array(byKey.body)).property("UNIQ_KEY") == "C0FFEE")

        let topics = try broker.call(.getAllTopicConfig)
        #expect(String(decoding: topics.body, as: UTF8.self).contains(#""topicName":"Orders","#))

        // A compressed body (sysFlag 0x1) is stored as sent, and its record says so.
        let zlib: [UInt8] = [0x78, 0x9C, 0x4B, 0x04, 0x00, 0x00, 0x62, 0x00, 0x62]
        let compressed = SendMessageRequestHeader(
            producerGroup: "PG", topic: "Orders", queueID: 2, sysFlag: 1, bornTimestamp: 43)
        #expect(try broker.call(.sendMessageV2, compressed.extFields(v2: true), body: zlib).responseCode == .success)
        var pullQueue2 = pull
        pullQueue2["queueId"] = "2"
        pullQueue2["subscription"] = "*"
        let zipped = try StoredMessage(decoding: Array(try broker.call(.pullMessage, pullQueue2).body))
        #expect(zipped.body == zlib && zipped.sysFlag & 1 == 1)

        let heartbeat = #"{"clientID":"c1","consumerDataSet":[{"groupName":"G","subscriptionDataSet":[]}]}"#
        #expect(try broker.call(.heartBeat, body: Array(heartbeat.utf8)).responseCode == .success)
        #expect(try broker.readCommand()?.requestCode == .notifyConsumerIDsChanged)
        let members = try broker.call(.getConsumerListByGroup, ["consumerGroup": "G"])
        #expect(String(decoding: members.body, as: UTF8.self) == #"{"consumerIdList":["c1"]}"#)
        #expect(try broker.call(.unregisterClient, ["clientID": "c1", "consumerGroup": "G"]).responseCode == .success)
        let none = try broker.call(.getConsumerListByGroup, ["consumerGroup": "G"])
        #expect(String(decoding: none.body, as: UTF8.self) == #"{"consumerIdList":[]}"#)
    }

    @Test("a consumer group's members hear NOTIFY_CONSUMER_IDS_CHANGED when another joins or leaves")
    func membershipChangesAreNotified() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        let port = fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)]
        func heartbeat(_ client: String) -> [UInt8] {
            Array(#"{"clientID":"\#(client)","consumerDataSet":[{"groupName":"G"}]}"#.utf8)
        }
        let first = try RemotingProbe(port: port)
        #expect(try first.call(.heartBeat, body: heartbeat("c1")).responseCode == .success)
        // Its own joining is announced to itself too (as the Java broker does), then nothing more.
        let own = try #require(try first.readCommand())
        #expect(own.requestCode == .notifyConsumerIDsChanged && own.isOneWay && own.extFields["consumerGroup"] == "G")
        do {
            let second = try RemotingProbe(port: port)
            #expect(try second.call(.heartBeat, body: heartbeat("c2")).responseCode == .success)
            _ = try second.readCommand()
            #expect(try second.call(.heartBeat, body: heartbeat("c2")).responseCode == .success, "a repeat: no change")
        }  // the second member's connection closes here
        let joined = try #require(try first.readCommand())
        #expect(joined.requestCode == .notifyConsumerIDsChanged && joined.extFields["consumerGroup"] == "G")
        let left = try #require(try first.readCommand())
        #expect(left.requestCode == .notifyConsumerIDsChanged && left.opaque > joined.opaque)
        let members = try first.call(.getConsumerListByGroup, ["consumerGroup": "G"])
        #expect(String(decoding: members.body, as: UTF8.self) == #"{"consumerIdList":["c1"]}"#)
    }

    @Test("malformed frames close their connection with a log line; the node keeps serving")
    func malformedFramesCloseTheConnection() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        let port = fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)]
        let damaged: [(String, [UInt8])] = [
            ("unknown serialize type", RemotingSamples.frame(header: Array("{}".utf8), type: 7)),
            ("frame over the limit", RemotingSamples.bigEndian(UInt32(64 << 20)) + [0, 0, 0, 2]),
            ("header beyond the frame", RemotingSamples.bigEndian(8) + RemotingSamples.bigEndian(100) + [0, 0, 0, 0]),
            ("header not JSON", RemotingSamples.frame(header: Array("{code".utf8))),
            ("JSON without a code", RemotingSamples.frame(header: Array(#"{"opaque":1}"#.utf8))),
        ]
        for (what, bytes) in damaged {
            let probe = try RemotingProbe(port: port)
            try probe.write(bytes)
            #expect(try probe.readCommand() == nil, "\(what): the connection stays open")
            let fresh = try RemotingProbe(port: port)
            let answer = try fresh.call(RequestCode(rawValue: 9999))
            #expect(answer.responseCode == .requestCodeNotSupported, "after \(what): \(answer)")
        }
        let log = fixture.cluster.logTail(leader.peer.id, lines: 40)
        #expect(log.split(separator: "\n").count { $0.contains("malformed frame") } == damaged.count, "\(log)")
    }
}

/// Raw frames for the damaged-stream cases.
enum RemotingSamples {
    static func frame(header: [UInt8], type: UInt8 = 0, body: [UInt8] = []) -> [UInt8] {
        bigEndian(UInt32(4 + header.count + body.count)) + bigEndian(UInt32(type) << 24 | UInt32(header.count)) + header
            + body
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
