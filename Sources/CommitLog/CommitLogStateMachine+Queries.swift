/// Read-only queries over applied (hence committed) state. None changes anything.
extension CommitLogStateMachine {
    /// Up to `maxCount` messages of a queue from `offset` whose tags match `filter`, with
    /// RocketMQ's semantics (`DefaultMessageStore.getMessage`):
    /// - `offset < minOffset` → ``PullStatus/offsetIllegal``, `nextOffset = minOffset`;
    /// - `offset == maxOffset` → ``PullStatus/noNewMessage``, `nextOffset = offset`;
    /// - `offset > maxOffset` → ``PullStatus/offsetIllegal``, `nextOffset = maxOffset`;
    /// - otherwise entries are scanned (at most `max(800, maxCount)` of them) until `maxCount`
    ///   match; `nextOffset` is past the last scanned entry, and the status is
    ///   ``PullStatus/found`` or, with no match, ``PullStatus/noMatchedMessage``.
    /// `maxCount` is capped at the configured `maxPullMessages`. Throws for an unknown topic or
    /// queue, or `maxCount < 1`.
    public func pull(
        topic: String, queueID: Int32, offset: QueueOffset, maxCount: Int, filter: TagFilter = .all
    ) throws(QueryError) -> PullResult {
        guard maxCount >= 1 else { throw .invalidArgument("maxCount \(maxCount) must be at least 1") }
        let queue = try consumeQueue(topic, queueID)
        let low = queue.minOffset
        let high = queue.maxOffset
        func answer(_ status: PullStatus, _ next: QueueOffset, _ messages: [StoredMessage] = []) -> PullResult {
            PullResult(status: status, nextOffset: next, minOffset: low, maxOffset: high, messages: messages)
        }
        if offset < low { return answer(.offsetIllegal, low) }
        if offset == high { return answer(.noNewMessage, offset) }
        if offset > high { return answer(.offsetIllegal, high) }
        let wanted = min(maxCount, configuration.maxPullMessages)
        let scanLimit = max(800, wanted)
        var messages: [StoredMessage] = []
        var next = offset
        var scanned = 0
        while next < high && messages.count < wanted && scanned < scanLimit {
            let entry = queue.entry(at: next)
            if filter.matches(tagsCode: entry.tagsCode) {
                let message = storedMessage(at: entry.physicalOffset)
                if filter.matches(tags: message.tags) { messages.append(message) }
            }
            next = next.next
            scanned += 1
        }
        return answer(messages.isEmpty ? .noMatchedMessage : .found, next, messages)
    }

    /// The offsets a queue holds.
    public func offsetRange(topic: String, queueID: Int32) throws(QueryError) -> QueueOffsetRange {
        let queue = try consumeQueue(topic, queueID)
        return QueueOffsetRange(minOffset: queue.minOffset, maxOffset: queue.maxOffset)
    }

