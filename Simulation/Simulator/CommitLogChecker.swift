import CommitLog
import LedgerModel
import Raft
import Replica

/// Checks the message log's invariants (`raft-and-swift.md` §3.4, 10–14) incrementally, as
/// nodes apply committed entries, answer pulls and acknowledge sends:
///
/// - replicas agree: each index, wherever applied, gives the same apply results and the same
///   state digest afterwards (a node reopened from its checkpoint too), so at any moment two
///   nodes that applied the same index hold the same state;
/// - no message stored twice: each message id (in its body) and each producer (id, sequence)
///   is stored at most once; a retry that hits the idempotence table returns the original
///   results and carries the same messages;
/// - queue offsets are dense: each stored message takes the next offset of its queue, physical
///   offsets only grow, a sharding key always maps to one queue and an explicit queue is kept;
/// - no acknowledged send lost: an acknowledgement names the place the message was stored at,
///   and a linearizable pull issued later sees the queue at least that far;
/// - consumers see only committed messages, intact, in offset order: exactly the messages of
///   the scanned range that match their subscription, none skipped; a pull never starts below
///   its group's acknowledged commit;
/// - offset commits never exceed the queue's end and never go backwards per group and queue,
///   and an acknowledged commit is never lost (a later query returns at least it).
///
/// The first node to apply an index defines what the index holds (the model); every other node
/// is compared with it. When the logs converge, ``checkConverged(_:)`` reads every message back
/// from every node.
final class CommitLogChecker {
    /// One stored message in the model.
    struct StoredRecord: Equatable {
        var uid: UInt64
        var tags: String?
        var physicalOffset: PhysicalOffset
        var index: LogIndex
        var storeTimestamp: Int64
    }

    /// How long retention keeps a message (nil: it deletes nothing), and the virtual wall clock:
    /// a queue may start past a message only once it expired.
    var retentionMilliseconds: Int64?
    var wallClock: () -> Int64 = { 0 }
    /// A node at or above `diskSpaceCleanForciblyRatio` deleted the log through this index before
    /// it expired: messages stored there may be gone early (on that node, and on any that took
    /// its snapshot).
    var forcedThrough = LogIndex.zero

    /// Where a message was stored.
    struct Location: Hashable, CustomStringConvertible {
        var queue: MessageQueue
        var offset: QueueOffset
        var description: String { "\(queue) offset \(offset)" }
    }

    struct GroupQueue: Hashable, Comparable {
        var group: String
        var queue: MessageQueue
        static func < (lhs: GroupQueue, rhs: GroupQueue) -> Bool {
            (lhs.group, lhs.queue.topic, lhs.queue.queueID) < (rhs.group, rhs.queue.topic, rhs.queue.queueID)
        }
    }

    /// What applying one index gave on the first node that applied it.
    struct Applied {
        var digest: UInt64
        var results: [ApplyResult]
    }

    /// Counters for the run summary.
    struct Counts: Sendable {
        var stored = 0
        var deduplicated = 0
        var offsetCommits = 0
    }

    var canonical: [Applied] = []
    private(set) var queues: [MessageQueue: [StoredRecord]] = [:]
    private var locations: [UInt64: Location] = [:]
    private var stamps: [ProducerStamp: [SendResult]] = [:]
    private var lastSequence: [ProducerID: UInt64] = [:]
    private var shardQueues: [String: MessageQueue] = [:]
    var lastPhysicalOffset: PhysicalOffset?
    private(set) var commits: [GroupQueue: QueueOffset] = [:]
    /// Sends acknowledged to producers: message id → where it was stored.
    private(set) var acknowledged: [UInt64: Location] = [:]
    private var acknowledgedEnds: [MessageQueue: QueueOffset] = [:]
    private var acknowledgedCommits: [GroupQueue: QueueOffset] = [:]
    /// The highest log index whose send or offset commit was acknowledged.
    var highestAcknowledgedIndex: LogIndex = .zero
    private(set) var counts = Counts()
    /// The delay levels' delays (ms), level 1 first, as the nodes are configured.
    var delayLevels: [Int64] = []
    /// Records held in the schedule topic, by where they are held, and what became of them.
    var held: [Location: HeldRecord] = [:]
    /// Stored records by physical offset: which message each is, and its reconsume times.
    var records: [PhysicalOffset: (uid: UInt64, reconsumeTimes: Int32)] = [:]
    /// Send-backs stored, by group and source record, with where each went.
    var sentBack: [SentBackKey: SendResult] = [:]
    var heldCounts = HeldMessageCounts()
    /// How the leaders check back undecided half messages.
    var transactions = TransactionPolicy()
    /// Queue locks granted, by leader, term, group and queue: to whom and when last.
    var lockGrants: [LockKey: (client: String, at: Int64)] = [:]

