import Bytes
import CommitLog

// Payloads of the message operations (opcodes 36–44). Layouts are in PROTOCOL.md; the shared
// field codecs are in `MessageFields.swift`.

/// Store one message, or several atomically (opcode `send`). Layout: `optional producer,
/// count n, n × message`. One message becomes a CommitLog `send` command, more a `sendBatch`;
/// `producer` (id and sequence) makes the request idempotent: a retry with the same stamp is
/// stored once and answered with the original result. Sent with the `oneWay` flag, the node
/// stores it without answering.
public struct SendRequest: WirePayload {
    /// At least one.
    public var messages: [ProducerMessage]
    public var producer: ProducerStamp?

    public init(messages: [ProducerMessage], producer: ProducerStamp? = nil) {
        self.messages = messages
        self.producer = producer
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeProducerStamp(producer)
        writer.writeCount(messages.count)
        for message in messages { writer.writeProducerMessage(message) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        producer = try reader.readProducerStamp()
        let countAt = reader.offset
        // A message takes at least 36 bytes (empty topic, body, no tags/keys/properties).
        // The smallest message: empty topic, tags and body, automatic queue, no keys or properties:
        // topic 4 + target 1 + tags 1 + keys 4 + body 4 + properties 4 + flag 4 + born 8 bytes.
        let count = try reader.readCount("messages", limit: limits.maxEntriesPerMessage, minimumElementBytes: 30)
        guard count >= 1 else { throw .invalidValue(field: "messages", offset: countAt, reason: "no message to send") }
        messages = []
        messages.reserveCapacity(count)
        for _ in 0..<count { messages.append(try reader.readProducerMessage(limits)) }
    }
}

/// Where the messages of a ``SendRequest`` were stored, in request order, once committed and
/// applied on the leader. Layout: `bool duplicate, count n, n × (string topic, u32 queueId,
/// u64 queueOffset, u64 physicalOffset, string msgId, u64 storeTimestamp)`. `duplicate` is
/// set when the request was a retry of one already stored: the results are the original ones.
public struct SendResponse: WirePayload {
    public var results: [SendResult]
    public var duplicate: Bool

    public init(results: [SendResult], duplicate: Bool) {
        self.results = results
        self.duplicate = duplicate
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeBool(duplicate)
        writer.writeCount(results.count)
        for result in results {
            writer.writeQueue(result.queue)
            writer.writeUInt64(UInt64(bitPattern: result.queueOffset.rawValue))
            writer.writeUInt64(UInt64(bitPattern: result.physicalOffset.rawValue))
            writer.writeString(result.messageID)
            writer.writeUInt64(UInt64(bitPattern: result.storeTimestamp))
        }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        duplicate = try reader.readBool("duplicate")
        let count = try reader.readCount("results", limit: limits.maxEntriesPerMessage, minimumElementBytes: 36)
        results = []
        results.reserveCapacity(count)
        for _ in 0..<count {
            let queue = try reader.readQueue(limits)
            let queueOffset = try reader.readQueueOffset("queueOffset")
            let physical = PhysicalOffset(Int64(bitPattern: try reader.readUInt64("physicalOffset")))
            let id = try reader.readString("msgId", limit: limits.maxStringBytes)
            let stored = Int64(bitPattern: try reader.readUInt64("storeTimestamp"))
            results.append(
                SendResult(
                    queue: queue, queueOffset: queueOffset, physicalOffset: physical, messageID: id,
                    storeTimestamp: stored))
        }
    }
}

/// Read messages of one queue (opcode `pull`). Layout: `string topic, u32 queueId, u64 offset,
/// u32 maxCount, string tagExpression, u32 waitMs`. With `waitMs > 0` a pull that finds no new
/// message waits up to that long for one (long polling) before answering `NO_NEW_MSG`.
public struct PullRequest: WirePayload {
    /// The longest wait a node honours.
    public static let maxWaitMs: UInt32 = 30_000

    public var queue: MessageQueue
    public var offset: QueueOffset
    public var maxCount: UInt32
    /// `*`, empty, or `TagA || TagB`.
    public var tagExpression: String
    public var waitMs: UInt32

    public init(
        queue: MessageQueue, offset: QueueOffset, maxCount: UInt32, tagExpression: String = "*", waitMs: UInt32 = 0
    ) {
        self.queue = queue
        self.offset = offset
        self.maxCount = maxCount
        self.tagExpression = tagExpression
        self.waitMs = waitMs
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeQueue(queue)
        writer.writeUInt64(UInt64(bitPattern: offset.rawValue))
        writer.writeUInt32(maxCount)
        writer.writeString(tagExpression)
        writer.writeUInt32(waitMs)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        queue = try reader.readQueue(limits)
        offset = try reader.readQueueOffset("offset")
        maxCount = try reader.readUInt32("maxCount")
        tagExpression = try reader.readString("tagExpression", limit: limits.maxStringBytes)
        waitMs = try reader.readUInt32("waitMs")
    }
}

/// The answer to a ``PullRequest``. Layout: `u8 status (0 FOUND, 1 NO_NEW_MSG,
/// 2 NO_MATCHED_MSG, 3 OFFSET_ILLEGAL), u64 nextOffset, u64 minOffset, u64 maxOffset,
/// count n, n × bytes record`, each record a RocketMQ commit-log record.
public struct PullResponse: WirePayload {
    public var result: PullResult

