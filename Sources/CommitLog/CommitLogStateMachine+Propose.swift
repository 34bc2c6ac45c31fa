import Bytes
import LedgerModel
import Raft

/// What a leader's proposed sends will do once they apply, as far as placing the next send
/// depends on it: each queue's next offset, the newest store timestamp, the producer sequences
/// already in flight. The leader keeps one (``CommitLogStateMachine/planSend(_:producer:stamp:tail:bodyPosition:)``
/// updates it, ``ProposalTail/forget(appliedThrough:)`` trims it as entries apply) and works it out again (``CommitLogStateMachine/tail(unapplied:)``) when its role
/// changes or an entry of its tail is rejected; a stale
/// tail costs a rejected (``CommandRejection/misplaced(_:physicalOffset:queueOffset:expectedPhysicalOffset:expectedQueueOffset:)``)
/// send, never a wrong one, since apply checks every placement.
public struct ProposalTail: Sendable {
    var nextOffsets: [MessageQueue: QueueOffset] = [:]
    var lastStoreTimestamp: Int64 = 0
    var sequences: [ProducerID: UInt64] = [:]
    /// Per delay level, the schedule offset after the last delivery planned.
    public internal(set) var deliveries: [Int32: QueueOffset] = [:]
    /// Half messages stored by entries not yet applied (their commits in the tail place too).
    var unappliedHalves: Set<PhysicalOffset> = []
    /// Producer unique keys of messages placed and not yet applied (membership only), and the
    /// same keys with the index of their entry, oldest first (`keyOrder[keyHead...]`).
    var uniqueKeys: Set<HashedKey> = []
    private var keyOrder: [(index: LogIndex, key: HashedKey)] = []
    private var keyHead = 0

    public init() {}

    /// What ``rollBack(to:)`` needs to undo the placements made after ``mark()``: the small
    /// parts as they were, and how many unique keys were placed.
    public struct Mark: Sendable {
        fileprivate var nextOffsets: [MessageQueue: QueueOffset]
        fileprivate var lastStoreTimestamp: Int64
        fileprivate var sequences: [ProducerID: UInt64]
        fileprivate var deliveries: [Int32: QueueOffset]
        fileprivate var keyCount: Int
    }

    /// The tail as it is now, for a proposal that may yet be refused.
    public func mark() -> Mark {
        Mark(
            nextOffsets: nextOffsets, lastStoreTimestamp: lastStoreTimestamp, sequences: sequences,
            deliveries: deliveries, keyCount: keyOrder.count)
    }

    /// Undoes what was placed since `mark` (nothing may have been forgotten in between), so a
    /// tail updated in place for a proposal the log then refused is as it was.
    public mutating func rollBack(to mark: Mark) {
        precondition(keyHead <= mark.keyCount && mark.keyCount <= keyOrder.count, "a mark of another tail")
        nextOffsets = mark.nextOffsets
        lastStoreTimestamp = mark.lastStoreTimestamp
        sequences = mark.sequences
        deliveries = mark.deliveries
        for placed in keyOrder[mark.keyCount...] { uniqueKeys.remove(placed.key) }
        keyOrder.removeSubrange(mark.keyCount...)
    }

    /// Notes that the message with producer unique `key`, in the entry at `index`, was placed;
    /// false when a message with that key is already in flight (this one is a retry).
    mutating func place(_ key: String, at index: LogIndex) -> Bool { place(HashedKey(key), at: index) }

    mutating func place(_ key: HashedKey, at index: LogIndex) -> Bool {
        guard uniqueKeys.insert(key).inserted else { return false }
        keyOrder.append((index, key))
        return true
    }

    /// Forgets the unique keys of entries through `index`, which applied: the state machine's
    /// table answers for them now. Keeps the tail as small as what is in flight.
    public mutating func forget(appliedThrough index: LogIndex) {
        while keyHead < keyOrder.count && keyOrder[keyHead].index <= index {
            uniqueKeys.remove(keyOrder[keyHead].key)
            keyHead += 1
        }
        if keyHead > 1024 && keyHead * 2 > keyOrder.count {
            keyOrder.removeFirst(keyHead)
            keyHead = 0
        }
    }
}

