import CommitLog
import FileIO
import LedgerModel
import Raft
import Testing

/// Messages the store holds back and moves itself: delayed messages (never visible before they
/// are due, delivered once), consumers' send-backs (retry by way of a delay level, then the
/// dead-letter topic), transactions (commit, rollback, check backs, discard), and their state
/// through a reopen and a snapshot.
@Suite struct HeldMessageTests {
    static let root = "/data/n0"
    let t0 = testStamp.storeTimestamp

    private func stamp(at time: Int64) -> StoreStamp {
        StoreStamp(storeTimestamp: time, storeHost: testStamp.storeHost)
    }

    @Test func aDelayedMessageWaitsInItsLevelsQueueAndIsDeliveredOnceWhenDue() throws {
        let machine = CommitLogStateMachine(configuration: smallConfiguration())
        var delayed = message("TopicTest", "later", target: .queue(1), properties: ["DELAY": "3", "color": "red"])
        delayed.uniqueKey = "U1"
        let held = try machine.send(delayed)
        #expect(held.queue == MessageQueue(topic: SystemTopic.schedule, queueID: 2))
        #expect(machine.queueCount(topic: SystemTopic.schedule) == 18)
        #expect(machine.queueCount(topic: "TopicTest") == nil)

        // Level 3 is 10 s: nothing is due a millisecond before.
        #expect(
            try machine.applyPlanned { tail, index, position in
                try machine.planDelivery(
                    level: 3, now: t0 + 9_999, stamp: stamp(at: t0 + 9_999), maxMessages: 8, maxBytes: 1 << 20,
                    tail: &tail, bodyPosition: position
                ).map { .success($0) }
            } == nil)
        var lastDelivery: [UInt8] = []
        let delivered = try #require(
            try machine.applyPlanned { tail, index, position in
                let planned = try machine.planDelivery(
                    level: 3, now: t0 + 10_000, stamp: stamp(at: t0 + 10_000), maxMessages: 8, maxBytes: 1 << 20,
                    tail: &tail, bodyPosition: position)
                lastDelivery = planned ?? []
                return planned.map { .success($0) }
            })
        guard case .stored(let result) = try #require(delivered.first) else {
            Issue.record("the delivery stored nothing: \(delivered)")
            return
        }
        #expect(result.queue == MessageQueue(topic: "TopicTest", queueID: 1))
        #expect(machine.nextDeliveryOffset(level: 3) == QueueOffset(1))
        let pulled = try machine.pull(topic: "TopicTest", queueID: 1, offset: .zero, maxCount: 4).messages
        #expect(pulled.map(\.body) == [Array("later".utf8)])
        let moved = try #require(pulled.first)
        #expect(moved.property("UNIQ_KEY") == "U1" && moved.property("color") == "red")
        #expect(moved.property("DELAY") == nil && moved.property("REAL_TOPIC") == nil)
        #expect(moved.storeTimestamp == t0 + 10_000)

        // Nothing more is due, and the same delivery proposed again (by a second leader) stores nothing.
        var fresh = ProposalTail()
        let again = try machine.planDelivery(
            level: 3, now: t0 + 10_000, stamp: stamp(at: t0 + 10_000), maxMessages: 8, maxBytes: 1 << 20,
            tail: &fresh, bodyPosition: { _ in 0 })
        #expect(again == nil)
        let replayed = machine.apply(
            entry: Entry(index: machine.appliedIndex.next, term: Term(2), data: lastDelivery),
            bodyPosition: CommitLogStateMachine.testPosition(machine.appliedIndex.next))
        guard case .rejected(.staleMove) = try #require(replayed.first) else {
            Issue.record("a repeated delivery was not refused: \(replayed)")
            return
        }
        #expect(try machine.offsetRange(topic: "TopicTest", queueID: 1).maxOffset == QueueOffset(1))
    }

    @Test func aDeliveryStampedBeforeItsMessageIsDueIsRefused() throws {
        let machine = CommitLogStateMachine(configuration: smallConfiguration())
        try machine.send(message("TopicTest", "later", target: .queue(0), properties: ["DELAY": "1"]))
        // A leader whose clock says due, stamping the record a second earlier: apply refuses it.
        let results = try #require(
            try machine.applyPlanned { tail, index, position in
                try machine.planDelivery(
                    level: 1, now: t0 + 1_000, stamp: stamp(at: t0 + 500), maxMessages: 8, maxBytes: 1 << 20,
                    tail: &tail, bodyPosition: position
                ).map { .success($0) }
            })
        guard case .rejected(.staleMove) = try #require(results.first) else {
            Issue.record("an early delivery was not refused: \(results)")
            return
        }
        #expect(machine.nextDeliveryOffset(level: 1) == .zero)
        #expect(machine.queueCount(topic: "TopicTest") == nil)
    }

    @Test func aSentBackMessageIsRetriedWithItsCountThenDeadLettered() throws {
        let machine = CommitLogStateMachine(configuration: smallConfiguration())
        let original = try machine.send(message("TopicTest", "fails", target: .queue(0), tags: "TagA"))
        var source = original.physicalOffset
        var now = t0
        for reconsumed in Int32(1)...2 {
            now += 1
            let request = SendBackRequest(group: "G", offset: source, maxReconsumeTimes: 2)
            let results = try #require(
                try machine.applyPlanned { tail, index, position in
                    try machine.planSendBack(
                        request, defaultMaxReconsumeTimes: 16, stamp: stamp(at: now), tail: &tail, index: index,
                        bodyPosition: position)
                })
            guard case .stored(let held) = try #require(results.first) else {
                Issue.record("send-back \(reconsumed) stored nothing: \(results)")
                return
            }
            // Level 3 + reconsume times, by way of the schedule topic.
            let level = 3 + reconsumed - 1
            #expect(held.queue == MessageQueue(topic: SystemTopic.schedule, queueID: level - 1))
            // The client's retry of the same send-back is answered with the same result.
            let retried = try #require(
                try machine.applyPlanned { tail, index, position in
                    try machine.planSendBack(
                        request, defaultMaxReconsumeTimes: 16, stamp: stamp(at: now), tail: &tail, index: index,
                        bodyPosition: position)
                })
            #expect(retried == [.duplicate(held)])
            now += CommitLogConfiguration.defaultDelayLevels[Int(level) - 1]
            try #require(
                try machine.applyPlanned { tail, index, position in
                    try machine.planDelivery(
                        level: level, now: now, stamp: stamp(at: now), maxMessages: 8, maxBytes: 1 << 20, tail: &tail,
                        bodyPosition: position
                    ).map { .success($0) }
                } != nil)
            let retry = try machine.pull(
                topic: "%RETRY%G", queueID: 0, offset: QueueOffset(Int64(reconsumed - 1)), maxCount: 4
            ).messages
            let redelivered = try #require(retry.first)
            #expect(retry.count == 1 && redelivered.reconsumeTimes == reconsumed)
            #expect(redelivered.property("RETRY_TOPIC") == "TopicTest" && redelivered.tags == "TagA")
            #expect(redelivered.property("ORIGIN_MESSAGE_ID") == original.messageID)
            source = redelivered.physicalOffset
        }
        // Reconsumed twice with a maximum of 2: the third failure goes to the dead letters.
        let results = try #require(
            try machine.applyPlanned { tail, index, position in
                try machine.planSendBack(
                    SendBackRequest(group: "G", offset: source, maxReconsumeTimes: 2), defaultMaxReconsumeTimes: 16,
                    stamp: stamp(at: now), tail: &tail, index: index, bodyPosition: position)
            })
        guard case .stored(let dead) = try #require(results.first) else {
            Issue.record("the last send-back stored nothing: \(results)")
            return
        }
        #expect(dead.queue == MessageQueue(topic: "%DLQ%G", queueID: 0))
        let letters = try machine.pull(topic: "%DLQ%G", queueID: 0, offset: .zero, maxCount: 4).messages
        #expect(letters.count == 1 && letters.first?.reconsumeTimes == 3 && letters.first?.body == Array("fails".utf8))
        #expect(machine.queueCount(topic: "%RETRY%G") == 1)
    }

    @Test func halfMessagesAreInvisibleUntilCommittedAndGoneWhenRolledBack() throws {
        let machine = CommitLogStateMachine(configuration: smallConfiguration())
        let half: [String: String] = ["TRAN_MSG": "true", "PGROUP": "PG"]
        let committed = try machine.send(message("TopicTest", "commit me", target: .queue(2), properties: half))
        let rolledBack = try machine.send(message("TopicTest", "roll me back", target: .queue(2), properties: half))
        #expect(committed.queue.topic == SystemTopic.transactionHalf)
        #expect(machine.pendingTransactions.map(\.half) == [committed.physicalOffset, rolledBack.physicalOffset])
        #expect(machine.queueCount(topic: "TopicTest") == nil)

        let commit = try #require(
            try machine.applyPlanned { tail, index, position in
                try machine.planCommit(
                    half: committed.physicalOffset, stamp: stamp(at: t0 + 5), tail: &tail, index: index,
                    bodyPosition: position)
            })
        guard case .stored(let visible) = try #require(commit.first) else {
            Issue.record("the commit stored nothing: \(commit)")
            return
        }
        #expect(visible.queue == MessageQueue(topic: "TopicTest", queueID: 2))
        let pulled = try #require(
            try machine.pull(topic: "TopicTest", queueID: 2, offset: .zero, maxCount: 4).messages.first)
        #expect(pulled.body == Array("commit me".utf8) && pulled.property("TRAN_MSG") == nil)
        #expect(pulled.sysFlag & MessageSysFlag.transactionCommit != 0)
        #expect(pulled.preparedTransactionOffset == committed.physicalOffset.rawValue)
        // Committed once: a second commit is refused before anything is proposed.
        var tail = ProposalTail()
        let second = try machine.planCommit(
            half: committed.physicalOffset, stamp: testStamp, tail: &tail, index: machine.appliedIndex.next,
            bodyPosition: { _ in 0 })
        #expect(second == .failure(.transactionNotPending(committed.physicalOffset)))

        #expect(
            try machine.apply(.rollbackTransaction(TransactionRollback(half: rolledBack.physicalOffset)))
                == [.transactionEnded(rolledBack.physicalOffset, .rollback)])
        #expect(machine.pendingTransactions.isEmpty)
        #expect(try machine.offsetRange(topic: "TopicTest", queueID: 2).maxOffset == QueueOffset(1))
        #expect(
            try machine.apply(.rollbackTransaction(TransactionRollback(half: rolledBack.physicalOffset)))
                == [.rejected(.transactionNotPending(rolledBack.physicalOffset))])
    }

    @Test func anUndecidedHalfMessageIsCheckedBackOnScheduleThenDiscarded() throws {
        let machine = CommitLogStateMachine(configuration: smallConfiguration())
        let half = try machine.send(
            message("TopicTest", "undecided", target: .queue(0), properties: ["TRAN_MSG": "true", "PGROUP": "PG"]))
        let offset = half.physicalOffset
        #expect(machine.transactionsToCheck(now: t0 + 5_999, timeout: 6_000, interval: 60_000).isEmpty)
        #expect(machine.transactionsToCheck(now: t0 + 6_000, timeout: 6_000, interval: 60_000).map(\.half) == [offset])
        let checked = try machine.apply(
            .checkTransaction(TransactionCheck(half: offset, at: t0 + 6_000, discard: false, after: 0)))
        guard case .transactionChecked(let pending) = try #require(checked.first) else {
            Issue.record("the check was not counted: \(checked)")
            return
        }
        #expect(pending.checks == 1 && pending.producerGroup == "PG")
        #expect(machine.transactionsToCheck(now: t0 + 65_999, timeout: 6_000, interval: 60_000).isEmpty)
        #expect(machine.transactionsToCheck(now: t0 + 66_000, timeout: 6_000, interval: 60_000).count == 1)
        let discarded = try machine.apply(
            .checkTransaction(TransactionCheck(half: offset, at: t0 + 66_000, discard: true, after: 1)))
        guard case .transactionDiscarded = try #require(discarded.first) else {
            Issue.record("the half message was not discarded: \(discarded)")
            return
        }
        #expect(machine.pendingTransactions.isEmpty)
        // A half message names its producer group: without one it cannot be checked back.
        let refused = try machine.apply(.send(message("TopicTest", "x", properties: ["TRAN_MSG": "true"]), testStamp))
        guard case .rejected(.invalidField(_, let field, _)) = try #require(refused.first) else {
            Issue.record("a half message without PGROUP was stored: \(refused)")
            return
        }
        #expect(field == "property PGROUP")
    }

    @Test func heldStateSurvivesAReopenAndASnapshot() throws {
        let fs = SimulatedFileSystem(seed: 41)
        var machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try machine.send(message("TopicTest", "a", target: .queue(0), properties: ["DELAY": "1"]))
        try machine.send(message("TopicTest", "b", target: .queue(0), properties: ["DELAY": "1"]))
        let half = try machine.send(message("TopicTest", "h", properties: ["TRAN_MSG": "true", "PGROUP": "PG"]))
        let source = try machine.send(message("TopicTest", "s", target: .queue(1)))
        try machine.apply(
            .checkTransaction(TransactionCheck(half: half.physicalOffset, at: t0 + 7_000, discard: false, after: 0)))
        let request = SendBackRequest(group: "G", offset: source.physicalOffset)
        let sentBack = try #require(
            try machine.applyPlanned { tail, index, position in
                try machine.planSendBack(
                    request, defaultMaxReconsumeTimes: 16, stamp: testStamp, tail: &tail, index: index,
                    bodyPosition: position)
            })
        // Deliver the first of level 1's two messages only.
        try #require(
            try machine.applyPlanned { tail, index, position in
                try machine.planDelivery(
                    level: 1, now: t0 + 1_000, stamp: stamp(at: t0 + 1_000), maxMessages: 1, maxBytes: 1 << 20,
                    tail: &tail, bodyPosition: position
                ).map { .success($0) }
            } != nil)
        let digest = machine.digest
        let pending = machine.pendingTransactions
        try machine.persist()
        let bytes: [UInt8]
        do {
            machine.takeSnapshot(term: Term(1), logPosition: 1 << 40, logChain: 7)
            try machine.persist()
            bytes = try machine.snapshotBytes(at: machine.appliedIndex)
        }
        machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        #expect(machine.digest == digest && machine.pendingTransactions == pending)
        #expect(machine.nextDeliveryOffset(level: 1) == QueueOffset(1))
        #expect(pending.first?.checks == 1)
        let retried = try #require(
            try machine.applyPlanned { tail, index, position in
                try machine.planSendBack(
                    request, defaultMaxReconsumeTimes: 16, stamp: testStamp, tail: &tail, index: index,
                    bodyPosition: position)
            })
        #expect(retried.map(\.sendResult) == sentBack.map(\.sendResult))
        #expect(retried.allSatisfy { if case .duplicate = $0 { true } else { false } })

        let follower = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: SimulatedFileSystem(seed: 42), configuration: smallConfiguration())
        try follower.install(bytes)
        #expect(follower.digest == digest && follower.pendingTransactions == pending)
    }
}

extension CommitLogStateMachine {
    /// Applies what `plan` proposes as the next entry, placed at ``testPosition(_:)``, as a
    /// leader with nothing else in flight would; nil when it proposes nothing. A refusal before
    /// proposing is returned as a rejection.
    func applyPlanned(
        _ plan: (inout ProposalTail, LogIndex, (Int) -> Int64) throws -> Result<[UInt8], CommandRejection>?
    ) throws -> [ApplyResult]? {
        let index = appliedIndex.next
        let position = Self.testPosition(index)
        var tail = ProposalTail()
        guard let planned = try plan(&tail, index, { _ in position }) else { return nil }
        let bytes: [UInt8]
        switch planned {
        case .success(let value): bytes = value
        case .failure(let refusal): return [.rejected(refusal)]
        }
        if let memory = log as? MemoryMessageLog { memory.add(bytes, at: position) }
        return apply(entry: Entry(index: index, term: Term(1), data: bytes), bodyPosition: position)
    }
}
