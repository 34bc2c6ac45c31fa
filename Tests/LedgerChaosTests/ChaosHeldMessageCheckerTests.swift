import LedgerCLI
import Testing

@testable import LedgerChaos

/// The held-message checks' teeth: doctored histories of delayed sends, send-backs and
/// transactions fail with the right check and message.
@Suite struct ChaosHeldMessageCheckerTests {
    // A clean history, store times from T, delay levels 1 s, 2 s, 3 s, the final logs read at
    // T + 20 s:
    // - p0#1 sent to chaos-a/0 offset 0;
    // - p0#2 delayed (level 2): held at SCHEDULE_TOPIC_XXXX/1 offset 0 at T + 10, delivered to
    //   chaos-a/0 offset 1 at T + 2015;
    // - p1#1 a transaction committed: half at RMQ_SYS_TRANS_HALF_TOPIC/0 offset 0 (physical 300),
    //   its message at chaos-a/0 offset 2;
    // - p1#2 a transaction rolled back: half at offset 1 (physical 400), nothing in its topic;
    // - chaos-g0/c0 sent p0#1 back (maximum 1): held at SCHEDULE_TOPIC_XXXX/2 offset 0 on its
    //   way to %RETRY%chaos-g0, delivered there at offset 0 after 3 s; then sent that retry back,
    //   past the maximum: %DLQ%chaos-g0/0 offset 0, reconsume times 2.

    static let start: Int64 = 1_000_000
    static let group = "chaos-g0"
    static let consumer = "chaos-g0/c0"
    static let schedule = "SCHEDULE_TOPIC_XXXX"
    static let half = "RMQ_SYS_TRANS_HALF_TOPIC"
    static let retry = "%RETRY%chaos-g0"
    static let deadLetter = "%DLQ%chaos-g0"

    static func op(_ producer: Int, _ sequence: Int) -> ChaosOperationID {
        ChaosOperationID(producer: producer, sequence: sequence)
    }

    static func message(_ id: ChaosOperationID, _ facts: ChaosMessageFacts, offset: Int64) -> ChaosItem {
        let queue = "\(facts.topic)/\(facts.queueID)"
        return ChaosItem(
            position: .queueOffset(queue: queue, offset: offset), content: .operation(id),
            fingerprint: Array("\(queue) \(offset) \(id) \(facts.storeTime)".utf8), message: facts)
    }

    static func operation(_ id: ChaosOperationID, at queue: String, _ offset: Int64, kind: ChaosOperationKind)
        -> ChaosOperation
    {
        ChaosOperation(
            id: id, started: .zero, ended: .milliseconds(5),
            attempts: [.acknowledged(.queueOffset(queue: queue, offset: offset), node: "n0")], idempotent: true,
            kind: kind)
    }

    static func end(commit: Bool, _ outcome: ChaosAttemptOutcome) -> ChaosOperationKind {
        .transaction(ChaosTransactionEnd(commit: commit, outcome: outcome))
    }

    static let sent = message(
        op(0, 1), ChaosMessageFacts(topic: "chaos-a", queueID: 0, physicalOffset: 100, storeTime: start), offset: 0)
    static let delayedHeld = message(
        op(0, 2),
        ChaosMessageFacts(
            topic: schedule, queueID: 1, physicalOffset: 200, storeTime: start + 10, delayLevel: 2,
            realTopic: "chaos-a",
            realQueueID: 0),
        offset: 0)
    static func delivered(storeTime: Int64 = start + 2015, offset: Int64 = 1) -> ChaosItem {
        message(
            op(0, 2),
            ChaosMessageFacts(topic: "chaos-a", queueID: 0, physicalOffset: 500 + offset, storeTime: storeTime),
            offset: offset)
    }
    static let committedHalf = message(
        op(1, 1),
        ChaosMessageFacts(
            topic: half, queueID: 0, physicalOffset: 300, storeTime: start + 20, realTopic: "chaos-a", realQueueID: 0),
        offset: 0)
    static let rolledBackHalf = message(
        op(1, 2),
        ChaosMessageFacts(
            topic: half, queueID: 0, physicalOffset: 400, storeTime: start + 30, realTopic: "chaos-a", realQueueID: 0),
        offset: 1)
    static func commit(_ id: ChaosOperationID, half: Int64, offset: Int64) -> ChaosItem {
        message(
            id,
            ChaosMessageFacts(
                topic: "chaos-a", queueID: 0, physicalOffset: 600 + offset, storeTime: start + 40, committedHalf: half),
            offset: offset)
    }
    static let sentBackHeld = message(
        op(0, 1),
        ChaosMessageFacts(
            topic: schedule, queueID: 2, physicalOffset: 700, storeTime: start + 100, reconsumeTimes: 1, delayLevel: 3,
            realTopic: retry, realQueueID: 0),
        offset: 0)
    static let retried = message(
        op(0, 1),
        ChaosMessageFacts(topic: retry, queueID: 0, physicalOffset: 800, storeTime: start + 3100, reconsumeTimes: 1),
        offset: 0)
    static func deadLettered(offset: Int64 = 0, reconsumeTimes: Int32 = 2) -> ChaosItem {
        message(
            op(0, 1),
            ChaosMessageFacts(
                topic: deadLetter, queueID: 0, physicalOffset: 900 + offset, storeTime: start + 3200,
                reconsumeTimes: reconsumeTimes),
            offset: offset)
    }

