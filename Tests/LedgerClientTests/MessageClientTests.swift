import LedgerClient
import LedgerConfig
import LedgerModel
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
                // The first attempt times out on the node's side (outcome unknown); the retry succeeds.
                if stamps.append(send.producer) == 1 {
                    return FakeNode.error(.outcomeUnknown, .send, "entry 4 was not acknowledged by a majority")
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

    /// The detail of an `outcomeUnknown` error; any other error (or none) is an issue.
    static func unknownOutcome(_ error: LedgerClientError?, sourceLocation: SourceLocation = #_sourceLocation)
        -> String?
    {
        guard case .outcomeUnknown(let detail)? = error else {
            Issue.record("expected outcomeUnknown, got \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
        return detail
    }

    @Test func aSendThatMayHaveBeenStoredEndsOutcomeUnknownNeverNoQuorum() throws {
        let leader = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 0, .leader, term: 2, leader: 0)
            case .sendRequest:
                return FakeNode.error(.outcomeUnknown, .send, "leadership lost before entry 9 committed")
            default: return nil
            }
        }
        defer { leader.stop() }
        let client = LedgerClient(peers: [leader.peer], options: LedgerClientTests.options(timeout: .seconds(2)))
        let error = #expect(throws: LedgerClientError.self) {
            try client.send(ProducerMessage(topic: "T", body: Array("x".utf8)))
        }
        guard let detail = MessageClientTests.unknownOutcome(error) else { return }
        #expect(
            detail.hasPrefix(
                "send was not confirmed within 2000 ms and may have been stored (n0: outcome unknown: leadership lost"),
            "\(detail)")
        #expect(leader.count(.send) > 1, "an idempotent send is retried after an unknown outcome")
    }

    @Test func aSendSentAndNeverAnsweredEndsOutcomeUnknown() throws {
        let silent = try FakeNode(id: 0) { request in
            if case .statusRequest = request { return FakeNode.status(id: 0, .leader, term: 2, leader: 0) }
            return nil
        }
        defer { silent.stop() }
        let client = LedgerClient(peers: [silent.peer], options: LedgerClientTests.options(timeout: .seconds(2)))
        let error = #expect(throws: LedgerClientError.self) {
            try client.send(ProducerMessage(topic: "T", body: Array("x".utf8)))
        }
        guard let detail = MessageClientTests.unknownOutcome(error) else { return }
        #expect(detail.contains("n0 (127.0.0.1:\(silent.peer.port)): timeout after"), "\(detail)")
        // A read has no effect to be unsure about: the same silence is no quorum.
        let readError = #expect(throws: LedgerClientError.self) { try client.queueOffsets(topic: "T", queueID: 0) }
        guard case .noQuorum = readError else {
            Issue.record("expected noQuorum for a read, got \(String(describing: readError))")
            return
        }
    }

    @Test func aRetryRejectedAfterAnUnknownOutcomeIsStillUnknown() throws {
        let sends = LedgerClientTests.Counter()
        let leader = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 0, .leader, term: 2, leader: 0)
            case .sendRequest:
                return sends.next() == 1
                    ? FakeNode.error(.outcomeUnknown, .send, "entry 3 was not acknowledged by a majority")
                    : FakeNode.error(.badRequest, .send, "queue 9 out of range")
            default: return nil
            }
        }
        defer { leader.stop() }
        let client = LedgerClient(peers: [leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        let error = #expect(throws: LedgerClientError.self) {
            try client.send(ProducerMessage(topic: "T", body: Array("x".utf8)))
        }
        guard let detail = MessageClientTests.unknownOutcome(error) else { return }
        #expect(detail.contains("a retry was rejected: n0: bad request: queue 9 out of range"), "\(detail)")
    }

    @Test func anAttemptTimeoutMovesASendOffAHungLeaderWithTheSameStamp() throws {
        final class Moved: Sendable { let value = Atomic<Bool>(false) }
        let moved = Moved()
        let stamps = Stamps()
        // n0 leads, takes the send and hangs; from then on n1 leads and answers.
        let hung = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest:
                return moved.value.load(ordering: .relaxed) ? nil : FakeNode.status(id: 0, .leader, term: 2, leader: 0)
            case .sendRequest(let send):
                _ = stamps.append(send.producer)
                moved.value.store(true, ordering: .relaxed)
                return nil
            default: return nil
            }
        }
        let next = try FakeNode(id: 1) { request in
            switch request {
            case .statusRequest:
                return moved.value.load(ordering: .relaxed)
                    ? FakeNode.status(id: 1, .leader, term: 3, leader: 1)
                    : FakeNode.status(id: 1, .follower, term: 2, leader: 0)
            case .sendRequest(let send):
                _ = stamps.append(send.producer)
                return .sendResponse(SendResponse(results: [MessageClientTests.result(1)], duplicate: true))
            default: return nil
            }
        }
        defer {
            hung.stop()
            next.stop()
        }
        let options = LedgerClientOptions(
            timeout: .seconds(30), nodeTimeout: .milliseconds(300), attemptTimeout: .milliseconds(200))
        let client = LedgerClient(peers: [hung.peer, next.peer], options: options, producerID: ProducerID(7))
        #expect(try client.send(ProducerMessage(topic: "T", body: Array("x".utf8))) == MessageClientTests.result(1))
        #expect(client.leaderHint == next.peer)
        let seen = stamps.all
        #expect(seen.count == 2 && seen[0] == seen[1], "the retry on the new leader reuses the stamp: \(seen)")
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
