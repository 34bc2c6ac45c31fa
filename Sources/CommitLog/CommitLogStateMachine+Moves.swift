import Bytes
import LedgerModel
import Raft

/// A record the store writes for a message it already holds (``RecordsOrigin``): everything but
/// the placement, which ``CommitLogStateMachine/planMove(_:origin:stamp:tail:bodyPosition:)`` adds.
struct MoveTemplate {
    var topic: String
    /// The queue it must go to, or nil for the store to pick (the fewest messages).
    var queue: Int32?
    var flag: Int32
    var sysFlag: Int32
    var bornTimestamp: Int64
    var bornHost: HostAddress
    var reconsumeTimes: Int32
    var preparedTransactionOffset: Int64
    var body: [UInt8]
    /// Complete, `UNIQ_KEY` included (a moved message keeps its id).
    var properties: [MessagePropertyPair]

    /// `message` again, in `topic` (and `queue`), with the properties named in `dropping` removed.
    init(moving message: StoredMessage, to topic: String, queue: Int32?, dropping: Set<String>) {
        self.topic = topic
        self.queue = queue
        flag = message.flag
        sysFlag = message.sysFlag & MessageSysFlag.compressed
        bornTimestamp = message.bornTimestamp
        bornHost = message.bornHost
        reconsumeTimes = message.reconsumeTimes
        preparedTransactionOffset = message.preparedTransactionOffset
        body = message.body
        properties = message.properties.filter { !dropping.contains($0.name) }
    }

    /// Sets property `name` to `value`, in place if present, else at the end.
    mutating func set(_ name: String, _ value: String) {
        if let at = properties.firstIndex(where: { $0.name == name }) {
            properties[at].value = value
        } else {
            properties.append(MessagePropertyPair(name, value))
        }
    }
}

/// Moving held messages on: a due delayed message into its topic, a consumer's send-back into
/// its retry or dead-letter topic, a committed half message into its topic. The leader plans
/// each move as a records entry with its ``RecordsOrigin`` (the records are written once, in
/// the log, like a producer's); apply checks that the move is the next one (a delay level's
/// next schedule offset, a send-back or commit not stored yet) and never early, then stores
/// the records like any others and records the move.
extension CommitLogStateMachine {
    /// The properties a delivery or commit drops: the holding's own.
    static let holdingProperties: Set<String> = [
        MessageProperty.delayLevel, MessageProperty.realTopic, MessageProperty.realQueueID,
    ]

    /// The schedule-queue offset delay `level`'s next delivery starts at: replicated state,
    /// the same on every replica. (Retention never deletes a held message's record, see
    /// ``oldestHeldOffset()``, so every replica whose log reaches it can read it.)
    public func nextDeliveryOffset(level: Int32) -> QueueOffset {
        guard level >= 1, Int(level) <= kinds.delivered.count else { return .zero }
        return kinds.delivered[Int(level) - 1]
    }

    /// The log position of the oldest record the store still holds back (a delayed message not
    /// delivered yet, a half message undecided), or nil for none: retention must not delete
    /// the log there or after it, or the message could never move on.
    public func oldestHeldOffset() throws(QueryError) -> PhysicalOffset? {
        var oldest = kinds.pending.keys.min()
        for level in 1...Int32(kinds.delivered.count) {
            let next = kinds.delivered[Int(level) - 1]
            guard let queue = topics[SystemTopic.schedule]?.queue(level - 1), next < queue.maxOffset else { continue }
            let key = MessageQueue(topic: SystemTopic.schedule, queueID: level - 1)
            let entry = ConsumeQueueEntry(packed: try queueEntries(key, queue, next..<next.next), at: 0)
            oldest = min(oldest ?? entry.physicalOffset, entry.physicalOffset)
        }
        return oldest
    }

    /// Half messages waiting for their producers, by offset.
    public var pendingTransactions: [PendingTransaction] { kinds.pendingInOrder }

    /// Delayed messages (and send-backs) held in the schedule topic, not delivered yet.
    public var delayedWaiting: Int64 {
        var waiting: Int64 = 0
        for level in 1...Int32(kinds.delivered.count) {
            let held = topics[SystemTopic.schedule]?.queue(level - 1)?.maxOffset ?? .zero
            waiting += max(0, held.rawValue - kinds.delivered[Int(level) - 1].rawValue)
        }
        return waiting
    }

