import CommitLog
import LedgerModel
import Raft
import Replica

/// The checks of the messages the store holds back and moves itself (`CommitLogChecker`'s
/// model of them): delayed messages delivered once and never early, send-backs stored once and
/// dead-lettered exactly past their maximum, transactions decided once with their check backs
/// counted on schedule, queue locks held by one client per leader term.
extension CommitLogChecker {
    struct LockKey: Hashable {
        var node: NodeID
        var term: Term
        var group: String
        var queue: MessageQueue
    }

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

    /// The first application of an entry that moves held messages: a delivery of due delayed
    /// messages, or a consumer's send-back. Each moves once; a delivery is never early and goes
    /// to its real topic; a send-back counts one more reconsume and goes to the group's retry
    /// topic (by way of a delay level) or its dead letters.
    func recordMove(_ entry: Entry, _ header: RecordsEntry, _ results: [ApplyResult], at index: LogIndex)
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

    /// Adds a record that is a copy of a message stored before (delivered or sent back): its
    /// queue's next offset, after every earlier record.
    func storeCopy(_ message: StoredMessage, uid: UInt64, _ result: SendResult, at index: LogIndex)
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

    func recordRollback(_ rollback: TransactionRollback, _ results: [ApplyResult], at index: LogIndex)
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
    func recordCheck(_ check: TransactionCheck, _ results: [ApplyResult], at index: LogIndex)
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
