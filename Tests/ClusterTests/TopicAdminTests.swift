import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Remoting
import Testing

@testable import LedgerLocalGroup

/// Topic administration on a live group: `ledger topics create|alter|delete|describe` and the
/// RocketMQ codes UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215) and
/// GET_EARLIEST_MSG_STORETIME (32) in raw frames, with their refusals.
@Suite(.serialized)
struct TopicAdminClusterTests {
    @Test("ledger topics create, alter, describe and delete; refusals exit 1 naming why")
    func topicsThroughTheCommandLine() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        let created = try fixture.ledger(["topics", "create", "--topic", "Orders", "--queues", "2"])
        #expect(created.status == .exited(0) && created.stdout == "created topic Orders with 2 queues\n", "\(created)")
        let again = try fixture.ledger(["topics", "create", "--topic", "Orders", "--queues", "2"])
        #expect(
            again.status == .exited(1) && again.stderr.contains("topic Orders already exists, with 2 queues"),
            "\(again)")
        let grown = try fixture.ledger(["topics", "alter", "--topic", "Orders", "--queues", "3"])
        #expect(grown.status == .exited(0) && grown.stdout == "topic Orders has 3 queues\n", "\(grown)")
        let shrink = try fixture.ledger(["topics", "alter", "--topic", "Orders", "--queues", "1"])
        #expect(shrink.status == .exited(1) && shrink.stderr.contains("cannot shrink to 1"), "\(shrink)")
        let missing = try fixture.ledger(["topics", "alter", "--topic", "Nope", "--queues", "1"])
        #expect(missing.status == .exited(1) && missing.stderr.contains("no such topic: Nope"), "\(missing)")

        let sent = try fixture.ledger(["send", "--topic", "Orders", "--queue", "2", "--body", "first"])
        #expect(sent.status == .exited(0), "\(sent)")
        let described = try fixture.ledger(["topics", "describe", "--topic", "Orders"])
        #expect(described.status == .exited(0), "\(described)")
        let lines = described.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "topic Orders: 3 queues" && lines.count == 6, "\(described.stdout)")
        #expect(
            lines[4].hasPrefix("2      0    1    20") && lines[2].split(separator: " ") == ["0", "0", "0", "-", "-"],
            "\(described.stdout)")
        #expect(lines[5].contains("replicas n0 n1 n2") && lines[5].hasPrefix("leader n"), "\(described.stdout)")
        let json = try fixture.ledger(["topics", "describe", "--topic", "Orders", "--json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let queues = try #require(object["queues"] as? [[String: Any]])
        #expect(queues.count == 3 && queues[2]["maxOffset"] as? Int == 1 && queues[0]["firstStoreTimestamp"] is NSNull)
        #expect((queues[2]["firstStoreTimestamp"] as? Int).map { $0 > 1_700_000_000_000 } == true)
        try fixture.eventually("every replica in sync") {
            do {
                let answer = try fixture.ledger(["topics", "describe", "--topic", "Orders", "--json"])
                let object = try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: Any]
                return (object?["inSync"] as? [String])?.count == 3
            } catch {
                return false
            }
        }

        let deleted = try fixture.ledger(["topics", "delete", "--topic", "Orders"])
        #expect(deleted.status == .exited(0) && deleted.stdout == "deleted topic Orders\n", "\(deleted)")
        let gone = try fixture.ledger(["topics", "describe", "--topic", "Orders"])
        #expect(gone.status == .exited(1) && gone.stderr.contains("no such topic: Orders"), "\(gone)")
        for arguments in [
            ["topics", "create", "--topic", "Orders"], ["topics", "create", "--topic", "bad name", "--queues", "1"],
            ["topics", "alter", "--topic", "Orders", "--queues", "0"], ["topics", "craete"],
        ] {
            let refused = try fixture.ledger(arguments)
            #expect(refused.status == .exited(2), "ledger \(arguments): \(refused)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "ledger \(arguments): \(refused.stderr)")
        }
    }

    @Test("UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER and GET_EARLIEST_MSG_STORETIME in raw frames")
    func adminCodesInRawFrames() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        let create: ExtFields = [
            "topic": "Admin", "defaultTopic": "TBW102", "readQueueNums": "6", "writeQueueNums": "6", "perm": "6",
            "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false",
        ]
        #expect(try broker.call(.updateAndCreateTopic, create).responseCode == .success)
        #expect(try broker.call(.updateAndCreateTopic, create).responseCode == .success, "the same count again")
        let config = try broker.call(.getAllTopicConfig)
        #expect(
            String(decoding: config.body, as: UTF8.self).contains(
                #""topicName":"Admin","topicSysFlag":0,"writeQueueNums":6"#))
        let route = try RemotingProbe(port: fixture.cluster.nameServerPorts[0]).call(
            .getRouteInfoByTopic, ["topic": "Admin"])
        #expect(String(decoding: route.body, as: UTF8.self).contains(#""readQueueNums":6"#), "the route follows")

        var shrink = create
        shrink["readQueueNums"] = "2"
        shrink["writeQueueNums"] = "2"
        let refused = try broker.call(.updateAndCreateTopic, shrink)
        #expect(refused.responseCode == .systemError && refused.remark?.contains("cannot shrink") == true, "\(refused)")
        var uneven = create
        uneven["readQueueNums"] = "8"
        let unevenAnswer = try broker.call(.updateAndCreateTopic, uneven)
        #expect(unevenAnswer.responseCode == .systemError && unevenAnswer.remark?.contains("differ") == true)
        let noCount = try broker.call(.updateAndCreateTopic, ["topic": "Admin"])
        #expect(
            noCount.responseCode == .systemError && noCount.remark?.contains("writeQueueNums") == true, "\(noCount)")

        let queue5: ExtFields = ["topic": "Admin", "queueId": "5"]
        #expect(try broker.call(.getEarliestMessageStoreTime, queue5).extFields["timestamp"] == "-1", "an empty queue")
        let header = SendMessageRequestHeader(producerGroup: "PG", topic: "Admin", queueID: 5, bornTimestamp: 1)
        #expect(try broker.call(.sendMessage, header.extFields(v2: false), body: [1]).responseCode == .success)
        let earliest = try broker.call(.getEarliestMessageStoreTime, queue5)
        let stored = try #require(Int64(earliest.extFields["timestamp"] ?? ""), "\(earliest)")
        #expect(stored > 1_700_000_000_000)
        let outOfRange = try broker.call(.getEarliestMessageStoreTime, ["topic": "Admin", "queueId": "6"])
        #expect(outOfRange.responseCode == .systemError && outOfRange.remark?.contains("queues 0..<6") == true)

        #expect(try broker.call(.deleteTopicInBroker, ["topic": "Admin"]).responseCode == .success)
        let absent = try broker.call(.getEarliestMessageStoreTime, queue5)
        #expect(absent.responseCode == .systemError && absent.remark?.contains("no such topic: Admin") == true)
        let twice = try broker.call(.deleteTopicInBroker, ["topic": "Admin"])
        #expect(twice.responseCode == .systemError && twice.remark?.contains("no such topic") == true)
        #expect(!String(decoding: try broker.call(.getAllTopicConfig).body, as: UTF8.self).contains("Admin"))
    }
}