    static let messages = [
        sent, delayedHeld, delivered(), committedHalf, rolledBackHalf, commit(op(1, 1), half: 300, offset: 2),
        sentBackHeld, retried,
        deadLettered(),
    ]

    static let operations = [
        operation(op(0, 1), at: "chaos-a/0", 0, kind: .send),
        operation(op(0, 2), at: "\(schedule)/1", 0, kind: .delayed(level: 2)),
        operation(
            op(1, 1), at: "\(half)/0", 0,
            kind: end(commit: true, .acknowledged(.queueOffset(queue: "\(half)/0", offset: 0), node: "n0"))),
        operation(
            op(1, 2), at: "\(half)/0", 1,
            kind: end(commit: false, .acknowledged(.queueOffset(queue: "\(half)/0", offset: 1), node: "n0"))),
    ]

    static func sendBack(_ source: ChaosItem, to queue: String, _ offset: Int64) -> ChaosSendBack {
        ChaosSendBack(
            group: group, consumer: consumer, source: source, delayLevel: 0, maxReconsumeTimes: 1, started: .zero,
            ended: .milliseconds(5), outcome: .acknowledged(.queueOffset(queue: queue, offset: offset), node: "n0"))
    }

    static let sendBacks = [sendBack(sent, to: "\(schedule)/2", 0), sendBack(retried, to: "\(deadLetter)/0", 0)]

    static func history(
        messages: [ChaosItem] = messages, operations: [ChaosOperation] = operations,
        sendBacks: [ChaosSendBack] = sendBacks, reads: [ChaosRead] = [], finalReadAt: Int64 = start + 20_000
    ) -> ChaosHistory {
        ChaosHistory(
            operations: operations, leaders: [ChaosLeaderSighting(term: 1, node: "n0", at: .zero)], reads: reads,
            finalContents: ["n0", "n1", "n2"].map { ChaosNodeContents(node: $0, items: messages) },
            sendBacks: sendBacks, delayLevels: [1000, 2000, 3000], finalReadAt: finalReadAt)
    }

    @Test func cleanHeldHistoryPasses() {
        let verdict = ChaosChecker.check(Self.history())
        #expect(verdict.passed, "\(verdict.violations)")
    }

