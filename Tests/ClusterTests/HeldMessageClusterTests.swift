import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Testing

@testable import LedgerLocalGroup

/// Delayed messages and send-backs on three real `ledger server` processes: a delayed message
/// is delivered by the next leader after a kill -9, never before its delay; a failed message
/// comes back through `%RETRY%<group>` with its reconsume count, then lands in `%DLQ%<group>`,
/// which `ledger pull` reads.
@Suite(.serialized)
struct HeldMessageClusterTests {
    /// Short delay levels so the tests take seconds.
    static let settings = ["messageDelayLevel=1s 2s 3s"]

    /// Pulls `queue` from `offset` until a message arrives (up to `timeout`).
    private func awaitMessage(
        _ fixture: ClusterFixture, _ client: LedgerClient, topic: String, queueID: Int32 = 0,
        offset: QueueOffset = .zero, timeout: Duration = .seconds(30)
    ) throws -> StoredMessage {
        var found: StoredMessage?
        try fixture.eventually("a message in \(topic)/\(queueID) at \(offset)", timeout: timeout) {
            guard let result = try? client.pull(topic: topic, queueID: queueID, offset: offset, maxCount: 8) else {
                return false
            }
            found = result.messages.first
            return found != nil
        }
        return try #require(found)
    }

    @Test("a delayed message is delivered by the next leader after a kill -9, not before its delay, once")
    func aDelayedMessageSurvivesALeaderKill() throws {
        let fixture = try ClusterFixture(settings: Self.settings)
        let first = try fixture.awaitLeader()
        let client = MessageTests.patientClient(fixture)
        defer { client.close() }
        _ = try client.send(ProducerMessage(topic: "Later", target: .queue(0), body: Array("now".utf8)))
        let held = try client.send(
            ProducerMessage(
                topic: "Later", target: .queue(0), body: Array("later".utf8), properties: ["DELAY": "3"]))
        #expect(held.queue == MessageQueue(topic: SystemTopic.schedule, queueID: 2))
        #expect(try client.pull(topic: "Later", queueID: 0, offset: QueueOffset(1), maxCount: 8).messages.isEmpty)
        fixture.cluster.kill(first.peer.id)
        _ = try fixture.awaitLeader(excluding: first.peer.id)

        let delivered = try awaitMessage(fixture, client, topic: "Later", offset: QueueOffset(1))
        #expect(delivered.body == Array("later".utf8))
        #expect(delivered.storeTimestamp >= held.storeTimestamp + 3000, "delivered before its 3 s delay")
        #expect(delivered.property("DELAY") == nil && delivered.property("REAL_TOPIC") == nil)
        let all = try MessageTests.pullAll(client, topic: "Later")
        #expect(all[0]?.map(\.body) == [Array("now".utf8), Array("later".utf8)])
    }

    @Test(
        "a failed message comes back with its reconsume count (delivered by the next leader after a kill), then in the dead-letter topic `ledger pull` reads"
    )
    func sendBacksRetryThenDeadLetter() throws {
        let fixture = try ClusterFixture(adminPorts: true, settings: Self.settings)
        _ = try fixture.awaitLeader()
        let client = MessageTests.patientClient(fixture)
        defer { client.close() }
        let sent = try client.send(
            ProducerMessage(topic: "Work", target: .queue(1), tags: "TagA", body: Array("job".utf8)))
        // Level 3 + 0 = 3, the last (3 s): by way of the schedule topic.
        let back = try client.sendBack(group: "G", offset: sent.physicalOffset, maxReconsumeTimes: 1)
        #expect(back.queue == MessageQueue(topic: SystemTopic.schedule, queueID: 2))
        #expect(try client.sendBack(group: "G", offset: sent.physicalOffset, maxReconsumeTimes: 1) == back)
        // The leader that stored the send-back dies; the next one delivers it and takes the next.
        let leader = try fixture.awaitLeader()
        fixture.cluster.kill(leader.peer.id)
        _ = try fixture.awaitLeader(excluding: leader.peer.id)
        let retried = try awaitMessage(fixture, client, topic: "%RETRY%G")
        #expect(retried.body == Array("job".utf8) && retried.reconsumeTimes == 1)
        #expect(retried.property("RETRY_TOPIC") == "Work" && retried.tags == "TagA")
        #expect(retried.property("ORIGIN_MESSAGE_ID") == sent.messageID)

        let dead = try client.sendBack(group: "G", offset: retried.physicalOffset, maxReconsumeTimes: 1)
        #expect(dead.queue == MessageQueue(topic: "%DLQ%G", queueID: 0))
        let pulled = try fixture.ledger(["pull", "--topic", "%DLQ%G", "--queue", "0"])
        #expect(pulled.status == .exited(0), "\(pulled.stderr)")
        #expect(pulled.stdout.hasPrefix("0 TagA - job\n"), "\(pulled.stdout)")

        // Every node counted them as it applied them.
        func metric(_ port: UInt16, _ name: String) throws -> Int? {
            let text = try HTTPProbe.get(port: port, "/metrics").body
            return text.split(separator: "\n").first { $0.hasPrefix("\(name) ") }.flatMap {
                Int($0.dropFirst(name.count + 1))
            }
        }
        try fixture.eventually("every live node counting 1 held, 1 delivered, 1 retried, 1 dead-lettered") {
            zip(fixture.peers, fixture.cluster.adminPorts).filter { fixture.cluster.isRunning($0.0.id) }.map(\.1)
                .allSatisfy { port in
                    (try? metric(port, "ledger_messages_delayed_total")) == 1
                        && (try? metric(port, "ledger_messages_delay_delivered_total")) == 1
                        && (try? metric(port, "ledger_messages_retried_total")) == 1
                        && (try? metric(port, "ledger_messages_dead_lettered_total")) == 1
                        && (try? metric(port, "ledger_messages_delayed_waiting")) == 0
                }
        }
    }
}
