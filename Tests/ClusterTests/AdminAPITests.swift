import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing

@testable import LedgerLocalGroup

/// The `/api` documents of real nodes (ADMIN.md): every node's `/api/group` agrees with
/// `ledger status --json` field for field, and the topics, consumer groups, message lookups and
/// events match what was sent, committed and happened.
@Suite(.serialized)
struct AdminAPITests {
    func json(_ port: UInt16, _ path: String, expect code: Int = 200) throws -> [String: Any] {
        let response = try HTTPProbe.get(port: port, path)
        #expect(response.code == code, "\(path): \(response.body)")
        #expect(response.header("Content-Type") == "application/json", "\(path)")
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
    }

    @Test("/api/group of every node equals ledger status --json; /api/node adds the leader's followers")
    func groupAgreesWithStatus() throws {
        let fixture = try ClusterFixture(adminPorts: true)
        let leader = try fixture.awaitLeader()
        _ = try fixture.appendEntries("api-", count: 3)
        // Quiet: every node applied everything and its peers' polls have seen it.
        try fixture.eventually("every node applied the last entry") {
            let nodes = fixture.client.statusAll().nodes.compactMap(\.response)
            return nodes.count == 3 && Set(nodes.map(\.applied)).count == 1 && Set(nodes.map(\.commit)).count == 1
        }
        pause(.milliseconds(1_200))
        let status = try fixture.ledger(["status", "--json"])
        #expect(status.status == .exited(0), "stderr: \(status.stderr)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let expectedNodes = try #require(expected["nodes"] as? [[String: Any]])
        // Fields that move on their own (uptime) are compared for presence only.
        let stable = [
            "id", "address", "up", "role", "term", "leader", "lastIndex", "commitIndex", "appliedIndex", "lag",
            "catchingUp", "error",
        ]
        for (peer, port) in zip(fixture.peers, fixture.cluster.adminPorts) {
            let group = try json(port, "/api/group")
            #expect(group["group"] as? String == "test")
            #expect(group["servedBy"] as? String == peer.name)
            #expect(group["leader"] as? String == leader.peer.name)
            #expect(group["term"] as? Int == expected["term"] as? Int)
            let nodes = try #require(group["nodes"] as? [[String: Any]])
            #expect(nodes.count == 3)
            for (node, want) in zip(nodes, expectedNodes) {
                #expect(Set(node.keys) == Set(want.keys), "\(peer.name): the fields of ledger status --json")
                for field in stable {
                    #expect(
                        "\(node[field] ?? "missing")" == "\(want[field] ?? "missing")",
                        "\(peer.name) serving \(node["id"] ?? "?"): \(field)")
                }
            }
            let node = try json(port, "/api/node")
            #expect(node["id"] as? String == peer.name)
            #expect(node["nodeId"] as? Int == Int(peer.id.rawValue))
            #expect(node["firstIndex"] as? Int == 1)
            let followers = try #require(node["followers"] as? [[String: Any]])
            if peer.id == leader.peer.id {
                #expect(followers.count == 2)
                #expect(
                    followers.allSatisfy { $0["lag"] as? Int == 0 && $0["match"] as? Int == node["lastIndex"] as? Int })
            } else {
                #expect(followers.isEmpty)
            }
        }
    }

    @Test("topics, consumer groups by lag, messages by key and msgId, events, and 400/404 naming the parameter")
    func messagesAndGroups() throws {
        let fixture = try ClusterFixture(adminPorts: true)
        _ = try fixture.awaitLeader()
        var sent: [SendResult] = []
        for number in 1...8 {
            sent.append(
                try fixture.client.send(
                    ProducerMessage(
                        topic: "ApiTopic", target: .queue(Int32(number % 2)), tags: "t\(number)",
                        keys: [number % 2 == 0 ? "even" : "odd"], body: Array("body \(number) €".utf8))))
        }
        // "light" lags 1 on queue 0; "heavy" lags 4 on each queue; "done" lags 0.
        try fixture.client.commitOffset(
            group: "light", queue: MessageQueue(topic: "ApiTopic", queueID: 0), offset: QueueOffset(3))
        for queue in [Int32(0), 1] {
            try fixture.client.commitOffset(
                group: "heavy", queue: MessageQueue(topic: "ApiTopic", queueID: queue), offset: QueueOffset(0))
        }
        try fixture.client.commitOffset(
            group: "done", queue: MessageQueue(topic: "ApiTopic", queueID: 1), offset: QueueOffset(4))
        let port = fixture.cluster.adminPorts[0]
        try fixture.eventually("node n0 applied the commits") {
            do {
                return try json(port, "/api/groups")["groups"].map { ($0 as? [Any])?.count == 3 } ?? false
            } catch {
                return false
            }
        }

        let topics = try #require(try json(port, "/api/topics")["topics"] as? [[String: Any]])
        let topic = try #require(topics.first { $0["name"] as? String == "ApiTopic" })
        #expect(topic["messages"] as? Int == 8)
        let queues = try #require(topic["queues"] as? [[String: Any]])
        #expect(queues.prefix(2).map { $0["maxOffset"] as? Int } == [4, 4])

        let groups = try #require(try json(port, "/api/groups")["groups"] as? [[String: Any]])
        #expect(groups.map { $0["group"] as? String } == ["heavy", "light", "done"], "highest lag first")
        #expect(groups.map { $0["totalLag"] as? Int } == [8, 1, 0])
        let light = try #require((groups[1]["queues"] as? [[String: Any]])?.first)
        #expect(light["committedOffset"] as? Int == 3 && light["maxOffset"] as? Int == 4 && light["lag"] as? Int == 1)

        let byKey = try #require(try json(port, "/api/message?key=even&topic=ApiTopic")["messages"] as? [[String: Any]])
        #expect(byKey.map { $0["body"] as? String } == ["body 2 €", "body 4 €", "body 6 €", "body 8 €"])
        let id = sent[4].messageID
        let byID = try #require(try json(port, "/api/message?msgId=\(id)")["messages"] as? [[String: Any]])
        #expect(byID.count == 1)
        #expect(byID.first?["msgId"] as? String == id && byID.first?["tags"] as? String == "t5")
        #expect(byID.first?["keys"] as? String == "odd" && byID.first?["bodySize"] as? Int == 10)
        #expect(try json(port, "/api/message?key=none&topic=ApiTopic")["messages"] as? [Any] != nil)

        let unknown = try json(port, "/api/message?key=k&topic=Nope", expect: 404)
        #expect(unknown["parameter"] as? String == "topic")
        let badID = try json(port, "/api/message?msgId=xyz", expect: 400)
        #expect(badID["parameter"] as? String == "msgId")
        let missing = try json(port, "/api/message?key=k", expect: 400)
        #expect(missing["parameter"] as? String == "topic")
        let extra = try json(port, "/api/topics?all=1", expect: 400)
        #expect(extra["parameter"] as? String == "all")

        let events = try #require(try json(port, "/api/events")["events"] as? [[String: Any]])
        #expect(events.contains { ($0["message"] as? String)?.hasPrefix("leader is now") == true }, "\(events)")
        #expect(events.contains { ($0["message"] as? String)?.hasPrefix("peer ") == true }, "\(events)")
    }
}