    /// Whether delay `level` holds a message past schedule offset `after` (nil: the next
    /// delivery's) that is due at `now`: one consume-queue entry read, so a leader can look
    /// before it plans.
    public func isDeliveryDue(level: Int32, after: QueueOffset?, now: Int64) throws(QueryError) -> Bool {
        guard let queue = topics[SystemTopic.schedule]?.queue(level - 1) else { return false }
        let next = max(nextDeliveryOffset(level: level), after ?? .zero)
        guard next < queue.maxOffset else { return false }
        let key = MessageQueue(topic: SystemTopic.schedule, queueID: level - 1)
        return ConsumeQueueEntry(packed: try queueEntries(key, queue, next..<next.next), at: 0).tagsCode <= now
    }

    /// The entry a leader proposes to deliver delay `level`'s messages due at `now` (at most
    /// `maxMessages`, within `maxBytes` of records), or nil when none is due. Deliveries already
    /// in `tail` are not planned again.
    public func planDelivery(
        level: Int32, now: Int64, stamp: StoreStamp, maxMessages: Int, maxBytes: Int, tail: inout ProposalTail,
        bodyPosition: (Int) -> Int64
    ) throws(QueryError) -> [UInt8]? {
        guard let queue = topics[SystemTopic.schedule]?.queue(level - 1) else { return nil }
        let from = max(nextDeliveryOffset(level: level), tail.deliveries[level] ?? .zero)
        guard from < queue.maxOffset else { return nil }
        let key = MessageQueue(topic: SystemTopic.schedule, queueID: level - 1)
        let end = QueueOffset(min(queue.maxOffset.rawValue, from.rawValue + Int64(maxMessages)))
        let entries = try queueEntries(key, queue, from..<end)
        var templates: [MoveTemplate] = []
        var bytes = 0
        var offset = from
        var due = Int64.min
        while offset < end {
            let entry = ConsumeQueueEntry(packed: entries, at: templates.count * ConsumeQueue.entrySize)
            guard entry.tagsCode <= now, templates.isEmpty || bytes + Int(entry.size) <= maxBytes else { break }
            let message = try queuedMessage(key, at: offset, entry)
            templates.append(deliveryTemplate(message))
            bytes += Int(entry.size)
            due = max(due, entry.tagsCode)
            offset = offset.next
        }
        guard !templates.isEmpty else { return nil }
        let origin = RecordsOrigin.delayed(level: level, from: from, due: due)
        switch planMove(templates, origin: origin, stamp: stamp, tail: &tail, bodyPosition: bodyPosition) {
        case .success(let planned):
            tail.deliveries[level] = offset
            return planned
        case .failure(let reason):
            // Only a record too large for a data file gets here; deliver it alone next time is no better.
            throw .invalidArgument("delay level \(level) delivery from \(from): \(reason)")
        }
    }

    /// The record a due delayed message becomes: its real topic and queue (or one the store
    /// picks), without the holding's properties.
    private func deliveryTemplate(_ message: StoredMessage) -> MoveTemplate {
        let real = message.property(MessageProperty.realTopic) ?? message.topic
        var queue = message.property(MessageProperty.realQueueID).flatMap { Int32($0) }
        // The real topic may have been deleted and created again with fewer queues.
        if let id = queue, id < 0 || id >= (topics[real]?.queueCount ?? newTopicQueueCount(real)) { queue = nil }
        return MoveTemplate(moving: message, to: real, queue: queue, dropping: Self.holdingProperties)
    }

