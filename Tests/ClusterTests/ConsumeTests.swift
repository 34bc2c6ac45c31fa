import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Remoting
import TestSupport
import Testing
import Wire

@testable import LedgerLocalGroup

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger consume` against a real group: members of a clustering group split a topic's queues
/// and take over a leaver's; a new group starts from the first or the last offset; broadcasting
/// members each read everything; a RocketMQ client's heartbeat and locks share the tables.
@Suite(.serialized)
struct ConsumeTests {
    /// Sends `count` messages `prefix1`, `prefix2`, ... to `topic` (any queue).
    static func send(_ fixture: ClusterFixture, _ topic: String, _ prefix: String, _ range: ClosedRange<Int>) throws {
        for number in range {
            _ = try fixture.client.send(ProducerMessage(topic: topic, body: Array("\(prefix)\(number)".utf8)))
        }
    }

    static func bodies(_ prefix: String, _ range: ClosedRange<Int>) -> [String] { range.map { "\(prefix)\($0)" } }

    @Test("two members split 4 queues; after one leaves on SIGINT the other reads all; offsets are committed")
    func membersSplitAndTakeOver() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        _ = try fixture.client.updateTopic("Split", queueCount: 4, mode: .create)
        // Commits only when a queue changes hands or the member exits, so a missed one shows as a repeat.
        let arguments = ["--topic", "Split", "--group", "SG", "--auto-commit", "600000"]
        let first = try ConsumerProcess(fixture, name: "first", arguments)
        try fixture.eventually("the first member reads every queue") {
            first.stderr.contains("reads Split queues 0,1,2,3 (1 member)")
        }
        let second = try ConsumerProcess(fixture, name: "second", arguments)
        try fixture.eventually("both members read two queues each") {
            [first, second].allSatisfy { member in
                // The latest share it announced (a retried failure may have been said since).
                member.stderr.split(separator: "\n").last(where: { $0.contains(" reads Split ") }).map {
                    $0.hasSuffix("reads Split queues 0,1 (2 members)")
                        || $0.hasSuffix("reads Split queues 2,3 (2 members)")
                } ?? false
            }
        }
        try Self.send(fixture, "Split", "m", 1...40)
        try fixture.eventually("every message is printed") { first.lines.count + second.lines.count >= 40 }
        pause(.milliseconds(300))  // anything printed twice would show now
        #expect(first.lines.count + second.lines.count == 40, "\(first.lines) \(second.lines)")
        #expect((first.bodies + second.bodies).sorted() == Self.bodies("m", 1...40).sorted())
        #expect(first.queues.count == 2 && second.queues.count == 2, "\(first.queues) \(second.queues)")
        #expect((first.queues + second.queues).sorted() == [0, 1, 2, 3])
        let line = try #require(first.lines.first)
        #expect(line.split(separator: " ").count == 5 && line.contains(" - - m"), "\(line)")

        #expect(first.interrupt() == .exited(0), "\(first.stderr)")
        #expect(first.stderr.contains("left group SG"))
        try fixture.eventually("the remaining member reads every queue") {
            second.stderr.contains("reads Split queues 0,1,2,3 (1 member)")
        }
        try Self.send(fixture, "Split", "m", 41...60)
        try fixture.eventually("the messages sent after the leave are printed") {
            Set(second.bodies).isSuperset(of: Self.bodies("m", 41...60))
        }
        pause(.milliseconds(300))
        #expect(
            (first.bodies + second.bodies).sorted() == Self.bodies("m", 1...60).sorted(),
            "every message once: \(first.lines) \(second.lines)")
        #expect(second.interrupt(SIGTERM) == .exited(0), "\(second.stderr)")

        let progress = try fixture.client.consumerOffsets(group: "SG", topic: "Split")
        #expect(progress.count == 4 && progress.allSatisfy { $0.committedOffset == QueueOffset(15) }, "\(progress)")
        let offsets = try fixture.ledger(["offsets", "--group", "SG", "--json"])
        #expect(offsets.status == .exited(0) && offsets.stdout.contains(#""totalLag": 0"#), "\(offsets.stdout)")
        let groups = try fixture.ledger(["groups", "--group", "SG", "--json"])
        #expect(groups.status == .exited(0), "\(groups.stderr)")
        let report = try JSONParser().parse(Array(groups.stdout.utf8)[...], baseOffset: 0)
        guard case .array(let listed)? = report[member: "groups"]?.kind, let group = listed.first,
            case .array(let queues)? = group[member: "queues"]?.kind,
            case .array(let members)? = group[
                member: "members"]?.kind
        else {
            Issue.record("ledger groups --json: \(groups.stdout)")
            return
        }
        #expect(members.isEmpty, "both members left: \(groups.stdout)")
        #expect(queues.count == 4 && groups.stdout.contains(#""committedOffset": 15, "maxOffset": 15, "lag": 0"#))
        let text = try fixture.ledger(["groups"])
        #expect(text.stdout.contains("CONSUMER OFFSET  BROKER OFFSET  DIFF"), "\(text.stdout)")
    }

    @Test("new groups: --from first prints the backlog, last (the default) what came after, --tags only its tags")
    func newGroupsStartFromFirstOrLast() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        _ = try fixture.client.updateTopic("Backlog", queueCount: 4, mode: .create)
        try Self.send(fixture, "Backlog", "old", 1...10)
        let first = try ConsumerProcess(
            fixture, name: "first", ["--topic", "Backlog", "--group", "FromFirst", "--from", "first", "--manual"])
        let last = try ConsumerProcess(fixture, name: "last", ["--topic", "Backlog", "--group", "FromLast"])
        let tagged = try ConsumerProcess(
            fixture, name: "tagged", ["--topic", "Backlog", "--group", "Tagged", "--from", "first", "--tags", "TagA"])
        try fixture.eventually("the backlog is printed and the other groups joined") {
            first.lines.count >= 10 && last.stderr.contains("reads Backlog queues 0,1,2,3 (1 member)")
                && tagged.stderr.contains("reads Backlog queues 0,1,2,3 (1 member)")
        }
        try Self.send(fixture, "Backlog", "new", 1...4)
        for number in 1...2 {
            _ = try fixture.client.send(
                ProducerMessage(
                    topic: "Backlog", tags: "TagA", keys: ["k\(number)"], body: Array("tagged\(number)".utf8)))
        }
        try fixture.eventually("the new messages are printed by every group") {
            first.lines.count >= 16 && last.lines.count >= 6 && tagged.lines.count >= 2
        }
        pause(.milliseconds(300))
        let news = Self.bodies("new", 1...4) + Self.bodies("tagged", 1...2)
        #expect(first.bodies.sorted() == (Self.bodies("old", 1...10) + news).sorted())
        #expect(last.bodies.sorted() == news.sorted(), "\(last.lines)")
        #expect(tagged.bodies.sorted() == ["tagged1", "tagged2"], "only TagA: \(tagged.lines)")
        #expect(tagged.lines.allSatisfy { $0.split(separator: " ")[2] == "TagA" }, "\(tagged.lines)")
        #expect(first.interrupt() == .exited(0) && last.interrupt() == .exited(0) && tagged.interrupt() == .exited(0))
        // --manual committed after each batch; the started group's offsets are at the end.
        let progress = try fixture.client.consumerOffsets(group: "FromFirst")
        #expect(progress.count == 4 && progress.allSatisfy { $0.lag == 0 }, "\(progress)")
    }

    @Test("two orderly members: each queue read by one member at a time, in offset order, every message once")
    func orderlyMembersHandQueuesOverInOrder() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        _ = try fixture.client.updateTopic("Ordered", queueCount: 4, mode: .create)
        let arguments = ["--topic", "Ordered", "--group", "OG", "--orderly", "--from", "first", "--manual"]
        let first = try ConsumerProcess(fixture, name: "first", arguments)
        try Self.send(fixture, "Ordered", "o", 1...20)
        try fixture.eventually("the first member prints the first messages") { first.lines.count >= 20 }
        let second = try ConsumerProcess(fixture, name: "second", arguments)
        // Its share stays locked by the first member until that one rebalances and lets it go.
        try fixture.eventually("the second member locks its share") {
            second.stderr.contains("reads Ordered queues 2,3 (2 members)")
                || second.stderr.contains("reads Ordered queues 0,1 (2 members)")
        }
        try Self.send(fixture, "Ordered", "o", 21...40)
        try fixture.eventually("every message is printed") { first.lines.count + second.lines.count >= 40 }
        pause(.milliseconds(300))
        #expect((first.bodies + second.bodies).sorted() == Self.bodies("o", 1...40).sorted())
        for member in [first, second] {
            var last: [Int: Int] = [:]
            for line in member.lines {
                let fields = line.split(separator: " ")
                guard let queue = Int(fields[0]), let offset = Int(fields[1]) else {
                    Issue.record("\(member.name): \(line)")
                    continue
                }
                #expect(offset == (last[queue] ?? -1) + 1 || last[queue] == nil, "\(member.name): \(member.lines)")
                last[queue] = offset
            }
        }
        #expect(first.interrupt() == .exited(0) && second.interrupt() == .exited(0))
    }

    @Test("broadcasting members both print every message and commit nothing")
    func broadcastMembersEachReadEverything() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        _ = try fixture.client.updateTopic("News", queueCount: 3, mode: .create)
        try Self.send(fixture, "News", "n", 1...6)
        let arguments = ["--topic", "News", "--group", "BG", "--broadcast", "--from", "first"]
        let members = try [
            ConsumerProcess(fixture, name: "one", arguments), ConsumerProcess(fixture, name: "two", arguments),
        ]
        try fixture.eventually("both print the backlog") { members.allSatisfy { $0.lines.count >= 6 } }
        try Self.send(fixture, "News", "n", 7...9)
        try fixture.eventually("both print the new messages") { members.allSatisfy { $0.lines.count >= 9 } }
        pause(.milliseconds(300))
        for member in members {
            #expect(member.bodies.sorted() == Self.bodies("n", 1...9).sorted(), "\(member.name): \(member.lines)")
            #expect(member.stderr.contains("reads News queues 0,1,2 (broadcast)"))
        }
        let groups = try fixture.ledger(["groups", "--group", "BG"])
        #expect(groups.stdout.contains("group BG: 2 members, total lag 0"), "\(groups.stdout)")
        for member in members { #expect(member.interrupt() == .exited(0)) }
        #expect(try fixture.client.consumerOffsets(group: "BG").isEmpty, "a broadcasting group commits nothing")
    }

    @Test("a member follows the leader through a kill; a new group --from first after it sees every message")
    func membersFollowTheLeader() throws {
        let fixture = try ClusterFixture()
        let leader = try fixture.awaitLeader()
        _ = try fixture.client.updateTopic("Failover", queueCount: 2, mode: .create)
        let member = try ConsumerProcess(
            fixture, name: "follower", ["--topic", "Failover", "--group", "FG", "--from", "first", "--manual"])
        try Self.send(fixture, "Failover", "before", 1...4)
        try fixture.eventually("the first messages are printed") { member.lines.count >= 4 }
        // Membership is the leader's: a follower refuses, naming it.
        let follower = try #require(fixture.peers.first { $0.id != leader.peer.id })
        let connection = try NodeConnection.open(to: follower, deadline: .now + .seconds(5))
        defer { connection.close() }
        do {
            let answer = try connection.request(
                .consumerGroupRequest(.members(group: "FG")), deadline: .now + .seconds(5))
            Issue.record("a follower answered \(answer)")
        } catch {
            guard case .refused(let refusal) = error, case .notLeader(let named, _) = refusal.code else {
                Issue.record("a follower answered \(error)")
                return
            }
            #expect(named == leader.peer.id, "\(refusal)")
        }
        fixture.cluster.kill(leader.peer.id)
        let next = try fixture.awaitLeader(excluding: leader.peer.id)
        try Self.send(fixture, "Failover", "after", 1...4)
        try fixture.eventually("the messages sent after the kill are printed") { member.lines.count >= 8 }
        try fixture.eventually("the member is in its group on the new leader") {
            (try? fixture.client.consumerGroups(only: "FG").groups.first?.members.count) == 1
        }
        pause(.milliseconds(300))
        #expect(
            member.bodies.sorted() == (Self.bodies("before", 1...4) + Self.bodies("after", 1...4)).sorted(),
            "led by \(next.peer.name) now: \(member.lines)\n\(member.stderr)")
        #expect(member.interrupt() == .exited(0), "\(member.stderr)")
        let progress = try fixture.client.consumerOffsets(group: "FG")
        #expect(progress.count == 2 && progress.allSatisfy { $0.lag == 0 }, "\(progress)")
        // A new group after the kill, from the first offset, sees every message.
        let late = try ConsumerProcess(
            fixture, name: "late", ["--topic", "Failover", "--group", "LG", "--from", "first"])
        try fixture.eventually("the new group prints everything") { late.lines.count >= 8 }
        pause(.milliseconds(300))
        #expect(late.bodies.sorted() == (Self.bodies("before", 1...4) + Self.bodies("after", 1...4)).sorted())
        #expect(late.interrupt() == .exited(0), "\(late.stderr)")
    }

    @Test("with aclEnable=true a member needs SUB on its topic and group; a refusal exits 1 naming it")
    func membersNeedSubscribePermission() throws {
        let files = try TemporaryDirectory(prefix: "consume-acl")
        defer {
            do { try files.remove() } catch { Issue.record("cannot remove \(files.path): \(error)") }
        }
        let aclPath = "\(files.path)/plain_acl.yml"
        let acl = """
            accounts:
              - accessKey: reader
                secretKey: reader-secret
                defaultTopicPerm: PUB|SUB
                defaultGroupPerm: SUB
                topicPerms:
                  - secret=DENY
                groupPerms:
                  - others=DENY

            """
        try writeFile(aclPath, Array(acl.utf8))
        let fixture = try ClusterFixture(settings: ["aclEnable=true", "aclFile=\(aclPath)"])
        _ = try fixture.awaitLeader()
        let keys = ["--access-key", "reader", "--secret-key", "reader-secret"]
        let topic = try fixture.ledger(["consume", "--topic", "secret", "--group", "mine"] + keys)
        #expect(topic.status == .exited(1), "\(topic.stderr)")
        #expect(topic.stderr.contains(#"lacks SUB on topic "secret""#), "\(topic.stderr)")
        let group = try fixture.ledger(["consume", "--topic", "open", "--group", "others"] + keys)
        #expect(group.status == .exited(1), "\(group.stderr)")
        #expect(group.stderr.contains(#"lacks SUB on group "others""#), "\(group.stderr)")
        let unsigned = try fixture.ledger(["groups"])
        #expect(unsigned.status == .exited(1) && unsigned.stderr.contains("no permission"), "\(unsigned.stderr)")
        let listed = try fixture.ledger(["groups"] + keys)
        #expect(listed.status == .exited(0) && listed.stdout == "no consumer group\n", "\(listed.stdout)")
    }

    @Test("a RocketMQ client and a ledger consume member of one group share the members and the queue locks")
    func rocketMQClientsShareTheTables() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        _ = try fixture.client.updateTopic("Mixed", queueCount: 4, mode: .create)
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        let heartbeat =
            #"{"clientID":"zz-rocketmq","consumerDataSet":[{"groupName":"MG","subscriptionDataSet":[{"topic":"Mixed","subString":"*"}]}]}"#
        #expect(try broker.call(.heartBeat, body: Array(heartbeat.utf8)).responseCode == .success)
        #expect(try broker.readCommand()?.requestCode == .notifyConsumerIDsChanged, "its own joining")
        let lock =
            #"{"clientId":"zz-rocketmq","consumerGroup":"MG","mqSet":[{"brokerName":"ledger","queueId":0,"topic":"Mixed"}]}"#
        let locked = try broker.call(.lockBatchMQ, body: Array(lock.utf8))
        #expect(String(decoding: locked.body, as: UTF8.self).contains(#""queueId":0"#), "\(locked)")

        // Sorted ids: "consume@..." before "zz-rocketmq", so the CLI member's share is queues 0 and 1,
        // of which the RocketMQ client holds 0's lock.
        let member = try ConsumerProcess(
            fixture, name: "orderly", ["--topic", "Mixed", "--group", "MG", "--orderly", "--from", "first"])
        try fixture.eventually("the member reads only the queue it could lock") {
            member.stderr.contains("reads Mixed queue 1 (2 members)")
        }
        #expect(try broker.readCommand()?.requestCode == .notifyConsumerIDsChanged, "told of the CLI member")
        let list = try broker.call(.getConsumerListByGroup, ["consumerGroup": "MG"])
        let ids = String(decoding: list.body, as: UTF8.self)
        #expect(ids.contains(#""consume@"#) && ids.contains(#""zz-rocketmq""#), "\(ids)")
        let groups = try fixture.ledger(["groups", "--group", "MG", "--json"])
        #expect(groups.stdout.contains(#""clientId": "zz-rocketmq""#), "\(groups.stdout)")
        #expect(groups.stdout.contains(#""expression": "*""#), "\(groups.stdout)")

        // The lock goes back; the member takes queue 0 within a rebalance round.
        let unlock =
            #"{"clientId":"zz-rocketmq","consumerGroup":"MG","mqSet":[{"brokerName":"ledger","queueId":0,"topic":"Mixed"}]}"#
        #expect(try broker.call(.unlockBatchMQ, body: Array(unlock.utf8)).responseCode == .success)
        try fixture.eventually("the member locks queue 0 too") {
            member.stderr.contains("reads Mixed queues 0,1 (2 members)")
        }
        // Its locks are the RocketMQ client's to miss: a lock request of the client gets neither queue.
        let denied = try broker.call(
            .lockBatchMQ,
            body: Array(
                #"{"clientId":"zz-rocketmq","consumerGroup":"MG","mqSet":[{"brokerName":"ledger","queueId":1,"topic":"Mixed"}]}"#
                    .utf8))
        #expect(!String(decoding: denied.body, as: UTF8.self).contains("queueId"), "\(denied)")
        #expect(member.interrupt() == .exited(0), "\(member.stderr)")
        #expect(try broker.readCommand()?.requestCode == .notifyConsumerIDsChanged, "told of the CLI member leaving")
        // At exit it released its locks: the client gets queue 1 now.
        let granted = try broker.call(
            .lockBatchMQ,
            body: Array(
                #"{"clientId":"zz-rocketmq","consumerGroup":"MG","mqSet":[{"brokerName":"ledger","queueId":1,"topic":"Mixed"}]}"#
                    .utf8))
        #expect(String(decoding: granted.body, as: UTF8.self).contains(#""queueId":1"#), "\(granted)")
    }
}