    /// Half messages by where they are, and what became of them.
    var halves: [PhysicalOffset: HalfRecord] = [:]

    // MARK: - Apply

    /// `node` reopened its state machine at `machine.appliedIndex`: its digest must be the one
    /// every node had there.
    func recovered(_ node: SimNode, _ machine: CommitLogStateMachine) throws(Violation) {
        let applied = machine.appliedIndex
        guard applied > .zero else { return }
        guard applied.rawValue <= UInt64(canonical.count) else {
            throw Violation(
                "commitlog-recovery", "n\(node.id) reopened its CommitLog at \(applied), never applied anywhere")
        }
        let known = canonical[Int(applied.rawValue - 1)].digest
        if machine.digest != known {
            throw Violation(
                "state-digest",
                "n\(node.id) reopened its CommitLog at index \(applied) with digest \(hex(machine.digest)); "
                    + "the state there has digest \(hex(known))")
        }
    }

    /// `node`'s state machine applied `entry` (the bytes it was given) with `results`, and its
    /// digest is now `digest`.
    func applied(_ entry: Entry, results: [ApplyResult], digest: UInt64, on node: SimNode) throws(Violation) {
        let position = Int(entry.index.rawValue) - 1
        if position < canonical.count {
            let known = canonical[position]
            if known.results != results {
                throw Violation(
                    "apply-results",
                    "n\(node.id) applied index \(entry.index) with results \(describe(results)); "
                        + "another node got \(describe(known.results))")
            }
            if known.digest != digest {
                throw Violation(
                    "state-digest",
                    "n\(node.id) has state digest \(hex(digest)) after index \(entry.index); "
                        + "another node had \(hex(known.digest)) there")
            }
            return
        }
        precondition(position == canonical.count, "index \(entry.index) applied before \(canonical.count + 1)")
        canonical.append(Applied(digest: digest, results: results))
        try model(entry, results)
    }

    /// Extends the model with the first application of `entry`.
    private func model(_ entry: Entry, _ results: [ApplyResult]) throws(Violation) {
        let index = entry.index
        guard entry.kind == .normal else {
            if !results.isEmpty { throw Violation("apply-results", "no-op \(index) gave \(describe(results))") }
            return
        }
        let payload: EntryPayload
        do {
            payload = try EntryPayload(decoding: entry.data)
        } catch {
            throw Violation("entry-payload", "index \(index) holds bytes no client proposed: \(error)")
        }
        switch payload {
        case .raw:
            if !results.isEmpty { throw Violation("apply-results", "raw entry \(index) gave \(describe(results))") }
        case .records(let header) where header.origin != nil:
            try recordMove(entry, header, results, at: index)
        case .records(let header):
            let bodies = try records(of: entry, header)
            try recordSend(bodies, stamp: header.producer, results, at: index)
        case .command(.send), .command(.sendBatch):
            throw Violation("entry-payload", "index \(index) holds a send as a command, not as records")
        case .command(.commitOffset(let commit)):
            try recordCommit(commit, results, at: index)
        case .command(.updateTopic), .command(.deleteTopic):
            // The simulated clients never change topics: such an entry came from nowhere.
            throw Violation("entry-payload", "index \(index) holds a topic change no client proposed")
        case .command(.rollbackTransaction(let rollback)):
            try recordRollback(rollback, results, at: index)
        case .command(.checkTransaction(let check)):
            try recordCheck(check, results, at: index)
        }
    }

    private func recordSend(
        _ messages: [StoredMessage], stamp: ProducerStamp?, _ results: [ApplyResult], at index: LogIndex
    ) throws(Violation) {
        if results.count == 1, case .rejected(let reason) = results[0] {
            throw Violation("send-rejected", "index \(index): a valid send was rejected: \(reason)")
        }
        guard results.count == messages.count else {
            throw Violation(
                "apply-results", "index \(index): \(messages.count) messages gave \(results.count) results")
        }
        var sent: [SendResult] = []
        var duplicates = 0
        for result in results {
            switch result {
            case .stored(let value): sent.append(value)
            case .duplicate(let value):
                sent.append(value)
                duplicates += 1
            case .offsetCommitted, .topicUpdated, .topicDeleted, .rejected, .transactionEnded, .transactionChecked,
                .transactionDiscarded:
                throw Violation("apply-results", "index \(index): a send gave \(describe(results))")
            }
        }
        let uids = try messages.map { (message) throws(Violation) in try uid(of: message.body, at: index) }
        if duplicates > 0 {
            guard duplicates == results.count, let stamp, let original = stamps[stamp] else {
                throw Violation(
                    "duplicate-result",
                    "index \(index) reported a duplicate (\(describe(results))) of no stored send")
            }
            guard original == sent else {
                throw Violation(
                    "duplicate-result",
                    "index \(index): retry of \(stamp) answered \(describe(results)), the original was "
                        + original.map { describe([.stored($0)]) }.joined(separator: ", "))
            }
            for (uid, result) in zip(uids, sent)
            where locations[uid] != Location(queue: result.queue, offset: result.queueOffset) {
                throw Violation(
                    "retry-changed-message", "index \(index): retry of \(stamp) carries m\(uid), not what it stored")
            }
            counts.deduplicated += 1
            return
        }
        if let stamp {
            if let earlier = stamps[stamp] {
                throw Violation(
                    "producer-sequence-stored-twice",
                    "\(stamp) stored at \(earlier.map(\.description).joined(separator: ", ")) and again by index \(index)"
                )
            }
            if let last = lastSequence[stamp.producer], stamp.sequence <= last {
                throw Violation(
                    "producer-sequence-order",
                    "index \(index) stored \(stamp) after sequence \(last) of the same producer")
            }
            stamps[stamp] = sent
            lastSequence[stamp.producer] = stamp.sequence
        }
        for ((message, uid), result) in zip(zip(messages, uids), sent) {
            try store(message, uid: uid, result, at: index)
        }
    }

