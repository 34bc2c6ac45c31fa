import LedgerCLI
import Testing

@testable import LedgerChaos

/// The chaos checker's teeth on message histories: doctored histories of the message workload
/// fail with the right check and message.
@Suite struct ChaosMessageCheckerTests {
    // A clean message history: p0#1, p1#1, p0#2 at offsets 0, 1, 2 of chaos-a/0 (log entries
    // 2-4 are their sends, 5 an offset commit); group chaos-g0 committed 2, seen during the run
    // as 1 (committed) and then 2 (read back); the same on three nodes, one leader per term.

    static let queue = "chaos-a/0"
    static let group = "chaos-g0"
    static let consumer = "chaos-g0/c0"

    static func op(_ producer: Int, _ sequence: Int) -> ChaosOperationID {
        ChaosOperationID(producer: producer, sequence: sequence)
    }

    static func entry(_ index: UInt64, _ what: String) -> ChaosItem {
        ChaosItem(position: .index(index), content: .bookkeeping(what), fingerprint: Array("entry \(index)".utf8))
    }

    static func message(_ offset: Int64, _ id: ChaosOperationID) -> ChaosItem {
        ChaosItem(
            position: .queueOffset(queue: queue, offset: offset), content: .operation(id),
            fingerprint: Array("record \(offset) \(id)".utf8))
    }

    static func acknowledged(_ id: ChaosOperationID, at offset: Int64) -> ChaosOperation {
        ChaosOperation(
            id: id, started: .zero, ended: .milliseconds(5),
            attempts: [.acknowledged(.queueOffset(queue: queue, offset: offset), node: "n0")], idempotent: true)
    }

    static func observation(_ offset: Int64, _ source: ChaosOffsetSource, _ started: Int64, _ ended: Int64)
        -> ChaosOffsetObservation
    {
        ChaosOffsetObservation(
            group: group, queue: queue, offset: offset, source: source, consumer: consumer,
            started: .milliseconds(started), ended: .milliseconds(ended))
    }

    static let log = [
        entry(1, "the no-op of term 1"), entry(2, "a send at 2"), entry(3, "a send at 3"), entry(4, "a send at 4"),
        entry(5, "an offset commit at 5"),
    ]
    static let messages = [message(0, op(0, 1)), message(1, op(1, 1)), message(2, op(0, 2))]
    static let operations = [
        acknowledged(op(0, 1), at: 0), acknowledged(op(1, 1), at: 1), acknowledged(op(0, 2), at: 2),
    ]
    static let observations = [observation(1, .committed, 100, 110), observation(2, .queried, 200, 210)]

    static func node(_ name: String, messages: [ChaosItem] = messages, committed: Int64? = 2) -> ChaosNodeContents {
        ChaosNodeContents(
            node: name, items: log + messages,
            queueBounds: [queue: 0..<Int64(messages.count)],
            committedOffsets: committed.map {
                [ChaosCommittedOffset(group: group, queue: queue, offset: $0, node: name)]
            } ?? [],
            digest: ChaosStateDigest(applied: 5, reported: 0xABCD, replayed: 0xABCD))
    }

    static func history(
        operations: [ChaosOperation] = operations, messages: [ChaosItem] = messages,
        leaders: [ChaosLeaderSighting] = [ChaosLeaderSighting(term: 1, node: "n0", at: .zero)],
        observations: [ChaosOffsetObservation] = observations
    ) -> ChaosHistory {
        ChaosHistory(
            operations: operations, leaders: leaders, reads: [],
            finalContents: ["n0", "n1", "n2"].map { node($0, messages: messages) },
            offsetObservations: observations)
    }

    @Test func cleanMessageHistoryPasses() {
        let verdict = ChaosChecker.check(Self.history())
        #expect(verdict.passed, "\(verdict.violations)")
    }

