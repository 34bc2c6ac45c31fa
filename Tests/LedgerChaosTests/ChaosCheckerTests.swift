import LedgerCLI
import Testing

@testable import LedgerChaos

/// The chaos checker has teeth: doctored histories fail with the right check and message.
@Suite struct ChaosCheckerTests {
    // A clean raw-log history: p0#1 at 2, p1#1 at 3, p0#2 at 4 (index 1 is a leader's no-op),
    // the same on three nodes, one leader per term.

    static func op(_ producer: Int, _ sequence: Int) -> ChaosOperationID {
        ChaosOperationID(producer: producer, sequence: sequence)
    }

    static func item(_ index: UInt64, _ content: ChaosContent) -> ChaosItem {
        ChaosItem(position: .index(index), content: content, fingerprint: Array("\(index) \(content)".utf8))
    }

    static func acknowledged(_ id: ChaosOperationID, at index: UInt64, idempotent: Bool = false) -> ChaosOperation {
        ChaosOperation(
            id: id, started: .zero, ended: .milliseconds(5), attempts: [.acknowledged(.index(index), node: "n0")],
            idempotent: idempotent)
    }

    static let cleanLog = [
        item(1, .bookkeeping("the no-op of term 1")), item(2, .operation(op(0, 1))), item(3, .operation(op(1, 1))),
        item(4, .operation(op(0, 2))),
    ]

    static func history(
        operations: [ChaosOperation] = [
            acknowledged(op(0, 1), at: 2), acknowledged(op(1, 1), at: 3), acknowledged(op(0, 2), at: 4),
        ],
        log: [ChaosItem] = cleanLog,
        leaders: [ChaosLeaderSighting] = [ChaosLeaderSighting(term: 1, node: "n0", at: .zero)],
        reads: [ChaosRead] = []
    ) -> ChaosHistory {
        ChaosHistory(
            operations: operations, leaders: leaders, reads: reads,
            finalContents: ["n0", "n1", "n2"].map { ChaosNodeContents(node: $0, items: log) })
    }

    /// The only failing check and its first message.
    static func failure(_ history: ChaosHistory) -> (ChaosCheck, String)? {
        let verdict = ChaosChecker.check(history)
        guard let first = verdict.firstViolation else { return nil }
        let failing = Set(verdict.violations.map(\.check))
        #expect(failing.count == 1, "more than one check failed: \(verdict.violations)")
        return (first.check, first.message)
    }

    @Test func cleanHistoryPasses() {
        let verdict = ChaosChecker.check(Self.history())
        #expect(verdict.passed, "\(verdict.violations)")
        #expect(verdict.results.map(\.check) == ChaosCheck.allCases)
    }

    @Test func missingAcknowledgedOperationFails() throws {
        var log = Self.cleanLog
        log.remove(at: 3)
        let (check, message) = try #require(Self.failure(Self.history(log: log)))
        #expect(check == .acknowledgedPresent)
        #expect(message == "acknowledged operation p0#2 missing: nothing is stored at index 4")
    }

