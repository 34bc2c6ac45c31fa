import CommitLog
import LedgerModel
import Raft
import Replica
import Testing

@testable import Simulator

/// The CommitLog checks have teeth: fed what a broken replica, a broken idempotence table, a
/// stale read or a backwards offset commit would produce (through real state machines), the
/// checker names the broken invariant.
@Suite struct CommitLogCheckerTests {
    /// A node to attribute applies to.
    private func node(_ id: UInt64) throws -> SimNode {
        SimNode(id: NodeID(id), index: Int(id) - 1, disk: try LogStoreDisk(seed: id))
    }

    private static let storeStamp = StoreStamp(storeTimestamp: 1000, storeHost: WorkloadNames.storeHost(NodeID(1)))

    /// Where entry `index`'s data lies in the test's log.
    private static func position(_ index: LogIndex) -> Int64 { Int64(index.rawValue) << 16 }

    /// An entry at `index` that sends message `uid` (to `queue`, stamped by `stamp` if given), as
    /// the leader whose applied state is `machine`'s proposes it.
    private func sendEntry(
        _ index: UInt64, uid: UInt64, queue: Int32 = 0, tags: String? = nil, stamp: ProducerStamp? = nil,
        on machine: CommitLogStateMachine
    ) throws -> Entry {
        let message = ProducerMessage(
            topic: WorkloadNames.topic(0), target: .queue(queue), tags: tags,
            body: MessageBody.make(uid: uid, fillerBytes: 3), producer: stamp)
        let data = try machine.entryData(
            for: .send(message, Self.storeStamp), bodyPosition: Self.position(LogIndex(index)))
        return Entry(index: LogIndex(index), term: Term(1), data: data)
    }

    private func commitEntry(_ index: UInt64, offset: Int64) throws -> Entry {
        let commit = OffsetCommit(
            group: "g", queue: MessageQueue(topic: WorkloadNames.topic(0), queueID: 0), offset: QueueOffset(offset))
        return Entry(index: LogIndex(index), term: Term(1), data: try EntryPayload.encode(.commitOffset(commit)))
    }

    /// Applies `entry` to `machine` and reports it to `checker` as `node`'s apply.
    @discardableResult
    private func apply(
        _ entry: Entry, _ machine: CommitLogStateMachine, _ node: SimNode, _ checker: CommitLogChecker
    ) throws(Violation) -> [ApplyResult] {
        let position = Self.position(entry.index)
        if let log = machine.log as? MemoryMessageLog, log.end <= position { log.add(entry.data, at: position) }
        let results = machine.apply(entry: entry, bodyPosition: position)
        try checker.applied(entry, results: results, digest: machine.digest, on: node)
        return results
    }

    private func violation(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let violation as Violation {
            return violation.invariant
        } catch {
            return "unexpected error \(error)"
        }
    }

    @Test func replicasAgreeingPass() throws {
        let checker = CommitLogChecker()
        let (a, b) = (try node(1), try node(2))
        let (left, right) = (CommitLogStateMachine(), CommitLogStateMachine())
        let entries = [
            try sendEntry(1, uid: 1, on: left), try sendEntry(2, uid: 2, queue: 1, on: left),
            try commitEntry(3, offset: 1),
        ]
        for entry in entries {
            try apply(entry, left, a, checker)
            try apply(entry, right, b, checker)
        }
        #expect(checker.counts.stored == 2)
        #expect(checker.counts.offsetCommits == 1)
        try checker.checkConverged([(a.id, left), (b.id, right)])
    }