    public init(result: PullResult) { self.result = result }

    static let statuses: [PullStatus] = [.found, .noNewMessage, .noMatchedMessage, .offsetIllegal]

    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt8(UInt8(PullResponse.statuses.firstIndex(of: result.status) ?? 0))
        writer.writeUInt64(UInt64(bitPattern: result.nextOffset.rawValue))
        writer.writeUInt64(UInt64(bitPattern: result.minOffset.rawValue))
        writer.writeUInt64(UInt64(bitPattern: result.maxOffset.rawValue))
        writer.writeCount(result.messages.count)
        for message in result.messages { writer.writeRecord(message) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let at = reader.offset
        let code = try reader.readUInt8("status")
        guard Int(code) < PullResponse.statuses.count else {
            throw .unknownEnumValue(field: "status", value: UInt64(code), offset: at)
        }
        let next = try reader.readQueueOffset("nextOffset")
        let low = try reader.readQueueOffset("minOffset")
        let high = try reader.readQueueOffset("maxOffset")
        result = PullResult(
            status: PullResponse.statuses[Int(code)], nextOffset: next, minOffset: low, maxOffset: high,
            messages: try reader.readRecords(limits))
    }
}

/// One queue, for the queries that name a queue and nothing else (opcode `queueOffsets`).
/// Layout: `string topic, u32 queueId`.
public struct QueueRequest: WirePayload {
    public var queue: MessageQueue

    public init(queue: MessageQueue) { self.queue = queue }

    public func encode(into writer: inout ByteWriter) { writer.writeQueue(queue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        queue = try reader.readQueue(limits)
    }
}

/// A queue's offsets (the answer to `queueOffsets`): `u64 minOffset, u64 maxOffset`; the queue
/// holds `minOffset..<maxOffset`.
public struct QueueOffsetsResponse: WirePayload {
    public var range: QueueOffsetRange

    public init(range: QueueOffsetRange) { self.range = range }

    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(UInt64(bitPattern: range.minOffset.rawValue))
        writer.writeUInt64(UInt64(bitPattern: range.maxOffset.rawValue))
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let low = try reader.readQueueOffset("minOffset")
        range = QueueOffsetRange(minOffset: low, maxOffset: try reader.readQueueOffset("maxOffset"))
    }
}

/// The first offset of a queue stored at or after a time (opcode `searchOffset`). Layout:
/// `string topic, u32 queueId, u64 timestamp (ms)`; the answer is `u64 offset` (the queue's
/// max offset when none was).
public struct SearchOffsetRequest: WirePayload {
    public var queue: MessageQueue
    public var timestamp: Int64

    public init(queue: MessageQueue, timestamp: Int64) {
        self.queue = queue
        self.timestamp = timestamp
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeQueue(queue)
        writer.writeUInt64(UInt64(bitPattern: timestamp))
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        queue = try reader.readQueue(limits)
        timestamp = Int64(bitPattern: try reader.readUInt64("timestamp"))
    }
}

/// A queue offset on its own: the answer to `searchOffset`. Layout: `u64 offset`.
public struct OffsetResponse: WirePayload {
    public var offset: QueueOffset

    public init(offset: QueueOffset) { self.offset = offset }

    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(UInt64(bitPattern: offset.rawValue)) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        offset = try reader.readQueueOffset("offset")
    }
}

/// The latest messages of a topic carrying a key (opcode `messagesByKey`). Layout:
/// `string topic, string key, u32 maxCount`; the answer is a ``MessagesResponse``.
public struct KeyLookupRequest: WirePayload {
    public var topic: String
    public var key: String
    public var maxCount: UInt32

    public init(topic: String, key: String, maxCount: UInt32 = 64) {
        self.topic = topic
        self.key = key
        self.maxCount = maxCount
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeString(topic)
        writer.writeString(key)
        writer.writeUInt32(maxCount)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        topic = try reader.readString("topic", limit: limits.maxStringBytes)
        key = try reader.readString("key", limit: limits.maxStringBytes)
        maxCount = try reader.readUInt32("maxCount")
    }
}

/// Stored messages, oldest first: the answer to `messagesByKey` (`count n, n × bytes record`)
/// and to `viewMessage` (exactly one).
public struct MessagesResponse: WirePayload {
    public var messages: [StoredMessage]

    public init(messages: [StoredMessage]) { self.messages = messages }