    /// The entry a leader proposes for consumer `request.group`'s send-back of the message at
    /// `request.offset` (CONSUMER_SEND_MSG_BACK): by way of a delay level into `%RETRY%<group>`
    /// with its reconsume times one higher, or into `%DLQ%<group>` once it was reconsumed
    /// `maxReconsumeTimes` times (the request's, else `defaultMaxReconsumeTimes`) or when the
    /// request's delay level is negative. A send-back stored or in flight already is planned
    /// without placing anything (it applies as a duplicate).
    public func planSendBack(
        _ request: SendBackRequest, defaultMaxReconsumeTimes: Int32, stamp: StoreStamp, tail: inout ProposalTail,
        index: LogIndex, bodyPosition: (Int) -> Int64
    ) throws(QueryError) -> Result<[UInt8], CommandRejection> {
        let group = request.group
        guard !group.isEmpty, group.utf8.count <= 255 else { return .failure(.invalidGroup(group)) }
        let retryTopic = SystemTopic.retry(group)
        if let reason = TopicName.problem(retryTopic) { return .failure(.invalidTopic(retryTopic, reason: reason)) }
        let source = try message(at: request.offset)
        let reconsumed = source.reconsumeTimes
        var template = MoveTemplate(moving: source, to: retryTopic, queue: 0, dropping: Self.holdingProperties)
        template.reconsumeTimes = reconsumed + 1
        template.set(MessageProperty.retryTopic, source.property(MessageProperty.retryTopic) ?? source.topic)
        template.set(
            MessageProperty.originMessageID, source.property(MessageProperty.originMessageID) ?? source.messageID)
        if reconsumed >= (request.maxReconsumeTimes ?? defaultMaxReconsumeTimes) || request.delayLevel < 0 {
            template.topic = SystemTopic.deadLetter(group)
        } else {
            let asked = request.delayLevel == 0 ? 3 + reconsumed : request.delayLevel
            let level = min(asked, Int32(configuration.delayLevels.count))
            template.topic = SystemTopic.schedule
            template.queue = level - 1
            template.set(MessageProperty.delayLevel, String(level))
            template.set(MessageProperty.realTopic, retryTopic)
            template.set(MessageProperty.realQueueID, "0")
        }
        let key = MessageKindsState.sentBackKey(group: group, source: request.offset)
        return planOnce(key, done: kinds.sentBack.lookup(key) != nil, index: index, tail: &tail) {
            (tail: inout ProposalTail) in
            planMove(
                [template], origin: .sentBack(group: group, source: request.offset), stamp: stamp, tail: &tail,
                bodyPosition: bodyPosition)
        }
    }

    /// The entry a leader proposes for the commit of the half message at `half`: the message in
    /// its real topic and queue, with the commit flag and the half's offset
    /// (`preparedTransactionOffset`), without `TRAN_MSG`.
    public func planCommit(
        half: PhysicalOffset, stamp: StoreStamp, tail: inout ProposalTail, index: LogIndex,
        bodyPosition: (Int) -> Int64
    ) throws(QueryError) -> Result<[UInt8], CommandRejection> {
        guard kinds.pending[half] != nil else { return .failure(.transactionNotPending(half)) }
        let source = try message(at: half)
        var dropping = Self.holdingProperties
        dropping.insert(MessageProperty.transactionPrepared)
        var template = deliveryTemplate(source)
        template.properties = source.properties.filter { !dropping.contains($0.name) }
        template.sysFlag = (source.sysFlag & MessageSysFlag.compressed) | MessageSysFlag.transactionCommit
        template.preparedTransactionOffset = half.rawValue
        return planOnce(ProposalTail.decidedKey(half), done: false, index: index, tail: &tail) {
            (tail: inout ProposalTail) in
            planMove([template], origin: .committed(half: half), stamp: stamp, tail: &tail, bodyPosition: bodyPosition)
        }
    }

    /// Plans with `plan` into `tail`, unless the move under `key` is `done` (applied) or in
    /// flight already: then into a copy, since the entry will apply as a duplicate or be
    /// refused, and must place nothing.
    private func planOnce(
        _ key: String, done: Bool, index: LogIndex, tail: inout ProposalTail,
        _ plan: (inout ProposalTail) -> Result<[UInt8], CommandRejection>
    ) -> Result<[UInt8], CommandRejection> {
        var scratch = tail
        guard !done, scratch.place(key, at: index) else { return plan(&scratch) }
        let mark = tail.mark()
        _ = tail.place(key, at: index)
        let planned = plan(&tail)
        if case .failure = planned { tail.rollBack(to: mark) }
        return planned
    }