    @Test func replicaApplyingAnotherCommandIsCaught() throws {
        let checker = CommitLogChecker()
        let (a, b) = (try node(1), try node(2))
        let (left, right) = (CommitLogStateMachine(), CommitLogStateMachine())
        try apply(try sendEntry(1, uid: 1, on: left), left, a, checker)
        try apply(try sendEntry(1, uid: 1, on: right), right, b, checker)
        try apply(try sendEntry(2, uid: 2, queue: 0, on: left), left, a, checker)
        // Another queue: the results differ.
        #expect(
            violation { try apply(try sendEntry(2, uid: 3, queue: 1, on: right), right, b, checker) } == "apply-results"
        )
    }

    @Test func replicaStoringOtherBytesAtTheSameOffsetIsCaught() throws {
        let checker = CommitLogChecker()
        let (a, b) = (try node(1), try node(2))
        let (left, right) = (CommitLogStateMachine(), CommitLogStateMachine())
        try apply(try sendEntry(1, uid: 1, on: left), left, a, checker)
        // Same queue, offset and size, other body: only the digest tells.
        #expect(violation { try apply(try sendEntry(1, uid: 2, on: right), right, b, checker) } == "state-digest")
    }

    @Test func reopenedStateMachineWithAnotherStateIsCaught() throws {
        let checker = CommitLogChecker()
        let (a, c) = (try node(1), try node(3))
        let left = CommitLogStateMachine()
        try apply(try sendEntry(1, uid: 1, on: left), left, a, checker)
        let reopened = CommitLogStateMachine()
        let other = try sendEntry(1, uid: 9, on: reopened)
        _ = reopened.apply(entry: other, bodyPosition: Self.position(other.index))
        #expect(violation { try checker.recovered(c, reopened) } == "state-digest")
    }

    @Test func idempotentRetryIsStoredOnce() throws {
        let checker = CommitLogChecker()
        let a = try node(1)
        let machine = CommitLogStateMachine()
        let stamp = ProducerStamp(producer: ProducerID(7), sequence: 1)
        try apply(try sendEntry(1, uid: 1, stamp: stamp, on: machine), machine, a, checker)
        let retry = try apply(try sendEntry(2, uid: 1, stamp: stamp, on: machine), machine, a, checker)
        guard case .duplicate = retry.first else {
            Issue.record("the retry was not answered from the idempotence table: \(retry)")
            return
        }
        #expect(checker.counts.stored == 1)
        #expect(checker.counts.deduplicated == 1)
    }

    @Test func retryStoredAgainIsCaught() throws {
        let checker = CommitLogChecker()
        let a = try node(1)
        let machine = CommitLogStateMachine()
        try apply(
            try sendEntry(1, uid: 1, stamp: ProducerStamp(producer: ProducerID(7), sequence: 1), on: machine), machine,
            a,
            checker)
        // The retry without its stamp, as a store that forgot idempotence would treat it.
        #expect(
            violation { try apply(try sendEntry(2, uid: 1, on: machine), machine, a, checker) }
                == "message-stored-twice")
    }

    @Test func stalePullIsCaught() throws {
        let checker = CommitLogChecker()
        let (a, b) = (try node(1), try node(2))
        let (leader, stale) = (CommitLogStateMachine(), CommitLogStateMachine())
        let first = try apply(try sendEntry(1, uid: 1, on: leader), leader, a, checker)
        try apply(try sendEntry(1, uid: 1, on: stale), stale, b, checker)
        let second = try apply(try sendEntry(2, uid: 2, on: leader), leader, a, checker)
        for (uid, results) in [(UInt64(1), first), (2, second)] {
            guard let result = results.first?.sendResult else { throw Violation("test", "no send result") }
            try checker.acknowledgeSend(uid: uid, result, at: LogIndex(uid))
        }
        let queue = MessageQueue(topic: WorkloadNames.topic(0), queueID: 0)
        let pull = PullOperation(
            group: "g", filter: .all, queue: queue, offset: .zero, maxCount: 8,
            acknowledgedEnd: checker.acknowledgedEnd(of: queue))
        let fresh = try leader.pull(topic: queue.topic, queueID: 0, offset: .zero, maxCount: 8)
        try checker.checkPull(pull, fresh, on: a)
        let old = try stale.pull(topic: queue.topic, queueID: 0, offset: .zero, maxCount: 8)
        #expect(violation { try checker.checkPull(pull, old, on: b) } == "acknowledged-send-invisible")
    }

    @Test func filteredPullSkippingAMatchIsCaught() throws {
        let checker = CommitLogChecker()
        let a = try node(1)
        let machine = CommitLogStateMachine()
        for (uid, tags) in [(UInt64(1), "TagA"), (2, "TagB"), (3, "TagC"), (4, "TagA")] {
            try apply(try sendEntry(uid, uid: uid, tags: tags, on: machine), machine, a, checker)
        }
        let queue = MessageQueue(topic: WorkloadNames.topic(0), queueID: 0)
        let filter = TagFilter(expression: WorkloadNames.subscription)
        let pull = PullOperation(
            group: "g", filter: filter, queue: queue, offset: .zero, maxCount: 8, acknowledgedEnd: .zero)
        let result = try machine.pull(topic: queue.topic, queueID: 0, offset: .zero, maxCount: 8, filter: filter)
        #expect(result.messages.map(\.queueOffset) == [QueueOffset(0), QueueOffset(2), QueueOffset(3)])
        try checker.checkPull(pull, result, on: a)
        var skipping = result
        skipping.messages.remove(at: 1)
        #expect(violation { try checker.checkPull(pull, skipping, on: a) } == "consumer-skip")
        var unfiltered = try machine.pull(topic: queue.topic, queueID: 0, offset: .zero, maxCount: 8)
        unfiltered.nextOffset = result.nextOffset
        #expect(violation { try checker.checkPull(pull, unfiltered, on: a) } == "consumer-order")
    }

    @Test func offsetCommitGoingBackwardsIsCaught() throws {
        let checker = CommitLogChecker()
        let a = try node(1)
        let machine = CommitLogStateMachine()
        try apply(try sendEntry(1, uid: 1, on: machine), machine, a, checker)
        try apply(try sendEntry(2, uid: 2, on: machine), machine, a, checker)
        try apply(try commitEntry(3, offset: 2), machine, a, checker)
        #expect(
            violation { try apply(try commitEntry(4, offset: 1), machine, a, checker) } == "offset-commit-monotonic")
    }

    @Test func lostOffsetCommitIsCaught() throws {
        let checker = CommitLogChecker()
        let a = try node(1)
        let queue = MessageQueue(topic: WorkloadNames.topic(0), queueID: 0)
        #expect(
            violation {
                try checker.checkOffsetQuery(
                    group: "g", queue: queue, offset: .zero, acknowledged: QueueOffset(1), on: a)
            } == "offset-commit-lost")
    }
}
