import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Synchronization
import Testing
import Wire

@testable import LedgerLocalGroup

/// The message CommitLog end to end on three real `ledger server` processes: sends survive a
/// kill -9 of the leader exactly once and in queue order, retries are stored once, consumer
/// offsets survive a leader change, and the CLI keeps issue 5's contracts. Deadlines are
/// generous; nothing waits on a fixed sleep.
@Suite(.serialized)
struct MessageTests {
    /// A client whose sends retry for long enough to ride out an election on a busy machine.
    static func patientClient(_ fixture: ClusterFixture, producerID: ProducerID? = nil) -> LedgerClient {
        LedgerClient(peers: fixture.peers, options: LedgerClientOptions(timeout: .seconds(20)), producerID: producerID)
    }

    /// Every message of every queue of `topic`, pulled from offset 0 until nothing is new.
    static func pullAll(_ client: LedgerClient, topic: String) throws -> [Int32: [StoredMessage]] {
        var queues: [Int32: [StoredMessage]] = [:]
        let info = try #require(try client.topics().first { $0.name == topic }, "topic \(topic) is listed")
        for queueID in 0..<Int32(info.queues.count) {
            var offset = QueueOffset.zero
            var messages: [StoredMessage] = []
            while true {
                let result = try client.pull(topic: topic, queueID: queueID, offset: offset, maxCount: 256)
                if result.status == .noNewMessage { break }
                #expect(result.status == .found, "queue \(queueID) at \(offset): \(result.status)")
                messages += result.messages
                offset = result.nextOffset
            }
            queues[queueID] = messages
        }
        return queues
    }