    /// The records entry for `templates` moved by `origin`, each placed at its queue's next
    /// offset (applied state plus `tail`) and at the physical offset it will have.
    func planMove(
        _ templates: [MoveTemplate], origin: RecordsOrigin, stamp: StoreStamp, tail: inout ProposalTail,
        bodyPosition: (Int) -> Int64
    ) -> Result<[UInt8], CommandRejection> {
        let headerBytes = RecordsEntry.headerBytes(origin: origin)
        var total = headerBytes
        for template in templates {
            let size = MessageRecord.size(
                body: template.body.count, topic: template.topic.utf8.count,
                properties: MessageRecord.propertiesCount(template.properties), bornIPv6: template.bornHost.isIPv6,
                storeIPv6: stamp.storeHost.isIPv6)
            guard size + Self.entryOverheadBytes <= configuration.commitLogFileSize else {
                return .failure(
                    .recordTooLarge(topic: template.topic, bytes: size, fileSize: configuration.commitLogFileSize))
            }
            total += size
        }
        var writer = ByteWriter(capacity: total)
        RecordsEntry.writeHeader(producer: nil, count: templates.count, origin: origin, into: &writer)
        var bytes = writer.bytes
        var physical = bodyPosition(total) + Int64(headerBytes)
        let storeTimestamp = max(stamp.storeTimestamp, lastStoreTimestamp, tail.lastStoreTimestamp)
        tail.lastStoreTimestamp = storeTimestamp
        for template in templates {
            let queueID = template.queue ?? placeQueue(topic: template.topic, target: .automatic, tail)
            let key = MessageQueue(topic: template.topic, queueID: queueID)
            let queueOffset = nextOffset(key, tail)
            tail.nextOffsets[key] = queueOffset.next
            let stored = StoredMessage(
                queueID: queueID, flag: template.flag, queueOffset: queueOffset,
                physicalOffset: PhysicalOffset(physical),
                sysFlag: template.sysFlag, bornTimestamp: template.bornTimestamp, bornHost: template.bornHost,
                storeTimestamp: storeTimestamp, storeHost: stamp.storeHost, reconsumeTimes: template.reconsumeTimes,
                preparedTransactionOffset: template.preparedTransactionOffset, body: template.body,
                topic: template.topic, properties: template.properties)
            let before = bytes.count
            MessageRecord.encode(stored, bodyCRC: MessageRecord.bodyCRC(template.body), into: &bytes)
            physical += Int64(bytes.count - before)
        }
        precondition(bytes.count == total, "planned \(total) bytes, encoded \(bytes.count)")
        return .success(bytes)
    }

    /// Why a move cannot apply now, before any of its records is looked at, or nil.
    func originProblem(_ origin: RecordsOrigin, count: Int) -> CommandRejection? {
        switch origin {
        case .delayed(let level, let from, _):
            guard level >= 1, Int(level) <= configuration.delayLevels.count else {
                return .staleMove(origin, reason: "no such delay level")
            }
            let next = nextDeliveryOffset(level: level)
            guard from == next else { return .staleMove(origin, reason: "the level's next delivery is \(next)") }
            let held = topics[SystemTopic.schedule]?.queue(level - 1)?.maxOffset ?? .zero
            guard from.rawValue + Int64(count) <= held.rawValue else {
                return .staleMove(origin, reason: "the level holds messages up to \(held) only")
            }
        case .sentBack:
            guard count == 1 else { return .staleMove(origin, reason: "\(count) records, not one") }
        case .committed(let half):
            guard count == 1 else { return .staleMove(origin, reason: "\(count) records, not one") }
            guard kinds.pending[half] != nil else { return .transactionNotPending(half) }
        }
        return nil
    }

    /// Why record `position` of a move cannot be stored, or nil: a delivery must not be stored
    /// before its messages are due. Reads nothing but the entry: every replica decides alike.
    func movedRecordProblem(_ message: StoredMessage, _ origin: RecordsOrigin, position: Int) -> CommandRejection? {
        guard case .delayed(_, _, let due) = origin, message.storeTimestamp < due else { return nil }
        return .staleMove(origin, reason: "stored at \(message.storeTimestamp), before it is due at \(due)")
    }

    /// Records a move whose records were stored.
    func completeMove(_ origin: RecordsOrigin, results: [ApplyResult]) {
        runningDigest.fold(UInt8(0x4D))
        switch origin {
        case .delayed(let level, let from, _):
            kinds.delivered[Int(level) - 1] = QueueOffset(from.rawValue + Int64(results.count))
            runningDigest.fold(level)
            runningDigest.fold(from.rawValue + Int64(results.count))
        case .sentBack(let group, let source):
            guard let result = results.first?.sendResult else { return }
            kinds.sentBack.record(MessageKindsState.sentBackKey(group: group, source: source), result: result)
            runningDigest.fold(group)
            runningDigest.fold(source.rawValue)
        case .committed(let half):
            kinds.pending[half] = nil
            runningDigest.fold(half.rawValue)
        }
    }
}
