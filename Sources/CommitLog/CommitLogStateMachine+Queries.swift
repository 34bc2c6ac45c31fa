import Bytes
import LedgerModel

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
        let scanEnd = QueueOffset(min(high.rawValue, offset.rawValue + Int64(max(800, wanted))))
        let key = MessageQueue(topic: topic, queueID: queueID)
        var messages: [StoredMessage] = []
        var next = offset
        while next < scanEnd && messages.count < wanted {
            // Entries are fetched a batch at a time: one read from a file covers many.
            let batchEnd = QueueOffset(min(scanEnd.rawValue, next.rawValue + Int64(max(wanted - messages.count, 32))))
            let entries = try queueEntries(key, queue, next..<batchEnd)
            var at = 0
            while next < batchEnd && messages.count < wanted {
                let entry = ConsumeQueueEntry(packed: entries, at: at)
                if filter.matches(tagsCode: entry.tagsCode) {
                    let message = try queuedMessage(key, at: next, entry)
                    if filter.matches(tags: message.tags) { messages.append(message) }
                }
                next = next.next
                at += ConsumeQueue.entrySize
            }
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
        let key = MessageQueue(topic: topic, queueID: queueID)
        var low = queue.minOffset.rawValue
        var high = queue.maxOffset.rawValue
        while low < high {
            let middle = QueueOffset(low + (high - low) / 2)
            let entry = ConsumeQueueEntry(packed: try queueEntries(key, queue, middle..<middle.next), at: 0)
            if try queuedMessage(key, at: middle, entry).storeTimestamp < timestamp {
                low = middle.rawValue + 1
            } else {
                high = middle.rawValue
            }
        }
        return QueueOffset(low)
    }

    /// The messages of `topic` with `key` among their keys, oldest first; at most the latest
    /// `maxCount`. Unknown keys give an empty list.
    public func messages(topic: String, key: String, maxCount: Int = 64) throws(QueryError) -> [StoredMessage] {
        guard maxCount >= 1 else { throw .invalidArgument("maxCount \(maxCount) must be at least 1") }
        guard topics[topic] != nil else { throw .topicNotFound(topic) }
        var found: [StoredMessage] = []
        try walkKeyIndex(hash: KeyIndex.hash(topic: topic, key: key)) { (offset) throws(QueryError) in
            // Newest first: from here on retention deleted the records.
            if offset.rawValue < log.startPosition { return true }
            let message = try indexedMessage(at: offset)
            // Another key may share the hash; a message with the key twice has one entry per key.
            if message.topic == topic, message.keys.contains(key), found.last?.physicalOffset != offset,
                !isDeleted(topic: topic, at: offset)
            {
                found.append(message)
            }
            return found.count >= maxCount
        }
        return found.reversed()
    }

    /// The message whose record starts at `offset`.
    public func message(at offset: PhysicalOffset) throws(QueryError) -> StoredMessage {
        guard offset.rawValue >= log.startPosition, offset < lastRecordEnd else { throw .noMessage(at: offset) }
        let found: Result<(at: Int, size: Int), DecodeError>
        do {
            found = try window.record(at: offset.rawValue, in: log, limit: lastRecordEnd.rawValue)
        } catch {
            throw .unreadable(error)
        }
        // Bytes that are not the start of a record mean the offset points elsewhere (inside a
        // record, into another entry); a record header that names this offset but fails its
        // checks is corruption.
        guard case .success((let at, _)) = found, PhysicalOffset(window.bytes.loadInteger(at: at + 28)) == offset
        else { throw .noMessage(at: offset) }
        do throws(DecodeError) {
            return try StoredMessage(decoding: window.bytes, at: at)
        } catch {
            throw .unreadable(.corruptRecord(file: "the log", offset: offset, error))
        }
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

    /// The number of queues of `topic`, or nil if no message was ever sent to it.
    public func queueCount(topic: String) -> Int32? { topics[topic]?.queueCount }

    /// The group's committed offset on a queue; nil if it never committed one (RocketMQ's
    /// `QUERY_NOT_FOUND`).
    public func consumerOffset(group: String, queue: MessageQueue) -> QueueOffset? {
        consumerOffsets[OffsetKey(group: group, queue: queue)]
    }

    /// Every committed offset of every group and queue, added up: messages consumer groups have
    /// consumed and committed (a message counts once per group). It grows as groups commit.
    public var committedOffsetTotal: Int64 {
        consumerOffsets.values.reduce(0) { $0 &+ $1.rawValue }
    }

    /// The groups that committed any offset, sorted.
    public func consumerGroups() -> [String] {
        Set(consumerOffsets.keys.map(\.group)).sorted(by: utf8Precedes)
    }

    /// Every group's committed offsets and lag per queue, sorted by group, then queue: one pass
    /// over the committed offsets (``consumerProgress(group:topic:)`` for each group would be
    /// one pass per group).
    public func allConsumerProgress() -> [ConsumerProgress] {
        consumerOffsets.sorted { $0.key < $1.key }.map { key, offset in
            let queue = topics[key.queue.topic]?.queue(key.queue.queueID)
            return ConsumerProgress(
                group: key.group, queue: key.queue, committedOffset: offset, maxOffset: queue?.maxOffset ?? offset)
        }
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
}