    @Test func acknowledgedMessageMissingFails() throws {
        let (check, message) = try #require(
            ChaosCheckerTests.failure(Self.history(messages: Array(Self.messages.prefix(2)))))
        #expect(check == .acknowledgedPresent)
        #expect(message == "acknowledged operation p0#2 missing: nothing is stored at chaos-a/0 offset 2")
    }

    @Test func duplicateMessageFails() throws {
        let messages = Self.messages + [Self.message(3, Self.op(1, 1))]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(messages: messages)))
        #expect(check == .noDuplicates)
        #expect(
            message
                == "duplicate: operation p1#1 (acknowledged at chaos-a/0 offset 1) is stored 2 times: "
                + "chaos-a/0 offset 1, chaos-a/0 offset 3")
    }

    @Test func perQueueProducerOrderViolationFails() throws {
        let messages = [Self.message(0, Self.op(0, 2)), Self.message(1, Self.op(1, 1)), Self.message(2, Self.op(0, 1))]
        let operations = [
            Self.acknowledged(Self.op(0, 1), at: 2), Self.acknowledged(Self.op(1, 1), at: 1),
            Self.acknowledged(Self.op(0, 2), at: 0),
        ]
        let (check, message) = try #require(
            ChaosCheckerTests.failure(Self.history(operations: operations, messages: messages)))
        #expect(check == .producerOrder)
        #expect(
            message
                == "producer p0 out of order in chaos-a/0: p0#2 at chaos-a/0 offset 0 before p0#1 at chaos-a/0 offset 2"
        )
    }

    @Test func consumerOffsetBeyondTheQueueFails() throws {
        var history = Self.history()
        history.finalContents[1].committedOffsets[0].offset = 4
        let (check, message) = try #require(ChaosCheckerTests.failure(history))
        #expect(check == .offsetsInLog)
        #expect(message == "group chaos-g0 committed offset 4 of chaos-a/0 on n1, outside the queue's 0...3")
    }

    @Test func offsetSeenDuringTheRunBeyondTheQueueFails() {
        var history = Self.history()
        history.offsetObservations.append(Self.observation(7, .queried, 300, 310))
        let found = ChaosChecker.check(history).violations.filter { $0.check == .offsetsInLog }.map(\.message)
        #expect(
            found
                == [
                    "group chaos-g0 committed offset 7 of chaos-a/0 (read by chaos-g0/c0 (300-310 ms)), "
                        + "outside the queue's 0...3"
                ])
    }

    @Test func twoLeadersInOneTermFail() throws {
        let leaders = [
            ChaosLeaderSighting(term: 3, node: "n0", at: .zero),
            ChaosLeaderSighting(term: 3, node: "n2", at: .seconds(1)),
        ]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(leaders: leaders)))
        #expect(check == .electionSafety)
        #expect(message == "term 3 had 2 leaders: n0 and n2")
    }

    @Test func committedOffsetGoingBackFails() throws {
        let observations = Self.observations + [Self.observation(1, .queried, 400, 410)]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(observations: observations)))
        #expect(check == .offsetsMonotonic)
        #expect(
            message
                == "group chaos-g0 offset of chaos-a/0 went back: 2 read by chaos-g0/c0 (200-210 ms), "
                + "then 1 read by chaos-g0/c0 (400-410 ms)")
        // Overlapping observations may see either value: no violation.
        let overlapping = Self.observations + [Self.observation(1, .queried, 205, 410)]
        #expect(ChaosChecker.check(Self.history(observations: overlapping)).passed)
    }

    @Test func acknowledgedOffsetCommitLostAfterTheHealFails() throws {
        var history = Self.history()
        history.finalContents[2].committedOffsets = []
        let (check, message) = try #require(ChaosCheckerTests.failure(history))
        #expect(check == .offsetsMonotonic)
        #expect(
            message
                == "group chaos-g0 offset of chaos-a/0 was 2 read by chaos-g0/c0 (200-210 ms), "
                + "but n2 holds none after the heal")
        history.finalContents[2].committedOffsets = [
            ChaosCommittedOffset(group: Self.group, queue: Self.queue, offset: 1, node: "n2")
        ]
        #expect(
            ChaosCheckerTests.failure(history)?.1
                == "group chaos-g0 offset of chaos-a/0 went back: 2 read by chaos-g0/c0 (200-210 ms), "
                + "then 1 on n2 after the heal")
    }

    @Test func stateDigestsMustAgreeAndMatchTheReplayedLog() throws {
        var history = Self.history()
        history.finalContents[2].digest = ChaosStateDigest(applied: 5, reported: 0xEEEE, replayed: 0xABCD)
        let found = ChaosChecker.check(history).violations
        #expect(Set(found.map(\.check)) == [.identicalLogs])
        #expect(
            found.map(\.message) == [
                "n2 reports state digest 000000000000eeee at applied index 5, but its committed log replays to "
                    + "000000000000abcd",
                "n0 and n2 are both at applied index 5 with different state digests: 000000000000abcd and "
                    + "000000000000eeee",
            ])
    }

    @Test func messageBodiesNameTheirOperation() {
        let id = Self.op(3, 41)
        #expect(ChaosOperationID(parsing: "p3#41") == id)
        #expect(ChaosOperationID(parsing: "p3#") == nil)
        #expect(ChaosOperationID(parsing: "q3#41") == nil)
        #expect(ChaosOperationID(parsing: "p3#0") == nil)
        // Padded to a size (the soak's 1 KiB messages), a body still names its operation.
        let padded = ChaosMessageWorkload.body(id, size: 1024)
        #expect(padded.count == 1024)
        #expect(ChaosMessageWorkload.operation(inBody: padded) == id)
        #expect(ChaosMessageWorkload.body(id, size: 4) == ChaosMessageWorkload.body(id))
        #expect(ChaosMessageWorkload.operation(inBody: Array("chaos-message p3#41 ..x".utf8)) == nil)
    }
}