    private func store(_ message: StoredMessage, uid: UInt64, _ result: SendResult, at index: LogIndex)
        throws(Violation)
    {
        let location = Location(queue: result.queue, offset: result.queueOffset)
        if let earlier = locations[uid] {
            throw Violation(
                "message-stored-twice", "m\(uid) stored at \(earlier) and again at \(location) (index \(index))")
        }
        guard result.queue == MessageQueue(topic: message.topic, queueID: message.queueID),
            result.queueOffset == message.queueOffset, result.physicalOffset == message.physicalOffset
        else {
            throw Violation(
                "message-queue",
                "m\(uid) recorded for \(message.topic)/\(message.queueID) offset \(message.queueOffset) at "
                    + "\(message.physicalOffset), stored as \(location) at \(result.physicalOffset)")
        }
        // A held message keeps its key; the queue it picks is checked when it is delivered.
        if let key = message.property(MessageProperty.shardingKey), message.topic != SystemTopic.schedule {
            let name = "\(message.topic)#\(key)"
            if let queue = shardQueues[name], queue != result.queue {
                throw Violation(
                    "sharding-key-queue", "m\(uid) with key \(key) stored in \(result.queue), earlier ones in \(queue)")
            }
            shardQueues[name] = result.queue
        }
        let count = queues[result.queue]?.count ?? 0
        guard result.queueOffset.rawValue == Int64(count) else {
            throw Violation(
                "queue-offset-dense", "m\(uid) stored at \(location) (index \(index)), but the queue held \(count)")
        }
        if let last = lastPhysicalOffset, result.physicalOffset <= last {
            throw Violation(
                "physical-offset-order", "m\(uid) stored at physical offset \(result.physicalOffset) after \(last)")
        }
        lastPhysicalOffset = result.physicalOffset
        try append(message, uid: uid, result, at: index)
        locations[uid] = location
    }

    /// Adds a stored record to its queue's model (and, in the schedule topic, to the held ones).
    func append(_ message: StoredMessage, uid: UInt64, _ result: SendResult, at index: LogIndex)
        throws(Violation)
    {
        queues[result.queue, default: []].append(
            StoredRecord(
                uid: uid, tags: message.tags, physicalOffset: result.physicalOffset, index: index,
                storeTimestamp: result.storeTimestamp))
        records[result.physicalOffset] = (uid, message.reconsumeTimes)
        counts.stored += 1
        if message.topic == SystemTopic.transactionHalf {
            guard let real = message.property(MessageProperty.realTopic),
                message.property(MessageProperty.producerGroup) != nil
            else {
                throw Violation("half-record", "m\(uid) is a half message without REAL_TOPIC or PGROUP")
            }
            halves[result.physicalOffset] = HalfRecord(
                uid: uid, realTopic: real,
                realQueue: message.property(MessageProperty.realQueueID).flatMap { Int32($0) },
                storeTimestamp: message.storeTimestamp, lastCheck: message.storeTimestamp)
            heldCounts.halves += 1
            return
        }
        guard message.topic == SystemTopic.schedule else { return }
        guard let level = message.property(MessageProperty.delayLevel).flatMap({ Int($0) }),
            level >= 1, level <= delayLevels.count, message.queueID == Int32(level - 1),
            let real = message.property(MessageProperty.realTopic)
        else {
            throw Violation("held-record", "m\(uid) held at \(result.queue) without a valid DELAY and REAL_TOPIC")
        }
        held[Location(queue: result.queue, offset: result.queueOffset)] = HeldRecord(
            uid: uid, dueAt: message.storeTimestamp + delayLevels[level - 1], realTopic: real,
            realQueue: message.property(MessageProperty.realQueueID).flatMap { Int32($0) },
            reconsumeTimes: message.reconsumeTimes)
        heldCounts.delayed += 1
    }