    @Test func delayedMessageDeliveredEarlyFails() throws {
        var messages = Self.messages
        messages[2] = Self.delivered(storeTime: Self.start + 1500)
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .delayedDelivery)
        #expect(
            message
                == "operation p0#2 held at SCHEDULE_TOPIC_XXXX/1 offset 0 was delivered early: stored at chaos-a/0 "
                + "offset 1 510 ms before it was due (level 2, 2000 ms)")
    }

    @Test func delayedMessageDeliveredTwiceFails() throws {
        let messages = Self.messages + [Self.delivered(offset: 3)]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .delayedDelivery)
        #expect(
            message
                == "operation p0#2 held at SCHEDULE_TOPIC_XXXX/1 offset 0 was delivered 2 times: chaos-a/0 offset 1, "
                + "chaos-a/0 offset 3")
    }

    @Test func delayedMessageNeverDeliveredFailsOnlyOnceDueWellBeforeTheEnd() throws {
        let messages = Self.messages.filter { $0 != Self.delivered() }
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .delayedDelivery)
        #expect(
            message
                == "operation p0#2 held at SCHEDULE_TOPIC_XXXX/1 offset 0 was never delivered into chaos-a: due "
                + "(level 2, 2000 ms) 17990 ms before the final logs were read")
        // Due less than the slack before the read: it may still be on its way.
        let early = Self.history(messages: messages, finalReadAt: Self.start + 2010 + 4999)
        #expect(ChaosChecker.check(early).passed, "\(ChaosChecker.check(early).violations)")
    }

    @Test func delayedMessageReadBeforeItWasDueFails() throws {
        let read = ChaosRead(consumer: "chaos-g1/c0", node: "n0", item: Self.delivered(), at: Self.start + 1000)
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(reads: [read])))
        #expect(check == .delayedDelivery)
        #expect(
            message
                == "chaos-g1/c0 read operation p0#2 at chaos-a/0 offset 1 1010 ms before it was due (held at "
                + "SCHEDULE_TOPIC_XXXX/1 offset 0)")
        var onTime = read
        onTime.at = Self.start + 2015
        #expect(ChaosChecker.check(Self.history(reads: [onTime])).passed)
    }

    @Test func delayedMessagesAreLeftOutOfProducerOrder() {
        // p0#2 delivered before p0#1 in chaos-a/0 (it was delayed): no producer-order violation.
        var messages = Self.messages
        messages[0] = Self.message(
            Self.op(0, 1), ChaosMessageFacts(topic: "chaos-a", queueID: 0, physicalOffset: 100, storeTime: Self.start),
            offset: 4)
        let verdict = ChaosChecker.check(Self.history(messages: messages, sendBacks: []))
        #expect(!verdict.violations.contains { $0.check == .producerOrder }, "\(verdict.violations)")
        #expect(!verdict.violations.contains { $0.check == .noDuplicates }, "\(verdict.violations)")
    }

    @Test func rolledBackHalfMessageVisibleFails() throws {
        let messages = Self.messages + [Self.commit(Self.op(1, 2), half: 400, offset: 3)]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .transactions)
        #expect(
            message
                == "operation p1#2 (transaction, rollback acknowledged by n0 at RMQ_SYS_TRANS_HALF_TOPIC/0 offset 1) "
                + "is in its topic 1 time(s): chaos-a/0 offset 3")
    }

    @Test func committedTransactionMissingFails() throws {
        let messages = Self.messages.filter { $0 != Self.commit(Self.op(1, 1), half: 300, offset: 2) }
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .transactions)
        #expect(
            message
                == "operation p1#1 (transaction, commit acknowledged by n0 at RMQ_SYS_TRANS_HALF_TOPIC/0 offset 0) "
                + "is not in its topic")
    }

    @Test func commitWithUnknownOutcomeMayOrMayNotBeVisible() {
        var operations = Self.operations
        operations[2].kind = Self.end(commit: true, .indeterminate("outcome unknown: timeout"))
        #expect(ChaosChecker.check(Self.history(operations: operations)).passed)
        let messages = Self.messages.filter { $0 != Self.commit(Self.op(1, 1), half: 300, offset: 2) }
        #expect(ChaosChecker.check(Self.history(messages: messages, operations: operations)).passed)
        // An undecided half message is never visible.
        operations[2].kind = .transaction(nil)
        let found = ChaosChecker.check(Self.history(operations: operations)).violations
        #expect(found.map(\.check) == [.transactions])
    }

    @Test func sendBackStoredTwiceFails() throws {
        let messages = Self.messages + [Self.deadLettered(offset: 1)]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .sendBacks)
        #expect(
            message
                == "operation p0#1 sent back by chaos-g0 with reconsume times 1 is stored 2 times: "
                + "%DLQ%chaos-g0/0 offset 0, %DLQ%chaos-g0/0 offset 1")
    }

    @Test func acknowledgedSendBackLostFails() throws {
        let messages = Self.messages.filter { $0 != Self.deadLettered() }
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .sendBacks)
        #expect(
            message
                == "chaos-g0/c0's send-back of operation p0#1 from %RETRY%chaos-g0/0 offset 0 (reconsume times 1, "
                + "maximum 1), acknowledged at %DLQ%chaos-g0/0 offset 0, is lost: %DLQ%chaos-g0/0 offset 0 is empty")
    }

    @Test func sendBackWithTheWrongReconsumeTimesFails() throws {
        var messages = Self.messages
        messages[messages.count - 1] = Self.deadLettered(reconsumeTimes: 3)
        let found = ChaosChecker.check(Self.history(messages: messages)).violations
        #expect(Set(found.map(\.check)) == [.sendBacks])
        #expect(
            found.first?.message
                == "chaos-g0/c0's send-back of operation p0#1 from %RETRY%chaos-g0/0 offset 0 (reconsume times 1, "
                + "maximum 1), acknowledged at %DLQ%chaos-g0/0 offset 0, has reconsume times 3, not 2")
        #expect(
            found.map(\.message).contains(
                "operation p0#1 sent back by chaos-g0 with reconsume times 2 is stored at %DLQ%chaos-g0/0 offset 0, "
                    + "but no consumer's send-back could have"))
    }

    @Test func retriedMessageDeliveredBeforeItsDelayFails() throws {
        var messages = Self.messages
        messages[7] = Self.message(
            Self.op(0, 1),
            ChaosMessageFacts(
                topic: Self.retry, queueID: 0, physicalOffset: 800, storeTime: Self.start + 2000, reconsumeTimes: 1),
            offset: 0)
        var sendBacks = Self.sendBacks
        sendBacks[1].source = messages[7]
        let (check, message) = try #require(
            ChaosCheckerTests.failure(Self.history(messages: messages, sendBacks: sendBacks)))
        #expect(check == .delayedDelivery)
        #expect(
            message
                == "operation p0#1 held at SCHEDULE_TOPIC_XXXX/2 offset 0 was delivered early: stored at "
                + "%RETRY%chaos-g0/0 offset 0 1100 ms before it was due (level 3, 3000 ms)")
    }
}