extension CommitLogStateMachine {
    /// Turns a send into the entry a leader proposes: the RocketMQ records of `messages`, each
    /// in its queue at the queue's next offset (applied state plus `tail`), with the physical
    /// offset it will have in the log. `bodyPosition(n)` says where the data of an entry of `n`
    /// bytes proposed now will start in the log. Checks every message as ``precheck(_:)`` does
    /// and updates `tail`, except for a producer stamp already applied or in flight (that entry
    /// applies as a duplicate and stores nothing).
    public func planSend(
        _ messages: [ProducerMessage], producer: ProducerStamp?, stamp: StoreStamp, tail: inout ProposalTail,
        index: LogIndex, bodyPosition: (Int) -> Int64
    ) -> Result<[UInt8], CommandRejection> {
        guard !messages.isEmpty else { return .failure(.emptyBatch) }
        let single = messages.count == 1
        let producer = producer ?? (single ? messages[0].producer : nil)
        var prepared: [PreparedMessage] = []
        prepared.reserveCapacity(messages.count)
        for (position, message) in messages.enumerated() {
            if !single && message.producer != nil { return .failure(.stampInsideBatch(index: position)) }
            switch prepare(message, stamp: stamp) {
            case .success(let value): prepared.append(value)
            case .failure(let reason): return .failure(single ? reason : .batchMessageRejected(index: position, reason))
            }
        }
        var counts = true
        if let producer {
            if case .new = producers.check(producer) {
                counts = producer.sequence > tail.sequences[producer.producer, default: 0]
            } else {
                counts = false
            }
        }
        let headerBytes = RecordsEntry.fixedHeaderBytes
        let total = prepared.reduce(headerBytes) { $0 + $1.recordSize }
        var writer = ByteWriter(capacity: total)
        RecordsEntry.writeHeader(producer: producer, count: prepared.count, into: &writer)
        var bytes = writer.bytes
        // A send that counts places into `tail` itself, moved out and back: placing into a copy
        // would copy its in-flight unique keys (a set and an array) on every send. One that does
        // not count (its producer stamp was applied or is in flight) places into a copy it drops.
        var next = ProposalTail()
        if counts { swap(&next, &tail) } else { next = tail }
        var physical = bodyPosition(total) + Int64(headerBytes)
        let storeTimestamp = max(stamp.storeTimestamp, lastStoreTimestamp, tail.lastStoreTimestamp)
        next.lastStoreTimestamp = storeTimestamp
        for item in prepared {
            let message = item.message
            let queueID = item.storedQueue ?? placeQueue(topic: message.topic, target: message.target, next)
            let key = MessageQueue(topic: item.storedTopic, queueID: queueID)
            let queueOffset = nextOffset(key, next)
            // A retry by unique key (stored, in flight, or earlier in this batch) takes no offset.
            let isRetry =
                message.uniqueKey.map(HashedKey.init).map { storedUnder($0) != nil || !next.place($0, at: index) }
                ?? false
            if !isRetry { next.nextOffsets[key] = queueOffset.next }
            let physicalOffset = PhysicalOffset(physical)
            let messageID = MessageID.make(storeHost: stamp.storeHost, physicalOffset: physicalOffset)
            var properties = item.properties
            properties.append(MessagePropertyPair(MessageProperty.uniqueKey, message.uniqueKey ?? messageID))
            let stored = StoredMessage(
                queueID: queueID, flag: message.flag, queueOffset: queueOffset, physicalOffset: physicalOffset,
                sysFlag: message.bodyCompressed ? MessageSysFlag.compressed : 0,
                bornTimestamp: message.bornTimestamp, bornHost: message.bornHost, storeTimestamp: storeTimestamp,
                storeHost: stamp.storeHost, body: message.body, topic: item.storedTopic, properties: properties)
            MessageRecord.encode(stored, bodyCRC: MessageRecord.bodyCRC(message.body), into: &bytes)
            physical += Int64(item.recordSize)
        }
        precondition(bytes.count == total, "planned \(total) bytes, encoded \(bytes.count)")
        if counts {
            if let producer { next.sequences[producer.producer] = producer.sequence }
            tail = next
        }
        return .success(bytes)
    }

    /// The next offset of `queue`: after the applied messages and those `tail` placed.
    func nextOffset(_ queue: MessageQueue, _ tail: ProposalTail) -> QueueOffset {
        let applied = topics[queue.topic]?.queue(queue.queueID)?.maxOffset ?? .zero
        guard let planned = tail.nextOffsets[queue] else { return applied }
        return max(applied, planned)
    }

    /// The queue a message goes to: the one it names, its sharding key's (RocketMQ's
    /// `SelectMessageQueueByHash`: abs(hashCode % count)), or the queue with the fewest
    /// messages (the lowest id among equals).
    func placeQueue(topic: String, target: QueueTarget, _ tail: ProposalTail) -> Int32 {
        let count = topics[topic]?.queueCount ?? newTopicQueueCount(topic)
        switch target {
        case .queue(let id):
            return id
        case .shardingKey(let key):
            let value = JavaHash.hashCode(key) % count
            return value < 0 ? -value : value
        case .automatic:
            var best: Int32 = 0
            var bestOffset = nextOffset(MessageQueue(topic: topic, queueID: 0), tail)
            for id in 1..<max(count, 1) {
                let offset = nextOffset(MessageQueue(topic: topic, queueID: id), tail)
                if offset < bestOffset {
                    best = id
                    bestOffset = offset
                }
            }
            return best
        }
    }
}