    @Test("1,000 sends while the leader is killed -9: every acknowledged message exactly once, in queue order")
    func sendsSurviveALeaderKill() throws {
        let fixture = try ClusterFixture()
        let first = try fixture.awaitLeader()
        let total = 1000
        let killAfter = 400
        final class Progress: Sendable {
            let acknowledged = Mutex<[Int: SendResult]>([:])
            let failures = Mutex<[String]>([])
            let done = Atomic<Bool>(false)
        }
        let progress = Progress()
        let peers = fixture.peers
        // The producer runs on its own thread so the kill lands while sends are in flight.
        spawnThread(name: "producer") {
            let producer = LedgerClient(peers: peers, options: LedgerClientOptions(timeout: .seconds(20)))
            defer {
                producer.close()
                progress.done.store(true, ordering: .releasing)
            }
            for number in 0..<total {
                do {
                    let result = try producer.send(ProducerMessage(topic: "Orders", body: Array("m-\(number)".utf8)))
                    progress.acknowledged.withLock { $0[number] = result }
                } catch {
                    progress.failures.withLock { $0.append("send \(number): \(error)") }
                }
            }
        }
        try fixture.eventually("\(killAfter) acknowledged sends", timeout: .seconds(60)) {
            progress.acknowledged.withLock { $0.count } >= killAfter
        }
        fixture.cluster.kill(first.peer.id)
        let second = try fixture.awaitLeader(excluding: first.peer.id)
        #expect(second.term > first.term)
        try fixture.eventually("the producer finishing", timeout: .seconds(60)) {
            progress.done.load(ordering: .acquiring)
        }
        let failures = progress.failures.withLock { $0 }
        #expect(failures.isEmpty, "\(failures)\n\(fixture.logs)")
        let results = progress.acknowledged.withLock { $0 }
        #expect(results.count == total)

        let queues = try MessageTests.pullAll(fixture.client, topic: "Orders")
        var seen: [Int: Int] = [:]
        for (queueID, messages) in queues.sorted(by: { $0.key < $1.key }) {
            var previous = -1
            for (position, message) in messages.enumerated() {
                #expect(message.queueOffset == QueueOffset(Int64(position)), "queue \(queueID) offsets are dense")
                let text = String(decoding: message.body, as: UTF8.self)
                let number = try #require(Int(text.dropFirst(2)), "body \(text)")
                seen[number, default: 0] += 1
                #expect(number > previous, "queue \(queueID): m-\(number) after m-\(previous), out of send order")
                previous = number
                if let result = results[number] {
                    #expect(result.queue.queueID == queueID && result.queueOffset == message.queueOffset)
                    #expect(result.messageID == message.messageID)
                }
            }
        }
        for number in results.keys.sorted() {
            #expect(seen[number] == 1, "acknowledged m-\(number) stored \(seen[number] ?? 0) times")
        }
        #expect(seen.values.allSatisfy { $0 == 1 }, "no message is stored twice")

        // The killed node recovers its message store and catches up: once every node has
        // applied the same entries, all report the same state digest.
        try fixture.cluster.start(first.peer.id)
        var states: [StatusResponse] = []
        try fixture.eventually("every node applying the same entries", timeout: .seconds(60)) {
            states = fixture.client.statusAll().nodes.compactMap(\.response)
            return states.count == 3 && Set(states.map(\.stateApplied)).count == 1
                && states.allSatisfy { $0.stateApplied == $0.lastIndex }
        }
        #expect(
            Set(states.map(\.stateDigest)).count == 1,
            "digests at index \(states[0].stateApplied): \(states.map { "\($0.nodeName) \($0.stateDigest)" })")
    }

    @Test("a retried send (same producer id and sequence) is stored once; offsets survive a leader change")
    func idempotenceAndOffsets() throws {
        let fixture = try ClusterFixture()
        let first = try fixture.awaitLeader()
        let producer = ProducerID(0xFEED)
        let original = try MessageTests.patientClient(fixture, producerID: producer).send(
            ProducerMessage(topic: "Pay", target: .queue(1), body: Array("charge 10".utf8)))
        // A second client with the same id starts at the same sequence: to the leader it is a retry.
        let retry = try MessageTests.patientClient(fixture, producerID: producer).send(
            ProducerMessage(topic: "Pay", target: .queue(1), body: Array("charge 10".utf8)))
        #expect(retry == original)
        let range = try fixture.client.queueOffsets(topic: "Pay", queueID: 1)
        #expect(range == QueueOffsetRange(minOffset: .zero, maxOffset: QueueOffset(1)), "stored once")

        let sender = MessageTests.patientClient(fixture)
        _ = try sender.sendBatch(
            (1...4).map { ProducerMessage(topic: "Pay", target: .queue(1), body: Array("more \($0)".utf8)) })
        let queue = MessageQueue(topic: "Pay", queueID: 1)
        try fixture.client.commitOffset(group: "billing", queue: queue, offset: QueueOffset(3))

        fixture.cluster.kill(first.peer.id)
        let second = try fixture.awaitLeader(excluding: first.peer.id)
        let after = MessageTests.patientClient(fixture)
        let progress = try after.consumerOffsets(group: "billing")
        #expect(
            progress
                == [
                    ConsumerProgress(
                        group: "billing", queue: queue, committedOffset: QueueOffset(3), maxOffset: QueueOffset(5))
                ])
        #expect(progress.first?.lag == 2)
        // The CLI starts a group's pull at its committed offset and commits where it stopped.
        let pull = try fixture.ledger([
            "pull", "--topic", "Pay", "--queue", "1", "--group", "billing", "--commit", "--timeout", "10000",
        ])
        #expect(pull.status == .exited(0), "stderr: \(pull.stderr)")
        #expect(pull.stdout == "3 - - more 3\n4 - - more 4\nnext 5 status FOUND min 0 max 5\n", "\(pull.stdout)")
        #expect(try after.consumerOffsets(group: "billing").first?.committedOffset == QueueOffset(5))

        // The killed node comes back, replays what it missed, and serves the same state as leader.
        try fixture.cluster.start(first.peer.id)
        try fixture.eventually("\(first.peer.name) catching up") {
            let view = fixture.client.statusAll()
            guard let leaderStatus = view.nodes.first(where: { $0.peer == second.peer })?.response,
                let restarted = view.nodes.first(where: { $0.peer == first.peer })?.response
            else { return false }
            return restarted.applied == leaderStatus.applied && restarted.applied >= leaderStatus.commit
        }
        _ = try after.transferLeader(to: first.peer.id)
        #expect(try after.consumerOffsets(group: "billing").first?.committedOffset == QueueOffset(5))
        let messages = try after.pull(topic: "Pay", queueID: 1, offset: .zero, maxCount: 10).messages
        #expect(
            messages.map { String(decoding: $0.body, as: UTF8.self) } == ["charge 10"] + (1...4).map { "more \($0)" })
    }

    @Test("ledger send, pull --json, offsets, topics: output lines, JSON fields, refusals and exit codes")
    func commandLineContracts() throws {
        let fixture = try ClusterFixture()
        _ = try fixture.awaitLeader()
        let send = try fixture.ledger(
            [
                "send", "--topic", "Chat", "--key", "room-1", "--tags", "TagA", "--keys", "k1 k2", "--property",
                "lang=en",
                "--timeout", "10000",
            ],
            stdin: "hello\nworld\n")
        #expect(send.status == .exited(0), "stderr: \(send.stderr)")
        let lines = send.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 2, "\(send.stdout)")
        let queue = try #require(lines.first?[1], "\(send.stdout)")
        for (offset, fields) in lines.enumerated() {
            #expect(fields.count == 4 && fields[0] == "Chat" && fields[1] == queue && fields[2] == "\(offset)")
            #expect(fields.last?.count == 32, "msgId: \(fields)")
        }

        let pull = try fixture.ledger(["pull", "--topic", "Chat", "--queue", queue, "--json", "--timeout", "10000"])
        #expect(pull.status == .exited(0), "stderr: \(pull.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(pull.stdout.utf8)) as? [String: Any], "\(pull.stdout)")
        #expect(object["status"] as? String == "FOUND")
        #expect(
            object["nextOffset"] as? Int == 2 && object["minOffset"] as? Int == 0 && object["maxOffset"] as? Int == 2)
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.map { $0["body"] as? String } == ["hello", "world"])
        for message in messages {
            for key in [
                "topic", "queueId", "queueOffset", "physicalOffset", "msgId", "tags", "keys", "body", "properties",
                "bornTimestamp", "storeTimestamp",
            ] {
                #expect(message[key] != nil, "message lacks \(key): \(message)")
            }
            #expect(message["tags"] as? String == "TagA" && message["keys"] as? String == "k1 k2")
            #expect((message["properties"] as? [String: String])?["lang"] == "en")
            #expect(message["bodyEncoding"] == nil)
        }
        #expect(messages.first?["msgId"] as? String == lines.first?[3])

        let illegal = try fixture.ledger(["pull", "--topic", "Chat", "--queue", queue, "--offset", "7", "--json"])
        #expect(illegal.status == .exited(0), "stderr: \(illegal.stderr)")
        #expect(
            illegal.stdout.hasPrefix(
                "{\"status\": \"OFFSET_ILLEGAL\", \"nextOffset\": 2, \"minOffset\": 0, \"maxOffset\": 2, \"messages\": []}"
            ),
            "\(illegal.stdout)")

        let unknown = try fixture.ledger(["pull", "--topic", "Nope", "--queue", "0"])
        #expect(unknown.status == .exited(1), "stdout: \(unknown.stdout)")
        #expect(
            unknown.stderr.hasPrefix("ledger pull: ") && unknown.stderr.contains("no such topic: Nope"),
            "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1)

        // The fixture's maxMessageSize is 1 MiB; the refusal comes before the log.
        let before = try fixture.client.status(of: try fixture.awaitLeader().peer).lastIndex
        let big = try fixture.ledger(
            ["send", "--topic", "Chat"], stdin: String(repeating: "x", count: (1 << 20) + 1) + "\n")
        #expect(big.status == .exited(1), "stdout: \(big.stdout)")
        #expect(big.stderr.contains("exceeds maxMessageSize 1048576"), "\(big.stderr)")
        #expect(try fixture.client.status(of: try fixture.awaitLeader().peer).lastIndex == before, "nothing proposed")

        let commit = try fixture.ledger([
            "pull", "--topic", "Chat", "--queue", queue, "--group", "readers", "--max", "1", "--commit",
        ])
        #expect(
            commit.status == .exited(0) && commit.stdout == "0 TagA k1,k2 hello\nnext 1 status FOUND min 0 max 2\n",
            "\(commit.stdout) \(commit.stderr)")
        let offsets = try fixture.ledger(["offsets", "--group", "readers", "--json"])
        #expect(
            offsets.stdout
                == "{\"group\": \"readers\", \"totalLag\": 1, \"queues\": [{\"topic\": \"Chat\", \"queueId\": \(queue), \"committedOffset\": 1, \"maxOffset\": 2, \"lag\": 1}]}\n",
            "\(offsets.stdout) \(offsets.stderr)")
        let topics = try fixture.ledger(["topics"])
        #expect(topics.status == .exited(0) && topics.stdout.hasPrefix("TOPIC  QUEUE  MIN  MAX\n"), "\(topics.stdout)")
        #expect(topics.stdout.contains("Chat   \(queue)      0    2"), "\(topics.stdout)")

        // A raw append still reads back as its bytes; a send entry reads as one line.
        let get = try fixture.ledger(["get", "--index", "2", "--json"])
        #expect(get.stdout.contains("\"type\": \"command\"") && get.stdout.contains("send to Chat"), "\(get.stdout)")
    }
}