    /// The first offset of the queue whose message was stored at or after `timestamp` (ms),
    /// found by binary search (store timestamps never decrease); `maxOffset` if none was.
    public func searchOffset(topic: String, queueID: Int32, timestamp: Int64) throws(QueryError) -> QueueOffset {
        let queue = try consumeQueue(topic, queueID)
        var low = queue.minOffset.rawValue
        var high = queue.maxOffset.rawValue
        while low < high {
            let middle = low + (high - low) / 2
            if storeTimestamp(at: queue.entry(at: QueueOffset(middle)).physicalOffset) < timestamp {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return QueueOffset(low)
    }

    /// The messages of `topic` with `key` among their keys, oldest first; at most the latest
    /// `maxCount`. Unknown keys give an empty list.
    public func messages(topic: String, key: String, maxCount: Int = 64) throws(QueryError) -> [StoredMessage] {
        guard maxCount >= 1 else { throw .invalidArgument("maxCount \(maxCount) must be at least 1") }
        guard topics[topic] != nil else { throw .topicNotFound(topic) }
        let offsets = keyIndex["\(topic)#\(key)", default: []].suffix(maxCount)
        return offsets.map { storedMessage(at: $0) }
    }

    /// The message whose record starts at `offset`.
    public func message(at offset: PhysicalOffset) throws(QueryError) -> StoredMessage {
        guard let (file, position) = commitLog.locate(offset) else { throw .noMessage(at: offset) }
        do throws(DecodeError) {
            if case .record = try MessageRecord.slot(in: commitLog.files[file], at: position) {
                let message = try StoredMessage(decoding: commitLog.files[file], at: position, verifyingCRC: false)
                if message.physicalOffset == offset { return message }
            }
        } catch {
            // The bytes there are not the start of a record: the offset points inside one.
            throw .noMessage(at: offset)
        }
        throw .noMessage(at: offset)
    }

    /// The message with an offset message id (as returned in ``SendResult/messageID``).
    public func message(id: String) throws(QueryError) -> StoredMessage {
        guard let (_, offset) = MessageID.parse(id) else { throw .invalidMessageID(id) }
        return try message(at: offset)
    }

    /// Every topic with its queues' offset ranges, sorted by name.
    public func topicList() -> [TopicInfo] {
        topics.keys.sorted(by: utf8Precedes).map { name in
            let queues = topics[name, default: TopicState(queueCount: 0)].queues
            return TopicInfo(
                name: name, queues: queues.map { QueueOffsetRange(minOffset: $0.minOffset, maxOffset: $0.maxOffset) })
        }
    }

    /// The group's committed offset on a queue; nil if it never committed one (RocketMQ's
    /// `QUERY_NOT_FOUND`).
    public func consumerOffset(group: String, queue: MessageQueue) -> QueueOffset? {
        consumerOffsets[OffsetKey(group: group, queue: queue)]
    }

    /// The groups that committed any offset, sorted.
    public func consumerGroups() -> [String] {
        Set(consumerOffsets.keys.map(\.group)).sorted(by: utf8Precedes)
    }

    /// A group's committed offsets and lag per queue (optionally of one topic), sorted by queue.
    public func consumerProgress(group: String, topic: String? = nil) -> [ConsumerProgress] {
        consumerOffsets.filter { $0.key.group == group && (topic == nil || $0.key.queue.topic == topic) }
            .sorted { $0.key < $1.key }
            .map { key, offset in
                let queue = topics[key.queue.topic]?.queue(key.queue.queueID)
                return ConsumerProgress(
                    group: group, queue: key.queue, committedOffset: offset, maxOffset: queue?.maxOffset ?? offset)
            }
    }

    /// The queue, or the error naming what is missing.
    func consumeQueue(_ topic: String, _ queueID: Int32) throws(QueryError) -> ConsumeQueue {
        guard let state = topics[topic] else { throw .topicNotFound(topic) }
        guard let queue = state.queue(queueID) else {
            throw .queueNotFound(MessageQueue(topic: topic, queueID: queueID), queueCount: state.queueCount)
        }
        return queue
    }

    /// The record a consume queue points at; it was written by this state machine, so failing to
    /// decode it is a programmer error.
    func storedMessage(at offset: PhysicalOffset) -> StoredMessage {
        guard let (file, position) = commitLog.locate(offset) else {
            preconditionFailure("consume queue points at \(offset), outside the commit log")
        }
        do {
            return try StoredMessage(decoding: commitLog.files[file], at: position, verifyingCRC: false)
        } catch {
            preconditionFailure("record at \(offset) written by this store does not decode: \(error)")
        }
    }

    /// The STORETIMESTAMP of the record at `offset` (after a 20-byte born host if it is IPv6).
    private func storeTimestamp(at offset: PhysicalOffset) -> Int64 {
        guard let (file, position) = commitLog.locate(offset) else {
            preconditionFailure("consume queue points at \(offset), outside the commit log")
        }
        let bytes = commitLog.files[file]
        let sysFlag: Int32 = bytes.loadBigEndian(at: position + 36)
        let bornHostExtra = sysFlag & MessageRecord.bornHostIPv6Flag != 0 ? 12 : 0
        return bytes.loadBigEndian(at: position + 56 + bornHostExtra)
    }
}
