import CommitLog
import LedgerClient
import Raft
import Synchronization
import Testing
import Wire

/// The client's message operations against fake nodes: idempotent retries, refusals, reads.
@Suite struct MessageClientTests {
    /// The producer stamps of the send requests a fake node saw, in order.
    final class Stamps: Sendable {
        let values = Mutex<[ProducerStamp?]>([])
        func append(_ stamp: ProducerStamp?) -> Int {
            values.withLock {
                $0.append(stamp)
                return $0.count
            }
        }
        var all: [ProducerStamp?] { values.withLock { $0 } }
    }

    static func result(_ offset: Int64) -> SendResult {
        SendResult(
            queue: MessageQueue(topic: "T", queueID: 1), queueOffset: QueueOffset(offset),
            physicalOffset: PhysicalOffset(offset * 100), messageID: "ID\(offset)", storeTimestamp: 5)
    }

    @Test func aRetriedSendKeepsItsProducerStampAndTheNextSendTakesANewOne() throws {
        let stamps = Stamps()
        let leader = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 0, .leader, term: 2, leader: 0)
            case .sendRequest(let send):
                // The first attempt "times out" on the node's side (no quorum); the retry succeeds.
                if stamps.append(send.producer) == 1 {
                    return FakeNode.error(.noQuorum, .send, "not committed in time")
                }
                return .sendResponse(SendResponse(results: [MessageClientTests.result(7)], duplicate: false))
            default: return nil
            }
        }
        defer { leader.stop() }
        let client = LedgerClient(
            peers: [leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)), producerID: ProducerID(42))
        let message = ProducerMessage(topic: "T", body: Array("hello".utf8))
        #expect(try client.send(message) == MessageClientTests.result(7))
        _ = try client.send(message)
        let seen = stamps.all
        #expect(seen.count == 3)
        #expect(seen[0] == ProducerStamp(producer: ProducerID(42), sequence: 1))
        #expect(seen[1] == seen[0], "the retry reuses the stamp")
        #expect(seen[2] == ProducerStamp(producer: ProducerID(42), sequence: 2))
    }

    @Test func refusedInputIsNotRetriedAndUnknownTopicsSaySo() throws {
        let leader = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 0, .leader, term: 2, leader: 0)
            case .sendRequest:
                return FakeNode.error(.badRequest, .send, "message body of 9 bytes exceeds maxMessageSize 4")
            case .pullRequest(let pull): return FakeNode.error(.badRequest, .pull, "no such topic: \(pull.queue.topic)")
            default: return nil
            }
        }
        defer { leader.stop() }
        let client = LedgerClient(peers: [leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        let error = #expect(throws: LedgerClientError.self) {
            try client.send(ProducerMessage(topic: "T", body: Array("too large".utf8)))
        }
        #expect(error == .rejected(node: "n0", message: "message body of 9 bytes exceeds maxMessageSize 4"))
        #expect(leader.count(.send) == 1)
        let pullError = #expect(throws: LedgerClientError.self) {
            try client.pull(topic: "Nope", queueID: 0, offset: .zero)
        }
        #expect(pullError?.description == "rejected by n0: no such topic: Nope")
    }

    @Test func pullFollowsARedirectAndReturnsTheLeadersAnswer() throws {
        let stored = StoredMessage(
            queueID: 0, flag: 0, queueOffset: QueueOffset(3), physicalOffset: PhysicalOffset(300), sysFlag: 0,
            bornTimestamp: 1, bornHost: .unspecified, storeTimestamp: 2,
            storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 9),
            body: Array("m".utf8), topic: "T", properties: [MessagePropertyPair("TAGS", "A")])
        let answer = PullResult(
            status: .found, nextOffset: QueueOffset(4), minOffset: .zero, maxOffset: QueueOffset(4), messages: [stored])
        let leader = try FakeNode(id: 1) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 1, .leader, term: 2, leader: 1)
            case .pullRequest(let pull) where pull.offset == QueueOffset(3) && pull.tagExpression == "A":
                return .pullResponse(PullResponse(result: answer))
            default: return nil
            }
        }
        let follower = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 0, .follower, term: 2, leader: 1)
            default: return FakeNode.error(.notLeader(leader: NodeID(1), leaderAddress: nil), request.opcode)
            }
        }
        defer {
            leader.stop()
            follower.stop()
        }
        let client = LedgerClient(
            peers: [follower.peer, leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        #expect(try client.pull(topic: "T", queueID: 0, offset: QueueOffset(3), tags: "A") == answer)
    }
}