    @Test func acknowledgedOperationAtAnotherPositionFails() throws {
        let operations = [
            Self.acknowledged(Self.op(0, 1), at: 2), Self.acknowledged(Self.op(1, 1), at: 4),
            Self.acknowledged(Self.op(0, 2), at: 3),
        ]
        let verdict = ChaosChecker.check(Self.history(operations: operations))
        #expect(verdict.firstViolation?.check == .acknowledgedPresent)
        #expect(
            verdict.firstViolation?.message
                == "acknowledged operation p0#2 missing: index 3 holds operation p1#1 instead")
    }

    @Test func duplicateOfAcknowledgedOperationFails() throws {
        let log = Self.cleanLog + [Self.item(5, .operation(Self.op(1, 1)))]
        let (check, message) = try #require(Self.failure(Self.history(log: log)))
        #expect(check == .noDuplicates)
        #expect(message == "duplicate: operation p1#1 (acknowledged at index 3) is stored 2 times: index 3, index 5")
    }

    @Test func nodeThatCrashedOnSigtermFails() throws {
        var history = Self.history()
        history.uncleanExits = ["n1 ended with killed by signal 4 after SIGTERM at 8531 ms (its log: /tmp/x/n1.log)"]
        let (check, message) = try #require(Self.failure(history))
        #expect(check == .cleanExits)
        #expect(message == "n1 ended with killed by signal 4 after SIGTERM at 8531 ms (its log: /tmp/x/n1.log)")
    }

    @Test func twoLeadersInOneTermFail() throws {
        let leaders = [
            ChaosLeaderSighting(term: 1, node: "n0", at: .zero),
            ChaosLeaderSighting(term: 2, node: "n1", at: .seconds(1)),
            ChaosLeaderSighting(term: 2, node: "n2", at: .seconds(2)),
        ]
        let (check, message) = try #require(Self.failure(Self.history(leaders: leaders)))
        #expect(check == .electionSafety)
        #expect(message == "term 2 had 2 leaders: n1 and n2")
    }

    @Test func indeterminateOperationMayAppearAtMostOnce() throws {
        let unsure = ChaosOperation(
            id: Self.op(2, 1), started: .zero, ended: .seconds(1), attempts: [.indeterminate("timed out")],
            idempotent: false)
        let operations = Self.history().operations + [unsure]
        // Absent, or present once: both fine.
        #expect(ChaosChecker.check(Self.history(operations: operations)).passed)
        let once = Self.cleanLog + [Self.item(5, .operation(Self.op(2, 1)))]
        #expect(ChaosChecker.check(Self.history(operations: operations, log: once)).passed)
        // Twice: a duplicate.
        let twice = once + [Self.item(6, .operation(Self.op(2, 1)))]
        let (check, message) = try #require(Self.failure(Self.history(operations: operations, log: twice)))
        #expect(check == .noDuplicates)
        #expect(
            message
                == "duplicate: operation p2#1 (indeterminate after 1 unanswered attempt(s)) is stored 2 times: index 5, index 6"
        )
    }

    @Test func idempotentOperationsMayNeverBeStoredTwice() throws {
        let retried = ChaosOperation(
            id: Self.op(1, 1), started: .zero, ended: .seconds(1),
            attempts: [.indeterminate("timed out"), .acknowledged(.index(3), node: "n1")], idempotent: true)
        let operations = [Self.acknowledged(Self.op(0, 1), at: 2), retried, Self.acknowledged(Self.op(0, 2), at: 4)]
        #expect(ChaosChecker.check(Self.history(operations: operations)).passed)
        let log = Self.cleanLog + [Self.item(5, .operation(Self.op(1, 1)))]
        #expect(Self.failure(Self.history(operations: operations, log: log))?.0 == .noDuplicates)
        // Without idempotence the unanswered attempt may have stored a second copy.
        var raw = retried
        raw.idempotent = false
        let rawOperations = [Self.acknowledged(Self.op(0, 1), at: 2), raw, Self.acknowledged(Self.op(0, 2), at: 4)]
        #expect(ChaosChecker.check(Self.history(operations: rawOperations, log: log)).passed)
    }

    @Test func entryNeverSentFails() throws {
        let log = Self.cleanLog + [Self.item(5, .unknown("\"garbage\""))]
        let (check, message) = try #require(Self.failure(Self.history(log: log)))
        #expect(check == .noPhantoms)
        #expect(message == "index 5 holds unknown payload \"garbage\", which no producer sent")
    }

    @Test func certainlyFailedOperationStoredFails() throws {
        let failed = ChaosOperation(
            id: Self.op(2, 1), started: .zero, ended: .seconds(1), attempts: [.failed("n1: not the leader")],
            idempotent: false)
        let log = Self.cleanLog + [Self.item(5, .operation(Self.op(2, 1)))]
        let (check, message) = try #require(
            Self.failure(Self.history(operations: Self.history().operations + [failed], log: log)))
        #expect(check == .noPhantoms)
        #expect(message.hasPrefix("index 5 holds operation p2#1, whose every attempt certainly failed"))
    }

    @Test func divergentNodesFail() throws {
        var history = Self.history()
        history.finalContents[2].items[2] = ChaosItem(
            position: .index(3), content: .operation(Self.op(1, 1)), fingerprint: Array("other term".utf8))
        let verdict = ChaosChecker.check(history)
        #expect(verdict.firstViolation?.check == .identicalLogs)
        #expect(verdict.firstViolation?.message.hasPrefix("n0 and n2 differ at index 3") == true)
        history.finalContents[2].items.removeLast()
        history.finalContents[2].items[2] = history.finalContents[0].items[2]
        #expect(ChaosChecker.check(history).firstViolation?.message == "n0 holds 4 committed items, n2 3")
    }

    @Test func readOfAnEntryTheLogDoesNotHoldFails() throws {
        let stale = ChaosRead(consumer: "c0", node: "n2", item: Self.item(3, .operation(Self.op(2, 7))))
        let (check, message) = try #require(Self.failure(Self.history(reads: [stale])))
        #expect(check == .readsConsistent)
        #expect(message == "c0 read operation p2#7 at index 3 from n2, but the final log holds operation p1#1 there")
        let good = ChaosRead(consumer: "c0", node: "n2", item: Self.cleanLog[2])
        #expect(ChaosChecker.check(Self.history(reads: [good])).passed)
    }

    @Test func producerOrderViolationFails() throws {
        let log = [
            Self.item(1, .bookkeeping("the no-op of term 1")), Self.item(2, .operation(Self.op(0, 2))),
            Self.item(3, .operation(Self.op(1, 1))), Self.item(4, .operation(Self.op(0, 1))),
        ]
        let operations = [
            Self.acknowledged(Self.op(0, 1), at: 4), Self.acknowledged(Self.op(1, 1), at: 3),
            Self.acknowledged(Self.op(0, 2), at: 2),
        ]
        let (check, message) = try #require(Self.failure(Self.history(operations: operations, log: log)))
        #expect(check == .producerOrder)
        #expect(message == "producer p0 out of order in log: p0#2 at index 2 before p0#1 at index 4")
    }

    @Test func committedOffsetOutsideItsQueueFails() throws {
        var history = Self.history()
        history.finalContents[1].queueBounds = ["chaos/0": 0..<10]
        history.finalContents[1].committedOffsets = [
            ChaosCommittedOffset(group: "g0", queue: "chaos/0", offset: 10, node: "n1"),
            ChaosCommittedOffset(group: "g1", queue: "chaos/0", offset: 11, node: "n1"),
        ]
        let (check, message) = try #require(Self.failure(history))
        #expect(check == .offsetsInLog)
        #expect(message == "group g1 committed offset 11 of chaos/0 on n1, outside the queue's 0...10")
    }

    @Test func convergenceFailureIsReported() throws {
        var history = Self.history()
        history.convergenceProblem = "the group did not converge"
        #expect(Self.failure(history)?.0 == .converged)
    }
}