    public func encode(into writer: inout ByteWriter) {
        writer.writeCount(messages.count)
        for message in messages { writer.writeRecord(message) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        messages = try reader.readRecords(limits)
    }
}

/// One message by where it is stored (opcode `viewMessage`). Layout: `u8 by`, then for 0
/// `u64 physicalOffset`, for 1 `string msgId` (the offset message id a send returned).
public enum ViewMessageRequest: WirePayload {
    case physicalOffset(PhysicalOffset)
    case messageID(String)

    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .physicalOffset(let offset):
            writer.writeUInt8(0)
            writer.writeUInt64(UInt64(bitPattern: offset.rawValue))
        case .messageID(let id):
            writer.writeUInt8(1)
            writer.writeString(id)
        }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let at = reader.offset
        switch try reader.readUInt8("by") {
        case 0: self = .physicalOffset(PhysicalOffset(Int64(bitPattern: try reader.readUInt64("physicalOffset"))))
        case 1: self = .messageID(try reader.readString("msgId", limit: limits.maxStringBytes))
        case let other: throw .unknownEnumValue(field: "by", value: UInt64(other), offset: at)
        }
    }
}

/// Every topic with its queues' offsets (the answer to `topics`, whose request is empty).
/// Layout: `count n, n × (string name, count q, q × (u64 minOffset, u64 maxOffset))`; queue ids
/// are positions.
public struct TopicsResponse: WirePayload {
    public var topics: [TopicInfo]

    public init(topics: [TopicInfo]) { self.topics = topics }

    public func encode(into writer: inout ByteWriter) {
        writer.writeCount(topics.count)
        for topic in topics {
            writer.writeString(topic.name)
            writer.writeCount(topic.queues.count)
            for queue in topic.queues { QueueOffsetsResponse(range: queue).encode(into: &writer) }
        }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let count = try reader.readCount("topics", limit: Int(UInt32.max), minimumElementBytes: 8)
        topics = []
        topics.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.readString("topic", limit: limits.maxStringBytes)
            let queueCount = try reader.readCount("queues", limit: Int(UInt32.max), minimumElementBytes: 16)
            var queues: [QueueOffsetRange] = []
            queues.reserveCapacity(queueCount)
            for _ in 0..<queueCount { queues.append(try QueueOffsetsResponse(from: &reader, limits: limits).range) }
            topics.append(TopicInfo(name: name, queues: queues))
        }
    }
}

/// Record a consumer group's next offset on a queue through the log (opcode `commitOffset`).
/// Layout: `string group, string topic, u32 queueId, u64 offset`. The response is empty and
/// comes once the commit is applied on the leader.
public struct CommitOffsetRequest: WirePayload {
    public var commit: OffsetCommit

    public init(commit: OffsetCommit) { self.commit = commit }

    public func encode(into writer: inout ByteWriter) {
        writer.writeString(commit.group)
        writer.writeQueue(commit.queue)
        writer.writeUInt64(UInt64(bitPattern: commit.offset.rawValue))
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let queue = try reader.readQueue(limits)
        commit = OffsetCommit(group: group, queue: queue, offset: try reader.readQueueOffset("offset"))
    }
}

/// A consumer group's committed offsets (opcode `consumerOffsets`). Layout: `string group,
/// optional string topic`.
public struct ConsumerOffsetsRequest: WirePayload {
    public var group: String
    /// Only this topic's queues; nil for all.
    public var topic: String?

    public init(group: String, topic: String? = nil) {
        self.group = group
        self.topic = topic
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeOptional(topic) { $0.writeString($1) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        group = try reader.readString("group", limit: limits.maxStringBytes)
        topic = try reader.readOptional("topic") { (reader) throws(DecodeError) in
            try reader.readString("topic", limit: limits.maxStringBytes)
        }
    }
}

/// A group's progress per queue, sorted by queue: the answer to `consumerOffsets`. Layout:
/// `string group, count n, n × (string topic, u32 queueId, u64 committedOffset, u64 maxOffset)`.
public struct ConsumerOffsetsResponse: WirePayload {
    public var group: String
    public var progress: [ConsumerProgress]

    public init(group: String, progress: [ConsumerProgress]) {
        self.group = group
        self.progress = progress
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeCount(progress.count)
        for item in progress {
            writer.writeQueue(item.queue)
            writer.writeUInt64(UInt64(bitPattern: item.committedOffset.rawValue))
            writer.writeUInt64(UInt64(bitPattern: item.maxOffset.rawValue))
        }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        group = try reader.readString("group", limit: limits.maxStringBytes)
        let count = try reader.readCount("progress", limit: Int(UInt32.max), minimumElementBytes: 24)
        progress = []
        progress.reserveCapacity(count)
        for _ in 0..<count {
            let queue = try reader.readQueue(limits)
            let committed = try reader.readQueueOffset("committedOffset")
            let high = try reader.readQueueOffset("maxOffset")
            progress.append(ConsumerProgress(group: group, queue: queue, committedOffset: committed, maxOffset: high))
        }
    }
}
