import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Remoting
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

    @Test("documents stay bounded: 500 topics, 200 groups, 16 messages of 4 KiB, then truncated")
    func documentsAreBounded() throws {
        let fixture = try ClusterFixture(adminPorts: true)
        _ = try fixture.awaitLeader()
        // One more topic and group than the documents list; a key on more messages than a lookup returns.
        let big = Array(("x" + String(repeating: "é", count: 3_000)).utf8)
        var messages = (0..<501).map { number in
            ProducerMessage(topic: "T\(String(number).leftPadded(to: 3))", target: .queue(0), body: big)
        }
        messages += (0..<20).map { number in
            ProducerMessage(topic: "T000", target: .queue(0), keys: ["shared"], body: Array("shared \(number)".utf8))
        }
        for message in messages {
            fixture.client.sendAsync(message) { result in
                if case .failure(let error) = result { Issue.record("send to \(message.topic): \(error)") }
            }
        }
        fixture.client.waitForAsyncSends()
        for number in 0..<201 {
            try fixture.client.commitOffset(
                group: "G\(String(number).leftPadded(to: 3))", queue: MessageQueue(topic: "T000", queueID: 0),
                offset: QueueOffset(Int64(number % 2)))
        }
        let port = fixture.cluster.adminPorts[0]
        try fixture.eventually("node n0 applied the last commit") {
            do {
                return try json(port, "/api/groups")["truncated"] as? Bool == true
            } catch {
                return false
            }
        }
        let topics = try json(port, "/api/topics")
        #expect((topics["topics"] as? [Any])?.count == 500 && topics["truncated"] as? Bool == true)
        let groups = try json(port, "/api/groups")
        let listed = try #require(groups["groups"] as? [[String: Any]])
        #expect(listed.count == 200)
        // Queue 0 of T000 holds 21 messages: the 101 groups at offset 0 lag 21 and come first.
        let lags = listed.map { $0["totalLag"] as? Int }
        #expect(lags == Array(repeating: 21, count: 101) + Array(repeating: 20, count: 99), "highest lag first")
        let found = try #require(try json(port, "/api/message?key=shared&topic=T000")["messages"] as? [[String: Any]])
        #expect(found.map { $0["body"] as? String } == (4..<20).map { "shared \($0)" }, "the latest 16, oldest first")
        let many = try #require(
            try json(port, "/api/message?msgId=\(try messageID(fixture, topic: "T001"))")["messages"]
                as? [[String: Any]])
        let body = try #require(many.first?["body"] as? String)
        #expect(body == "x" + String(repeating: "é", count: 2_047), "cut before 4 KiB, between characters")
        #expect(many.first?["bodyTruncated"] as? Bool == true && many.first?["bodySize"] as? Int == big.count)
    }

    @Test("messages received and delivered per topic: /metrics counters on every node, /api/topics counts and rates")
    func topicTraffic() throws {
        let fixture = try ClusterFixture(adminPorts: true, remoting: true)
        let leader = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let started = ContinuousClock.now
        for number in 1...6 {
            _ = try fixture.client.send(
                ProducerMessage(topic: "RateTopic", target: .queue(0), body: Array("m\(number)".utf8)))
        }
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        for body in ["r1", "r2"] {
            let header = SendMessageRequestHeader(producerGroup: "PG", topic: "RateTopic", queueID: 0, bornTimestamp: 1)
            #expect(
                try broker.call(.sendMessage, header.extFields(v2: false), body: Array(body.utf8)).responseCode
                    == .success)
        }
        // Delivered: 8 by our pull, 8 by PULL_MESSAGE, 3 more by a pull from offset 5.
        #expect(try fixture.client.pull(topic: "RateTopic", queueID: 0, offset: QueueOffset(0)).messages.count == 8)
        let pull: ExtFields = [
            "consumerGroup": "CG", "topic": "RateTopic", "queueId": "0", "queueOffset": "0", "maxMsgNums": "32",
            "sysFlag": "2", "commitOffset": "0", "suspendTimeoutMillis": "1000", "subscription": "*",
        ]
        #expect(try broker.call(.pullMessage, pull).extFields["nextBeginOffset"] == "8")
        #expect(try fixture.client.pull(topic: "RateTopic", queueID: 0, offset: QueueOffset(5)).messages.count == 3)

        func counters(_ port: UInt16) throws -> (received: Int?, delivered: Int?) {
            let text = try HTTPProbe.get(port: port, "/metrics").body
            func value(_ name: String) -> Int? {
                let prefix = "\(name){topic=\"RateTopic\"} "
                return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
                    Int($0.dropFirst(prefix.count))
                }
            }
            return (value("ledger_messages_received_total"), value("ledger_messages_delivered_total"))
        }
        try fixture.eventually("every node counted the 8 messages it applied") {
            fixture.cluster.adminPorts.allSatisfy { (try? counters($0))?.received == 8 }
        }
        let delivered = try fixture.cluster.adminPorts.map { try counters($0).delivered ?? 0 }
        #expect(delivered.reduce(0, +) == 19, "pull answers on both protocols: \(delivered)")
        // The topic-labelled families pass promtool (or prometheus_client) like the rest.
        if case .success(let parser) = PrometheusParser.make(scratchDirectory: fixture.directory) {
            let text = try HTTPProbe.get(port: fixture.cluster.adminPorts[0], "/metrics").body
            _ = try parser.parse(text, scratchDirectory: fixture.directory)
        }

        // /api/topics: the same counts, and rates over the time since the node started sampling.
        let leaderPort = fixture.cluster.adminPorts[Int(leader.peer.id.rawValue)]
        try fixture.eventually("the leader's rates cover at least a second") {
            ((try? json(leaderPort, "/api/topics"))?["rateWindowSeconds"] as? Int ?? 0) >= 1
        }
        let document = try json(leaderPort, "/api/topics")
        let window = try #require(document["rateWindowSeconds"] as? Int)
        #expect((1...60).contains(window))
        let topic = try #require(
            (document["topics"] as? [[String: Any]])?.first { $0["name"] as? String == "RateTopic" })
        #expect(topic["received"] as? Int == 8)
        #expect(topic["delivered"] as? Int == delivered[Int(leader.peer.id.rawValue)])
        let rateIn = try #require(topic["inPerSecond"] as? Double)
        let rateOut = try #require(topic["outPerSecond"] as? Double)
        // 8 in and 19 out since the first sample, at most a minute ago and before the sends.
        let ceiling = Double(window + 1)
        #expect(rateIn > 0 && rateIn <= 8 && rateIn * ceiling >= 7.9, "in \(rateIn)/s over \(window) s")
        #expect(rateOut > 0 && rateOut <= 19 && rateOut * ceiling >= 18.9, "out \(rateOut)/s over \(window) s")
        #expect(ContinuousClock.now - started < .seconds(60), "the rates covered the whole test")
    }

    @Test("/api/groups: members and subscriptions of a group from a RocketMQ HEARTBEAT on the broker port")
    func consumerMembersFromHeartbeats() throws {
        let fixture = try ClusterFixture(adminPorts: true, remoting: true)
        let leader = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        let heartbeat = #"""
            {"clientID":"10.0.0.9@4242","consumerDataSet":[{"groupName":"billing","consumeType":1,"messageModel":1,"subscriptionDataSet":[{"topic":"Orders","subString":"paid || refunded","subVersion":1},{"topic":"%RETRY%billing","subString":"*","subVersion":1}]}],"producerDataSet":[]}
            """#
        #expect(try broker.call(.heartBeat, body: Array(heartbeat.utf8)).responseCode == .success)
        // Joining tells the group's members (this one) to rebalance, one way.
        #expect(try broker.readCommand()?.requestCode == .notifyConsumerIDsChanged)
        let port = fixture.cluster.adminPorts[Int(leader.peer.id.rawValue)]
        let groups = try #require(try json(port, "/api/groups")["groups"] as? [[String: Any]])
        let billing = try #require(groups.first { $0["group"] as? String == "billing" }, "\(groups)")
        #expect(billing["totalLag"] as? Int == 0 && (billing["queues"] as? [Any])?.isEmpty == true)
        let members = try #require(billing["members"] as? [[String: Any]])
        #expect(members.count == 1)
        #expect(members.first?["clientId"] as? String == "10.0.0.9@4242")
        #expect((members.first?["address"] as? String)?.hasPrefix("127.0.0.1:") == true, "\(members)")
        let age = try #require(members.first?["lastHeartbeatAgeMs"] as? Int)
        #expect((0..<10_000).contains(age))
        let subscriptions = try #require(billing["subscriptions"] as? [[String: Any]])
        #expect(subscriptions.map { $0["topic"] as? String } == ["%RETRY%billing", "Orders"])
        #expect(subscriptions.map { $0["expression"] as? String } == ["*", "paid || refunded"])

        // An unregistered client leaves; a group without members or offsets is not listed.
        #expect(
            try broker.call(.unregisterClient, ["clientID": "10.0.0.9@4242", "consumerGroup": "billing"]).responseCode
                == .success)
        let after = try #require(try json(port, "/api/groups")["groups"] as? [[String: Any]])
        #expect(!after.contains { $0["group"] as? String == "billing" })
        // The table is this node's own: a follower, which heard no heartbeat, lists no member.
        let follower = try #require(fixture.peers.firstIndex { $0.id != leader.peer.id })
        let elsewhere = try #require(
            try json(fixture.cluster.adminPorts[follower], "/api/groups")["groups"] as? [[String: Any]])
        #expect(elsewhere.allSatisfy { ($0["members"] as? [Any])?.isEmpty == true })
    }

    /// The msgId of the first message of `topic`'s queue 0, as a pull returns it.
    private func messageID(_ fixture: ClusterFixture, topic: String) throws -> String {
        let pulled = try fixture.client.pull(topic: topic, queueID: 0, offset: QueueOffset(0), maxCount: 1)
        return try #require(pulled.messages.first?.messageID)
    }
}

extension String {
    /// The text with leading zeros up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