    /// The records of a records entry, each checked (CRC included).
    func records(of entry: Entry, _ header: RecordsEntry) throws(Violation) -> [StoredMessage] {
        var messages: [StoredMessage] = []
        var at = header.recordsStart
        for _ in 0..<header.count {
            do {
                let message = try StoredMessage(decoding: entry.data, at: at)
                messages.append(message)
                at += message.storeSize
            } catch {
                throw Violation("entry-payload", "index \(entry.index) holds a record no leader made: \(error)")
            }
        }
        return messages
    }

    private func recordCommit(_ commit: OffsetCommit, _ results: [ApplyResult], at index: LogIndex)
        throws(Violation)
    {
        guard results == [.offsetCommitted(commit)] else {
            throw Violation(
                "offset-commit-rejected",
                "index \(index): \(commit.group)'s commit of \(commit.offset) on \(commit.queue) gave \(describe(results))"
            )
        }
        let key = GroupQueue(group: commit.group, queue: commit.queue)
        if let previous = commits[key], commit.offset < previous {
            throw Violation(
                "offset-commit-monotonic",
                "index \(index) moved \(commit.group) on \(commit.queue) back from \(previous) to \(commit.offset)")
        }
        let end = queues[commit.queue]?.count ?? 0
        guard commit.offset.rawValue <= Int64(end) else {
            throw Violation(
                "offset-commit-range",
                "index \(index) committed \(commit.offset) on \(commit.queue), which holds \(end)")
        }
        commits[key] = commit.offset
        counts.offsetCommits += 1
    }

    func uid(of body: [UInt8], at index: LogIndex) throws(Violation) -> UInt64 {
        guard let uid = MessageBody.uid(in: body) else {
            throw Violation("unknown-message", "index \(index) holds a message body no producer made")
        }
        return uid
    }

    // MARK: - Acknowledgements

    /// A producer was told its send stored message `uid` at `result`, from index `index`.
    func acknowledgeSend(uid: UInt64, _ result: SendResult, at index: LogIndex) throws(Violation) {
        let location = Location(queue: result.queue, offset: result.queueOffset)
        guard locations[uid] == location,
            let record = queues[result.queue]?[Int(result.queueOffset.rawValue)],
            record.physicalOffset == result.physicalOffset
        else {
            throw Violation(
                "acknowledged-send-misplaced",
                "m\(uid) acknowledged at \(location) physical \(result.physicalOffset), but the log holds "
                    + "\(locations[uid].map(String.init(describing:)) ?? "nothing") for it")
        }
        acknowledged[uid] = location
        acknowledgedEnds[result.queue] = max(acknowledgedEnds[result.queue] ?? .zero, result.queueOffset.next)
        highestAcknowledgedIndex = max(highestAcknowledgedIndex, index)
    }

    /// A consumer was told its commit of `commit` applied at `index`.
    func acknowledgeCommit(_ commit: OffsetCommit, at index: LogIndex) {
        acknowledgedCommits[GroupQueue(group: commit.group, queue: commit.queue)] = commit.offset
        highestAcknowledgedIndex = max(highestAcknowledgedIndex, index)
    }

    /// One past the highest acknowledged offset of `queue`.
    func acknowledgedEnd(of queue: MessageQueue) -> QueueOffset { acknowledgedEnds[queue] ?? .zero }

    /// The highest commit acknowledged to `group` on `queue`.
    func acknowledgedCommit(group: String, queue: MessageQueue) -> QueueOffset? {
        acknowledgedCommits[GroupQueue(group: group, queue: queue)]
    }

    func describe(_ results: [ApplyResult]) -> String {
        results.isEmpty ? "nothing" : results.map(\.summary).joined(separator: ", ")
    }

    func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension ApplyResult {
    /// Every field, on one line (two results that differ never read the same).
    var summary: String {
        switch self {
        case .stored(let result): "stored \(result) at \(result.storeTimestamp)ms"
        case .duplicate(let result): "duplicate of \(result) at \(result.storeTimestamp)ms"
        case .offsetCommitted(let commit): "\(commit.group) committed \(commit.offset) on \(commit.queue)"
        case .topicUpdated(let topic): "topic \(topic.name) has \(topic.queues.count) queues"
        case .topicDeleted(let deletion): "topic \(deletion.topic) deleted"
        case .rejected(let reason): "rejected: \(reason)"
        case .transactionEnded(let half, let outcome): "half message at \(half): \(outcome)"
        case .transactionChecked(let pending): "half message at \(pending.half) checked \(pending.checks) times"
        case .transactionDiscarded(let pending): "half message at \(pending.half) discarded"
        }
    }
}