extension CommitLogStateMachine {
    /// The tail a leader starts from when its log holds entries not yet applied (a new leader
    /// inherits its predecessor's; a reset one has its own in flight): the queue offsets,
    /// timestamps and producer sequences their records take, as if each applies. Entries
    /// that are not records, and retries that will apply as duplicates, are skipped; one that
    /// later applies as a rejection only makes sends placed after it rejected as misplaced,
    /// and the tail is rebuilt then.
    public func tail(unapplied entries: [Entry]) -> ProposalTail {
        var tail = ProposalTail()
        for entry in entries where entry.kind == .normal && entry.index > appliedIndex {
            let payload = try? EntryPayload(decoding: entry.data)
            switch payload {
            case .command(.rollbackTransaction(let rollback))?:
                // A commit planned after it is refused: it places nothing.
                _ = tail.place(ProposalTail.decidedKey(rollback.half), at: entry.index)
            case .command(.checkTransaction(let check))? where check.discard:
                _ = tail.place(ProposalTail.decidedKey(check.half), at: entry.index)
            default:
                break
            }
            guard case .records(let header)? = payload else { continue }
            if let origin = header.origin, !tail.placeMove(origin, count: header.count, at: entry.index, in: self) {
                continue
            }
            if let producer = header.producer {
                // A retry of a send applied or earlier in the tail applies as a duplicate: it places nothing.
                guard case .new = producers.check(producer),
                    producer.sequence > tail.sequences[producer.producer, default: 0]
                else { continue }
                tail.sequences[producer.producer] = producer.sequence
            }
            var at = header.recordsStart
            for _ in 0..<header.count {
                guard let message = try? StoredMessage(decoding: entry.data, at: at, verifyingCRC: false) else { break }
                at += message.storeSize
                tail.lastStoreTimestamp = max(tail.lastStoreTimestamp, message.storeTimestamp)
                if header.origin == nil, let key = producerKey(of: message),
                    storedUnder(key) != nil || !tail.place(key, at: entry.index)
                {
                    continue
                }
                let queue = MessageQueue(topic: message.topic, queueID: message.queueID)
                tail.nextOffsets[queue] = max(tail.nextOffsets[queue] ?? .zero, message.queueOffset.next)
                if message.topic == SystemTopic.transactionHalf { tail.unappliedHalves.insert(message.physicalOffset) }
            }
        }
        return tail
    }
}

extension CommitLogStateMachine {
    /// The entry bytes a leader with nothing in flight would propose for `command` if the
    /// entry's data started at `bodyPosition`: a send or batch becomes its records
    /// (``planSend(_:producer:stamp:tail:bodyPosition:)``), anything else its command bytes.
    /// For tests and tools that drive a machine without a replica.
    public func entryData(for command: Command, bodyPosition: Int64) throws -> [UInt8] {
        var tail = ProposalTail()
        let planned: Result<[UInt8], CommandRejection>
        switch command {
        case .send(let message, let stamp):
            planned = planSend(
                [message], producer: message.producer, stamp: stamp, tail: &tail, index: appliedIndex.next
            ) { _ in bodyPosition }
        case .sendBatch(let batch, let stamp):
            if let inside = batch.messages.firstIndex(where: { $0.producer != nil }) {
                throw CommandRejection.stampInsideBatch(index: inside)
            }
            planned = planSend(
                batch.messages, producer: batch.producer, stamp: stamp, tail: &tail, index: appliedIndex.next
            ) { _ in bodyPosition }
        case .commitOffset, .updateTopic, .deleteTopic, .rollbackTransaction, .checkTransaction:
            return try command.encoded()
        }
        return try planned.get()
    }
}

extension ProposalTail {
    /// Notes a move in a leader's unapplied tail: a delivery's schedule offsets, a send-back's
    /// or commit's key. False when its records will place nothing, as apply will refuse or
    /// deduplicate it: a delivery out of turn, a send-back stored or in flight already, a
    /// commit of a half message no longer waiting or decided in flight already.
    mutating func placeMove(
        _ origin: RecordsOrigin, count: Int, at index: LogIndex, in machine: CommitLogStateMachine
    ) -> Bool {
        switch origin {
        case .delayed(let level, let from, _):
            guard from == max(machine.nextDeliveryOffset(level: level), deliveries[level] ?? .zero) else {
                return false
            }
            deliveries[level] = QueueOffset(from.rawValue + Int64(count))
            return true
        case .sentBack(let group, let source):
            let key = MessageKindsState.sentBackKey(group: group, source: source)
            return machine.kinds.sentBack.lookup(key) == nil && place(key, at: index)
        case .committed(let half):
            return (machine.kinds.pending[half] != nil || unappliedHalves.contains(half))
                && place(Self.decidedKey(half), at: index)
        }
    }

    /// The in-flight key of a decision on the half message at `half` (a commit, a rollback, a
    /// discard): a commit planned while one is in flight places nothing.
    public static func decidedKey(_ half: PhysicalOffset) -> String { "\u{0}decided@\(half.rawValue)" }

    /// Notes that a rollback or discard of the half message at `half` was proposed at `index`.
    public mutating func decided(_ half: PhysicalOffset, at index: LogIndex) {
        _ = place(Self.decidedKey(half), at: index)
    }
}
