import Bytes
import LedgerModel

// Codecs of the message operations (opcodes 36–44). Layouts are in PROTOCOL.md; the shared
// field codecs are in `MessageFields.swift`.

/// Opcode `send`. Layout: `optional producer, count n, n × message`. Sent with the `oneWay`
/// flag, the node stores it without answering.
extension SendRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeProducerStamp(producer)
        writer.writeCount(messages.count)
        for message in messages { writer.writeProducerMessage(message) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let producer = try reader.readProducerStamp()
        let countAt = reader.offset
        // The smallest message: empty topic, tags and body, automatic queue, no keys or properties:
        // topic 4 + target 1 + tags 1 + keys 4 + body 4 + properties 4 + flag 4 + born 8 bytes.
        let count = try reader.readCount("messages", limit: limits.maxEntriesPerMessage, minimumElementBytes: 30)
        guard count >= 1 else { throw .invalidValue(field: "messages", offset: countAt, reason: "no message to send") }
        var messages: [ProducerMessage] = []
        messages.reserveCapacity(count)
        for _ in 0..<count { messages.append(try reader.readProducerMessage(limits)) }
        self.init(messages: messages, producer: producer)
    }
}

/// Layout: `bool duplicate, count n, n × (string topic, u32 queueId, u64 queueOffset,
/// u64 physicalOffset, string msgId, u64 storeTimestamp)`.
extension SendResponse: WirePayload {
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
        let duplicate = try reader.readBool("duplicate")
        let count = try reader.readCount("results", limit: limits.maxEntriesPerMessage, minimumElementBytes: 36)
        var results: [SendResult] = []
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
        self.init(results: results, duplicate: duplicate)
    }
}

/// Opcode `pull`. Layout: `string topic, u32 queueId, u64 offset, u32 maxCount,
/// string tagExpression, u32 waitMs`.
extension PullRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeQueue(queue)
        writer.writeUInt64(UInt64(bitPattern: offset.rawValue))
        writer.writeUInt32(maxCount)
        writer.writeString(tagExpression)
        writer.writeUInt32(waitMs)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let queue = try reader.readQueue(limits)
        let offset = try reader.readQueueOffset("offset")
        let maxCount = try reader.readUInt32("maxCount")
        let tagExpression = try reader.readString("tagExpression", limit: limits.maxStringBytes)
        self.init(
            queue: queue, offset: offset, maxCount: maxCount, tagExpression: tagExpression,
            waitMs: try reader.readUInt32("waitMs"))
    }
}

/// Layout: `u8 status (0 FOUND, 1 NO_NEW_MSG, 2 NO_MATCHED_MSG, 3 OFFSET_ILLEGAL), u64 nextOffset,
/// u64 minOffset, u64 maxOffset, count n, n × bytes record`, each record a RocketMQ commit-log
/// record.
extension PullResponse: WirePayload {
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
        self.init(
            result: PullResult(
                status: PullResponse.statuses[Int(code)], nextOffset: next, minOffset: low, maxOffset: high,
                messages: try reader.readRecords(limits)))
    }
}

/// Opcode `queueOffsets`. Layout: `string topic, u32 queueId`.
extension QueueRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeQueue(queue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(queue: try reader.readQueue(limits))
    }
}

/// Layout: `u64 minOffset, u64 maxOffset`.
extension QueueOffsetsResponse: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(UInt64(bitPattern: range.minOffset.rawValue))
        writer.writeUInt64(UInt64(bitPattern: range.maxOffset.rawValue))
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let low = try reader.readQueueOffset("minOffset")
        self.init(range: QueueOffsetRange(minOffset: low, maxOffset: try reader.readQueueOffset("maxOffset")))
    }
}

/// Opcode `searchOffset`. Layout: `string topic, u32 queueId, u64 timestamp (ms)`.
extension SearchOffsetRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeQueue(queue)
        writer.writeUInt64(UInt64(bitPattern: timestamp))
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let queue = try reader.readQueue(limits)
        self.init(queue: queue, timestamp: Int64(bitPattern: try reader.readUInt64("timestamp")))
    }
}

/// Layout: `u64 offset`.
extension OffsetResponse: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(UInt64(bitPattern: offset.rawValue)) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(offset: try reader.readQueueOffset("offset"))
    }
}

/// Opcode `messagesByKey`. Layout: `string topic, string key, u32 maxCount`.
extension KeyLookupRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(topic)
        writer.writeString(key)
        writer.writeUInt32(maxCount)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let topic = try reader.readString("topic", limit: limits.maxStringBytes)
        let key = try reader.readString("key", limit: limits.maxStringBytes)
        self.init(topic: topic, key: key, maxCount: try reader.readUInt32("maxCount"))
    }
}

/// Layout: `count n, n × bytes record`.
extension MessagesResponse: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeCount(messages.count)
        for message in messages { writer.writeRecord(message) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(messages: try reader.readRecords(limits))
    }
}

/// Opcode `viewMessage`. Layout: `u8 by`, then for 0 `u64 physicalOffset`, for 1 `string msgId`.
extension ViewMessageRequest: WirePayload {
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

/// The answer to `topics`, whose request is empty. Layout: `count n, n × (string name, count q,
/// q × (u64 minOffset, u64 maxOffset))`; queue ids are positions.
extension TopicsResponse: WirePayload {
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
        var topics: [TopicInfo] = []
        topics.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.readString("topic", limit: limits.maxStringBytes)
            let queueCount = try reader.readCount("queues", limit: Int(UInt32.max), minimumElementBytes: 16)
            var queues: [QueueOffsetRange] = []
            queues.reserveCapacity(queueCount)
            for _ in 0..<queueCount { queues.append(try QueueOffsetsResponse(from: &reader, limits: limits).range) }
            topics.append(TopicInfo(name: name, queues: queues))
        }
        self.init(topics: topics)
    }
}

/// Opcode `commitOffset`. Layout: `string group, string topic, u32 queueId, u64 offset`; the
/// response is empty.
extension CommitOffsetRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(commit.group)
        writer.writeQueue(commit.queue)
        writer.writeUInt64(UInt64(bitPattern: commit.offset.rawValue))
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let queue = try reader.readQueue(limits)
        self.init(commit: OffsetCommit(group: group, queue: queue, offset: try reader.readQueueOffset("offset")))
    }
}

/// Opcode `consumerOffsets`. Layout: `string group, optional string topic`.
extension ConsumerOffsetsRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeOptional(topic) { $0.writeString($1) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let topic = try reader.readOptional("topic") { (reader) throws(DecodeError) in
            try reader.readString("topic", limit: limits.maxStringBytes)
        }
        self.init(group: group, topic: topic)
    }
}

/// Layout: `string group, count n, n × (string topic, u32 queueId, u64 committedOffset,
/// u64 maxOffset)`.
extension ConsumerOffsetsResponse: WirePayload {
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
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let count = try reader.readCount("progress", limit: Int(UInt32.max), minimumElementBytes: 24)
        var progress: [ConsumerProgress] = []
        progress.reserveCapacity(count)
        for _ in 0..<count {
            let queue = try reader.readQueue(limits)
            let committed = try reader.readQueueOffset("committedOffset")
            let high = try reader.readQueueOffset("maxOffset")
            progress.append(ConsumerProgress(group: group, queue: queue, committedOffset: committed, maxOffset: high))
        }
        self.init(group: group, progress: progress)
    }
}