extension ChaosCheckerTests {
    static func message(_ queue: Int, _ offset: Int64, _ id: ChaosOperationID, stamp: String = "") -> ChaosItem {
        ChaosItem(
            position: .queueOffset(queue: "chaos/\(queue)", offset: offset), content: .operation(id),
            fingerprint: Array("\(queue) \(offset) \(id)\(stamp)".utf8))
    }

    @Test func messagesTheLeaderServesMustMatchTheLogs() throws {
        let log = [
            Self.item(1, .bookkeeping("the no-op of term 1")), Self.item(2, .bookkeeping("the send of p0#1")),
            Self.message(0, 0, Self.op(0, 1)),
        ]
        let operations = [
            ChaosOperation(
                id: Self.op(0, 1), started: .zero, ended: .milliseconds(3),
                attempts: [.acknowledged(.queueOffset(queue: "chaos/0", offset: 0), node: "n0")], idempotent: true)
        ]
        var history = Self.history(operations: operations, log: log)
        history.served = ChaosNodeContents(node: "n0 (served by pull)", items: [Self.message(0, 0, Self.op(0, 1))])
        #expect(ChaosChecker.check(history).passed, "\(ChaosChecker.check(history).violations)")
        history.served = ChaosNodeContents(
            node: "n0 (served by pull)", items: [Self.message(0, 0, Self.op(0, 1), stamp: " other store time")])
        let (check, message) = try #require(Self.failure(history))
        #expect(check == .identicalLogs)
        #expect(message.hasPrefix("n0 and n0 (served by pull) differ at chaos/0 offset 0"))
    }
}
