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
    private struct Applied {
        var digest: UInt64
        var results: [ApplyResult]
    }

    /// Counters for the run summary.
    struct Counts: Sendable {
        var stored = 0
        var deduplicated = 0
        var offsetCommits = 0
    }

    private var canonical: [Applied] = []
    private(set) var queues: [MessageQueue: [StoredRecord]] = [:]
    private var locations: [UInt64: Location] = [:]
    private var stamps: [ProducerStamp: [SendResult]] = [:]
    private var lastSequence: [ProducerID: UInt64] = [:]
    private var shardQueues: [String: MessageQueue] = [:]
    private var lastPhysicalOffset: PhysicalOffset?
    private(set) var commits: [GroupQueue: QueueOffset] = [:]
    /// Sends acknowledged to producers: message id → where it was stored.
    private(set) var acknowledged: [UInt64: Location] = [:]
    private var acknowledgedEnds: [MessageQueue: QueueOffset] = [:]
    private var acknowledgedCommits: [GroupQueue: QueueOffset] = [:]
    /// The highest log index whose send or offset commit was acknowledged.
    private(set) var highestAcknowledgedIndex: LogIndex = .zero
    private(set) var counts = Counts()
    /// The delay levels' delays (ms), level 1 first, as the nodes are configured.
    var delayLevels: [Int64] = []
    /// Records held in the schedule topic, by where they are held, and what became of them.
    private var held: [Location: HeldRecord] = [:]
    /// Stored records by physical offset: which message each is, and its reconsume times.
    private var records: [PhysicalOffset: (uid: UInt64, reconsumeTimes: Int32)] = [:]
    /// Send-backs stored, by group and source record, with where each went.
    private var sentBack: [SentBackKey: SendResult] = [:]
    private(set) var heldCounts = HeldMessageCounts()
    /// How the leaders check back undecided half messages.
    var transactions = TransactionPolicy()
    /// Queue locks granted, by leader, term, group and queue: to whom and when last.
    private var lockGrants: [LockKey: (client: String, at: Int64)] = [:]

    struct LockKey: Hashable {
        var node: NodeID
        var term: Term
        var group: String
        var queue: MessageQueue
    }
    /// Half messages by where they are, and what became of them.
    private var halves: [PhysicalOffset: HalfRecord] = [:]

    /// A transaction's half message.
    struct HalfRecord {
        enum State { case pending, committed, rolledBack, discarded }
        var uid: UInt64
        var realTopic: String
        var realQueue: Int32?
        var storeTimestamp: Int64
        var checks: Int32 = 0
        var lastCheck: Int64
        var state = State.pending
    }

    /// A record waiting in the schedule topic.
    struct HeldRecord {
        var uid: UInt64
        var dueAt: Int64
        var realTopic: String
        var realQueue: Int32?
        var reconsumeTimes: Int32
        var delivered = false
    }

    struct SentBackKey: Hashable {
        var group: String
        var source: PhysicalOffset
    }

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
    private func append(_ message: StoredMessage, uid: UInt64, _ result: SendResult, at index: LogIndex)
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

    /// The first application of an entry that moves held messages: a delivery of due delayed
    /// messages, or a consumer's send-back. Each moves once; a delivery is never early and goes
    /// to its real topic; a send-back counts one more reconsume and goes to the group's retry
    /// topic (by way of a delay level) or its dead letters.
    private func recordMove(_ entry: Entry, _ header: RecordsEntry, _ results: [ApplyResult], at index: LogIndex)
        throws(Violation)
    {
        guard let origin = header.origin else { return }
        if results.count == 1, case .rejected(let reason) = results[0] {
            switch (origin, reason) {
            case (_, .staleMove):
                // Another leader's move came first: nothing stored.
                return
            case (.committed(let half), .transactionNotPending(let named)) where named == half:
                // Decided before (a retried commit, a rollback, a discard).
                guard halves[half]?.state != .pending else {
                    throw Violation("commit-refused", "index \(index): the commit of pending \(half) was refused")
                }
                return
            default:
                throw Violation("move-rejected", "index \(index): \(origin) was rejected: \(reason)")
            }
        }
        let messages = try records(of: entry, header)
        guard results.count == messages.count else {
            throw Violation(
                "apply-results", "index \(index): \(messages.count) moved records gave \(results.count) results")
        }
        switch origin {
        case .delayed(let level, let from, _):
            for (position, (message, result)) in zip(messages, results).enumerated() {
                guard case .stored(let stored) = result else {
                    throw Violation("apply-results", "index \(index): a delivery gave \(describe(results))")
                }
                let location = Location(
                    queue: MessageQueue(topic: SystemTopic.schedule, queueID: level - 1),
                    offset: QueueOffset(from.rawValue + Int64(position)))
                guard var record = held[location] else {
                    throw Violation("delivery-unheld", "index \(index) delivers \(location), which holds no message")
                }
                let uid = try self.uid(of: message.body, at: index)
                guard !record.delivered else {
                    throw Violation("delivered-twice", "index \(index) delivers m\(uid) from \(location) again")
                }
                guard uid == record.uid, message.reconsumeTimes == record.reconsumeTimes else {
                    throw Violation(
                        "delivery-changed", "index \(index) delivers m\(uid) from \(location), held m\(record.uid)")
                }
                guard message.storeTimestamp >= record.dueAt else {
                    throw Violation(
                        "delivered-early",
                        "index \(index) delivers m\(uid) at \(message.storeTimestamp)ms, due at \(record.dueAt)ms")
                }
                guard message.topic == record.realTopic, record.realQueue.map({ $0 == message.queueID }) ?? true,
                    message.property(MessageProperty.delayLevel) == nil
                else {
                    throw Violation(
                        "delivery-queue",
                        "index \(index) delivers m\(uid) to \(message.topic)/\(message.queueID), "
                            + "held for \(record.realTopic)/\(record.realQueue.map(String.init) ?? "any")")
                }
                try storeCopy(message, uid: uid, stored, at: index)
                record.delivered = true
                held[location] = record
                heldCounts.delivered += 1
            }
        case .sentBack(let group, let source):
            let key = SentBackKey(group: group, source: source)
            let result = results[0]
            if case .duplicate(let original) = result {
                guard sentBack[key] == original else {
                    throw Violation("send-back-duplicate", "index \(index): \(origin) answered \(describe(results))")
                }
                return
            }
            guard case .stored(let stored) = result, let message = messages.first else {
                throw Violation("apply-results", "index \(index): a send-back gave \(describe(results))")
            }
            guard sentBack[key] == nil else {
                throw Violation("sent-back-twice", "index \(index) stores \(origin) again")
            }
            guard let original = records[source] else {
                throw Violation("send-back-unknown", "index \(index): \(origin) names no stored record")
            }
            let uid = try self.uid(of: message.body, at: index)
            guard uid == original.uid, message.reconsumeTimes == original.reconsumeTimes + 1 else {
                throw Violation(
                    "send-back-changed",
                    "index \(index): \(origin) stores m\(uid) reconsumed \(message.reconsumeTimes) times, "
                        + "the source is m\(original.uid) reconsumed \(original.reconsumeTimes) times")
            }
            let retry =
                message.topic == SystemTopic.schedule
                && message.property(MessageProperty.realTopic) == SystemTopic.retry(group)
            guard retry || message.topic == SystemTopic.deadLetter(group) else {
                throw Violation("send-back-queue", "index \(index): \(origin) stored in \(message.topic)")
            }
            sentBack[key] = stored
            try storeCopy(message, uid: uid, stored, at: index)
            if !retry { heldCounts.deadLettered += 1 }
        case .committed(let half):
            guard results.count == 1, case .stored(let stored) = results[0], let message = messages.first else {
                throw Violation("apply-results", "index \(index): a commit gave \(describe(results))")
            }
            guard var record = halves[half], record.state == .pending else {
                throw Violation(
                    "commit-not-pending",
                    "index \(index) commits \(half), which is \(halves[half].map { "\($0.state)" } ?? "no half message")"
                )
            }
            let uid = try self.uid(of: message.body, at: index)
            guard uid == record.uid, message.topic == record.realTopic,
                record.realQueue.map({ $0 == message.queueID }) ?? true,
                message.sysFlag & MessageSysFlag.transactionCommit != 0,
                message.preparedTransactionOffset == half.rawValue,
                message.property(MessageProperty.transactionPrepared) == nil
            else {
                throw Violation(
                    "commit-changed", "index \(index) commits \(half) as m\(uid) in \(message.topic)/\(message.queueID)"
                )
            }
            try storeCopy(message, uid: uid, stored, at: index)
            record.state = .committed
            halves[half] = record
            heldCounts.committed += 1
        }
    }

    /// The records of a records entry, each checked (CRC included).
    private func records(of entry: Entry, _ header: RecordsEntry) throws(Violation) -> [StoredMessage] {
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

    /// Adds a record that is a copy of a message stored before (delivered or sent back): its
    /// queue's next offset, after every earlier record.
    private func storeCopy(_ message: StoredMessage, uid: UInt64, _ result: SendResult, at index: LogIndex)
        throws(Violation)
    {
        let location = Location(queue: result.queue, offset: result.queueOffset)
        let count = queues[result.queue]?.count ?? 0
        guard result.queue == MessageQueue(topic: message.topic, queueID: message.queueID),
            result.queueOffset.rawValue == Int64(count)
        else {
            throw Violation(
                "queue-offset-dense", "m\(uid) copied to \(location) (index \(index)), but the queue held \(count)")
        }
        if let last = lastPhysicalOffset, result.physicalOffset <= last {
            throw Violation(
                "physical-offset-order", "m\(uid) copied at physical offset \(result.physicalOffset) after \(last)")
        }
        lastPhysicalOffset = result.physicalOffset
        try append(message, uid: uid, result, at: index)
    }

    /// A consumer was told its send-back of `sendBack` went to `result` (applied at `index`):
    /// where the log stored it, in the dead letters exactly when it had been reconsumed the
    /// maximum number of times (a `duplicate`, a send-back of the same message stored earlier,
    /// keeps the earlier request's maximum).
    func acknowledgeSendBack(
        _ sendBack: SendBackOperation, _ result: SendResult, duplicate: Bool, at index: LogIndex
    ) throws(Violation) {
        let request = sendBack.request
        let key = SentBackKey(group: request.group, source: request.offset)
        guard sentBack[key] == result else {
            throw Violation(
                "acknowledged-send-back-misplaced",
                "\(request.group)'s send-back of \(request.offset) acknowledged at \(result), the log holds "
                    + "\(sentBack[key].map(String.init(describing:)) ?? "nothing")")
        }
        let dead = sendBack.sourceReconsumeTimes >= (request.maxReconsumeTimes ?? 16)
        guard duplicate || dead == (result.queue.topic == SystemTopic.deadLetter(request.group)) else {
            throw Violation(
                "send-back-dead-letter",
                "m\(sendBack.uid) reconsumed \(sendBack.sourceReconsumeTimes) times (maximum "
                    + "\(request.maxReconsumeTimes ?? 16)) went to \(result.queue)")
        }
        highestAcknowledgedIndex = max(highestAcknowledgedIndex, index)
    }

    private func recordRollback(_ rollback: TransactionRollback, _ results: [ApplyResult], at index: LogIndex)
        throws(Violation)
    {
        let half = rollback.half
        if results == [.rejected(.transactionNotPending(half))] {
            guard halves[half]?.state != .pending else {
                throw Violation("rollback-refused", "index \(index): the rollback of pending \(half) was refused")
            }
            return
        }
        guard results == [.transactionEnded(half, .rollback)], var record = halves[half], record.state == .pending
        else {
            throw Violation(
                "rollback-not-pending", "index \(index): rolling back \(half) gave \(describe(results))")
        }
        record.state = .rolledBack
        halves[half] = record
        heldCounts.rolledBack += 1
    }

    /// A check back is counted once per leader decision, at most `checkMax` times, and the half
    /// message is discarded only after the last.
    private func recordCheck(_ check: TransactionCheck, _ results: [ApplyResult], at index: LogIndex)
        throws(Violation)
    {
        let half = check.half
        if results.count == 1, case .rejected(.staleCheck) = results[0] {
            // Another leader's check of the same round came first.
            return
        }
        if results == [.rejected(.transactionNotPending(half))] {
            guard halves[half]?.state != .pending else {
                throw Violation("check-refused", "index \(index): the check of pending \(half) was refused")
            }
            return
        }
        guard var record = halves[half], record.state == .pending, results.count == 1 else {
            throw Violation("check-not-pending", "index \(index): checking \(half) gave \(describe(results))")
        }
        switch results[0] {
        case .transactionChecked(let pending):
            guard pending.checks == record.checks + 1, pending.checks <= transactions.checkMax,
                check.at - record.lastCheck
                    >= (record.checks == 0 ? transactions.timeoutMilliseconds : transactions.checkIntervalMilliseconds)
            else {
                throw Violation(
                    "transaction-check-count",
                    "index \(index): check \(pending.checks) of \(half) at \(check.at)ms, after \(record.checks) checks, "
                        + "the last at \(record.lastCheck)ms")
            }
            record.checks = pending.checks
            record.lastCheck = check.at
        case .transactionDiscarded:
            guard record.checks >= transactions.checkMax else {
                throw Violation(
                    "transaction-discarded-early", "index \(index) discards \(half) after \(record.checks) checks")
            }
            record.state = .discarded
            heldCounts.discarded += 1
        default:
            throw Violation("apply-results", "index \(index): checking \(half) gave \(describe(results))")
        }
        halves[half] = record
    }

    /// `node`, leading in `term`, granted `held` to `lock.clientID` at `at` (virtual ms): no
    /// other client of the group may hold one of those queues from that leader and term then
    /// (a grant lasts `expiry` ms after it was last renewed). (A grant whose answer the client
    /// no longer waited for is not seen here, so a refusal is not checked.)
    func locksGranted(
        _ lock: QueueLockRequest, _ held: [MessageQueue], node: NodeID, term: Term, at: Int64, expiry: Int64
    ) throws(Violation) {
        for queue in lock.queues {
            let key = LockKey(node: node, term: term, group: lock.group, queue: queue)
            let other = lockGrants[key].flatMap { $0.client != lock.clientID && at - $0.at < expiry ? $0 : nil }
            if held.contains(queue) {
                if let other {
                    throw Violation(
                        "queue-lock-shared",
                        "n\(node) (term \(term)) granted \(lock.group)'s \(queue) to \(lock.clientID) at \(at)ms while "
                            + "\(other.client) held it since \(other.at)ms")
                }
                lockGrants[key] = (lock.clientID, at)
            }
        }
    }

    /// Once the logs converged at virtual time `now`: every held message due well before it
    /// was delivered (on every later leader), and every undecided half message checked back
    /// on schedule. `writable` is when the last full disk freed: before it the group refused
    /// writes, moves included.
    func checkHeldDelivered(now: Int64, writable: Int64, slack: Int64, _ machine: CommitLogStateMachine)
        throws(Violation)
    {
        for (location, record) in held.sorted(by: { ($0.key.queue, $0.key.offset) < ($1.key.queue, $1.key.offset) })
        where !record.delivered && max(record.dueAt, writable) + slack <= now {
            throw Violation(
                "delayed-message-lost",
                "m\(record.uid) held at \(location) was due at \(record.dueAt)ms and is still not delivered at "
                    + "\(now)ms (next delivery \(machine.nextDeliveryOffset(level: location.queue.queueID + 1)))")
        }
        for (half, record) in halves.sorted(by: { $0.key < $1.key }) where record.state == .pending {
            let wait = record.checks == 0 ? transactions.timeoutMilliseconds : transactions.checkIntervalMilliseconds
            if max(record.lastCheck + wait, writable) + slack <= now {
                throw Violation(
                    "transaction-unchecked",
                    "half message m\(record.uid) at \(half), checked \(record.checks) times (last at "
                        + "\(record.lastCheck)ms), is still undecided at \(now)ms")
            }
        }
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

    private func uid(of body: [UInt8], at index: LogIndex) throws(Violation) -> UInt64 {
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

    // MARK: - Reads

    /// `node` answered `pull` with `result` (linearizably: at or after a read index).
    func checkPull(_ pull: PullOperation, _ result: PullResult, on node: SimNode) throws(Violation) {
        let who = "n\(node.id) pull of \(pull.queue) at \(pull.offset) for \(pull.group)"
        if let committed = acknowledgedCommit(group: pull.group, queue: pull.queue), pull.offset < committed {
            throw Violation("consumer-monotonic", "\(who): below the group's acknowledged commit \(committed)")
        }
        if result.maxOffset < pull.acknowledgedEnd {
            throw Violation(
                "acknowledged-send-invisible",
                "\(who) saw the queue end at \(result.maxOffset), but offset \(pull.acknowledgedEnd.rawValue - 1) "
                    + "was acknowledged before the pull")
        }
        let records = queues[pull.queue] ?? []
        if result.maxOffset.rawValue > Int64(records.count) {
            throw Violation(
                "uncommitted-read", "\(who) saw the queue end at \(result.maxOffset); only \(records.count) committed")
        }
        switch result.status {
        case .offsetIllegal:
            // Retention deleted the messages the consumer had not reached: it continues from the
            // queue's first offset.
            guard pull.offset < result.minOffset, result.nextOffset == result.minOffset else {
                throw Violation(
                    "consumer-offset", "\(who): OFFSET_ILLEGAL, range \(result.minOffset)..<\(result.maxOffset)")
            }
            try checkExpired(pull.queue, below: result.minOffset, records, who: who)
            return
        case .noNewMessage:
            if !result.messages.isEmpty || result.nextOffset != pull.offset || result.maxOffset != pull.offset {
                throw Violation("pull-status", "\(who): NO_NEW_MSG with \(result.messages.count) messages")
            }
        case .noMatchedMessage:
            if !result.messages.isEmpty || pull.filter.tags == nil || result.nextOffset <= pull.offset {
                throw Violation(
                    "pull-status",
                    "\(who): NO_MATCHED_MSG with filter \(pull.filter), \(result.messages.count) messages, "
                        + "next offset \(result.nextOffset)")
            }
        case .found:
            if result.messages.isEmpty || result.messages.count > pull.maxCount {
                throw Violation("pull-status", "\(who): FOUND with \(result.messages.count) messages")
            }
        }
        if result.nextOffset < pull.offset || result.nextOffset > result.maxOffset {
            throw Violation(
                "consumer-order",
                "\(who): next offset \(result.nextOffset) outside \(pull.offset)...\(result.maxOffset)")
        }
        // The scanned range is pull.offset..<nextOffset: every committed message there that the
        // subscription matches comes back, in order, and nothing else does.
        var returned = result.messages[...]
        var offset = pull.offset
        while offset < result.nextOffset {
            let record = records[Int(offset.rawValue)]
            if pull.filter.matches(tags: record.tags) {
                guard let message = returned.popFirst(), message.queueOffset <= offset else {
                    throw Violation("consumer-skip", "\(who): skipped m\(record.uid) at offset \(offset)")
                }
                guard message.queueOffset == offset, message.topic == pull.queue.topic,
                    message.queueID == pull.queue.queueID
                else {
                    throw Violation(
                        "consumer-order",
                        "\(who): returned \(message.topic)/\(message.queueID) offset \(message.queueOffset) where "
                            + "offset \(offset) was due")
                }
                guard message.physicalOffset == record.physicalOffset,
                    MessageBody.isIntact(message.body, uid: record.uid), message.tags == record.tags
                else {
                    throw Violation(
                        "offset-consistency",
                        "\(who): offset \(offset) holds "
                            + "\(MessageBody.uid(in: message.body).map { "m\($0)" } ?? "a foreign body") at "
                            + "\(message.physicalOffset); m\(record.uid) at \(record.physicalOffset) was stored there")
                }
            }
            offset = offset.next
        }
        if let extra = returned.first {
            throw Violation(
                "consumer-order",
                "\(who): returned offset \(extra.queueOffset) (tags \(extra.tags ?? "none")) outside the matches of "
                    + "\(pull.offset)..<\(result.nextOffset) for filter \(pull.filter)")
        }
    }

    /// `node` answered a query of `group`'s offset on `queue` with `offset`.
    func checkOffsetQuery(
        group: String, queue: MessageQueue, offset: QueueOffset, acknowledged: QueueOffset?, on node: SimNode
    ) throws(Violation) {
        if let acknowledged, offset < acknowledged {
            throw Violation(
                "offset-commit-lost",
                "n\(node.id) says \(group) committed \(offset) on \(queue); \(acknowledged) was acknowledged before")
        }
        let end = queues[queue]?.count ?? 0
        if offset.rawValue > Int64(end) {
            throw Violation(
                "offset-commit-range", "n\(node.id) says \(group) committed \(offset) on \(queue), which holds \(end)")
        }
    }

    // MARK: - Convergence

    /// After every log converged: each node's state machine holds every stored message at its
    /// offset with its body, every queue ends where the model does, and every group's committed
    /// offsets are the model's.
    func checkConverged(_ nodes: [(id: NodeID, machine: CommitLogStateMachine)]) throws(Violation) {
        for node in nodes {
            let machine = node.machine
            let applied = machine.appliedIndex
            if applied > .zero && machine.digest != canonical[Int(applied.rawValue - 1)].digest {
                throw Violation("state-digest", "n\(node.id) converged at \(applied) with another digest")
            }
            for queue in queues.keys.sorted() {
                try checkQueue(queue, on: node.id, machine)
            }
            for (key, offset) in commits.sorted(by: { $0.key < $1.key }) {
                let found = machine.consumerOffset(group: key.group, queue: key.queue)
                if found != offset {
                    throw Violation(
                        "offset-commit-lost",
                        "n\(node.id) holds \(found.map(String.init(describing:)) ?? "no offset") for \(key.group) on "
                            + "\(key.queue); \(offset) was committed")
                }
            }
        }
    }

    /// Every message of `queue` below `first` (where a node's queue now starts) expired before
    /// now: retention never deletes a message younger than `fileReservedTime`.
    private func checkExpired(_ queue: MessageQueue, below first: QueueOffset, _ records: [StoredRecord], who: String)
        throws(Violation)
    {
        guard first > .zero else { return }
        guard let kept = retentionMilliseconds else {
            throw Violation("retention-off", "\(who): \(queue) starts at \(first), but retention is off")
        }
        let now = wallClock()
        for (offset, record) in records.prefix(Int(first.rawValue)).enumerated()
        where record.storeTimestamp + kept > now && record.index > forcedThrough {
            throw Violation(
                "retention-unexpired",
                "\(who): \(queue) starts at \(first), but m\(record.uid) at offset \(offset) was stored at "
                    + "\(record.storeTimestamp)ms, less than \(kept)ms before \(now)ms")
        }
    }

    private func checkQueue(_ queue: MessageQueue, on id: NodeID, _ machine: CommitLogStateMachine)
        throws(Violation)
    {
        let records = queues[queue] ?? []
        var offset = QueueOffset.zero
        if let range = try? machine.offsetRange(topic: queue.topic, queueID: queue.queueID) {
            try checkExpired(queue, below: range.minOffset, records, who: "n\(id)")
            offset = range.minOffset
        }
        while offset.rawValue < Int64(records.count) {
            let result: PullResult
            do {
                result = try machine.pull(
                    topic: queue.topic, queueID: queue.queueID, offset: offset,
                    maxCount: machine.configuration.maxPullMessages)
            } catch {
                throw Violation("acknowledged-send-lost", "n\(id) cannot read \(queue) at \(offset): \(error)")
            }
            guard result.maxOffset.rawValue == Int64(records.count), !result.messages.isEmpty else {
                throw Violation(
                    "queue-end", "n\(id) ends \(queue) at \(result.maxOffset); \(records.count) were stored")
            }
            for message in result.messages {
                guard offset.rawValue < Int64(records.count) else {
                    throw Violation("queue-end", "n\(id) returned \(queue) offset \(offset) past its end")
                }
                let record = records[Int(offset.rawValue)]
                guard message.queueOffset == offset, message.physicalOffset == record.physicalOffset,
                    MessageBody.isIntact(message.body, uid: record.uid)
                else {
                    let lost = acknowledged[record.uid] != nil ? "acknowledged-send-lost" : "offset-consistency"
                    throw Violation(
                        lost,
                        "n\(id) lacks m\(record.uid) (stored by index \(record.index)) at \(queue) offset \(offset)"
                    )
                }
                offset = offset.next
            }
        }
    }

    private func describe(_ results: [ApplyResult]) -> String {
        results.isEmpty ? "nothing" : results.map(\.summary).joined(separator: ", ")
    }

    private func hex(_ value: UInt64) -> String {
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

/// Counters of held messages for the run summary: held in the schedule topic, delivered, sent
/// back into the dead letters.
public struct HeldMessageCounts: Sendable {
    public var delayed = 0
    public var delivered = 0
    public var deadLettered = 0
    public var halves = 0
    public var committed = 0
    public var rolledBack = 0
    public var discarded = 0
    public init() {}
}
