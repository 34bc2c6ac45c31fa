import Testing

@testable import LedgerChaos

/// The chaos checker over logs retention cut (`ledger soak`): nodes whose logs start at
/// different first indexes compare equal where all still hold data; what is gone passes only
/// when it was old enough to be gone; doctored histories still fail.
@Suite struct ChaosRetentionCheckerTests {
    // Queue chaos-a/0 held p0#1..p0#6 at offsets 0-5, sent 1 s apart from the run's start
    // (p0#N's first attempt at (N - 1) s), log entries 10-15 their sends. Retention deleted
    // offsets 0-1 (entries before 12) on n0 and n2 and offsets 0-2 (entries before 13) on n1;
    // the leader served offsets 3-5. fileReservedTime is 10 s; the last log was read 14 s
    // into the run, so whatever was sent before 4 s may be gone.

    static let queue = "chaos-a/0"
    static let runStartedAt: Int64 = 1_000_000
    static let reserved: Int64 = 10_000
    static let ids = (1...6).map { ChaosOperationID(producer: 0, sequence: $0) }

    static func message(_ offset: Int64, fingerprint: String? = nil) -> ChaosItem {
        ChaosItem(
            position: .queueOffset(queue: queue, offset: offset), content: .operation(ids[Int(offset)]),
            fingerprint: Array((fingerprint ?? "record \(offset)").utf8))
    }

    static func entry(_ index: UInt64) -> ChaosItem {
        ChaosItem(position: .index(index), content: .bookkeeping("a send"), fingerprint: Array("entry \(index)".utf8))
    }

    static let operations = ids.enumerated().map { offset, id in
        ChaosOperation(
            id: id, started: .seconds(offset), ended: .seconds(offset) + .milliseconds(5),
            attempts: [.acknowledged(.queueOffset(queue: queue, offset: Int64(offset)), node: "n0")], idempotent: true)
    }

    /// A node that still holds offsets `from`-5 and log entries from `10 + from`.
    static func node(_ name: String, from: Int64, committed: Int64 = 4) -> ChaosNodeContents {
        ChaosNodeContents(
            node: name, items: (UInt64(10 + from)...15).map(entry) + (from...5).map { message($0) },
            queueBounds: [queue: from..<6],
            committedOffsets: [ChaosCommittedOffset(group: "chaos-g0", queue: queue, offset: committed, node: name)],
            digest: ChaosStateDigest(applied: 15, reported: 0xABCD, replayed: 0xABCD))
    }

    static let served = ChaosNodeContents(
        node: "n0 (served by pull)", items: (3...5).map { message($0) }, queueBounds: [queue: 3..<6])

    /// The history after trimming `nodes` to where all hold data, the last log read `cutAfter`
    /// into the run.
    static func history(
        _ nodes: [ChaosNodeContents] = [node("n0", from: 2), node("n1", from: 3), node("n2", from: 2)],
        operations: [ChaosOperation] = operations, reads: [ChaosRead] = [], cutAfter: Int64 = 14_000
    ) -> ChaosHistory {
        let trimmed = ChaosRetentionCut.trim(
            nodes, served: served, reservedMilliseconds: reserved, runStartedAt: runStartedAt,
            cutAt: runStartedAt + cutAfter)
        return ChaosHistory(
            operations: operations, leaders: [ChaosLeaderSighting(term: 1, node: "n0", at: .zero)], reads: reads,
            finalContents: trimmed.contents, served: trimmed.served, retention: trimmed.cut)
    }

    @Test func logsCutAtDifferentPointsCompareWhereAllHoldData() throws {
        let history = Self.history()
        let cut = try #require(history.retention)
        #expect(cut.firstIndex == 13 && cut.queueStarts == [Self.queue: 3])
        #expect(history.finalContents.allSatisfy { $0.items.count == 3 + 3 })
        let verdict = ChaosChecker.check(history)
        #expect(verdict.passed, "\(verdict.violations)")
        #expect(ChaosChecker.expiredAcknowledged(history) == 3)
    }

    @Test func withoutTheCutTheSameLogsDiffer() {
        // What the checker made of these logs before it knew of retention: n1 lacks what the
        // others still hold.
        let nodes = [Self.node("n0", from: 2), Self.node("n1", from: 3), Self.node("n2", from: 2)]
        let history = ChaosHistory(
            operations: Self.operations, leaders: [], reads: [], finalContents: nodes, served: Self.served)
        #expect(ChaosChecker.violations(of: .identicalLogs, in: history).count > 0)
        #expect(ChaosChecker.violations(of: .acknowledgedPresent, in: history).count == 2)
    }

    @Test func aSendDeletedWithinFileReservedTimeFails() throws {
        // Read 11 s in: p0#3 (sent at 2 s, offset 2) is 9 s old, younger than 10 s, yet gone on n1.
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(cutAfter: 11_000)))
        #expect(check == .acknowledgedPresent)
        #expect(
            message
                == "acknowledged operation p0#3 missing: chaos-a/0 offset 2 was deleted (the retained data starts at "
                + "offset 3), but its first attempt started 9000 ms before the last final log was read, within "
                + "fileReservedTime (10000 ms)")
    }

    @Test func aRetainedSendMissingStillFails() throws {
        var operations = Self.operations
        operations.append(
            ChaosOperation(
                id: ChaosOperationID(producer: 1, sequence: 1), started: .seconds(9), ended: .seconds(10),
                attempts: [.acknowledged(.queueOffset(queue: Self.queue, offset: 6), node: "n0")], idempotent: true))
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(operations: operations)))
        #expect(check == .acknowledgedPresent)
        #expect(message == "acknowledged operation p1#1 missing: nothing is stored at chaos-a/0 offset 6")
    }

    @Test func aRetainedRecordThatDiffersStillFails() throws {
        var doctored = Self.node("n2", from: 2)
        doctored.items[doctored.items.count - 2] = Self.message(4, fingerprint: "another record")
        let nodes = [Self.node("n0", from: 2), Self.node("n1", from: 3), doctored]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(nodes)))
        #expect(check == .identicalLogs)
        #expect(
            message
                == "n0 and n2 differ at chaos-a/0 offset 4: n0 holds operation p0#5, n2 holds operation p0#5 at "
                + "chaos-a/0 offset 4")
    }

    @Test func readsBeforeTheCutAreNotComparedButLaterOnesAre() throws {
        let stale = ChaosRead(consumer: "chaos-g0/c0", node: "n0", item: Self.message(1, fingerprint: "whatever"))
        #expect(ChaosChecker.check(Self.history(reads: [stale])).passed)
        let wrong = ChaosRead(consumer: "chaos-g0/c0", node: "n0", item: Self.message(4, fingerprint: "whatever"))
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(reads: [stale, wrong])))
        #expect(check == .readsConsistent)
        #expect(
            message
                == "chaos-g0/c0 read operation p0#5 at chaos-a/0 offset 4 from n0, but the final log holds "
                + "operation p0#5 there")
    }

    @Test func committedOffsetsMayLieBelowTheStartNeverBeyondTheEnd() throws {
        let below = [Self.node("n0", from: 2, committed: 1), Self.node("n1", from: 3), Self.node("n2", from: 2)]
        #expect(ChaosChecker.check(Self.history(below)).passed)
        let beyond = [Self.node("n0", from: 2), Self.node("n1", from: 3, committed: 7), Self.node("n2", from: 2)]
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(beyond)))
        #expect(check == .offsetsInLog)
        #expect(message == "group chaos-g0 committed offset 7 of chaos-a/0 on n1, outside the queue's 3...6")
    }
}
