import Bytes
import LedgerModel

// Topic administration payloads: opcodes `updateTopic` (45), `deleteTopic` (46) and
// `describeTopic` (47). PROTOCOL.md lists their layouts.

/// Opcode `updateTopic`. Layout: `string topic, u32 queueCount, u8 mode` (1 create, 2 alter,
/// 3 create or alter).
extension TopicUpdate: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(topic)
        writer.writeUInt32(UInt32(bitPattern: queueCount))
        writer.writeUInt8(mode.rawValue)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let topic = try reader.readString("topic", limit: limits.maxStringBytes)
        let queueCount = Int32(bitPattern: try reader.readUInt32("queueCount"))
        let at = reader.offset
        let raw = try reader.readUInt8("mode")
        guard let mode = Mode(rawValue: raw) else {
            throw .unknownEnumValue(field: "mode", value: UInt64(raw), offset: at)
        }
        self.init(topic: topic, queueCount: queueCount, mode: mode)
    }
}

/// The answer to `updateTopic`: the topic's queues now. Layout: `string name, count q,
/// q × (u64 minOffset, u64 maxOffset)`.
extension TopicInfo: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(name)
        writer.writeCount(queues.count)
        for queue in queues { QueueOffsetsResponse(range: queue).encode(into: &writer) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let name = try reader.readString("topic", limit: limits.maxStringBytes)
        let count = try reader.readCount("queues", limit: Int(UInt32.max), minimumElementBytes: 16)
        var queues: [QueueOffsetRange] = []
        queues.reserveCapacity(count)
        for _ in 0..<count { queues.append(try QueueOffsetsResponse(from: &reader, limits: limits).range) }
        self.init(name: name, queues: queues)
    }
}

/// Opcode `deleteTopic`. Layout: `string topic`; the response is empty.
extension TopicDeletion: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeString(topic) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(topic: try reader.readString("topic", limit: limits.maxStringBytes))
    }
}

/// Opcode `describeTopic`. Layout: `string topic`.
extension TopicDescriptionRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeString(topic) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(topic: try reader.readString("topic", limit: limits.maxStringBytes))
    }
}

/// The answer to `describeTopic`. Layout: `string topic, count q, q × (u64 minOffset,
/// u64 maxOffset, optional u64 earliest store time, optional u64 latest store time)`; queue ids
/// are positions.
extension TopicDescription: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(topic)
        writer.writeCount(queues.count)
        for queue in queues {
            QueueOffsetsResponse(range: queue.range).encode(into: &writer)
            writer.writeOptional(queue.earliestStoreTimestamp) { $0.writeUInt64(UInt64(bitPattern: $1)) }
            writer.writeOptional(queue.latestStoreTimestamp) { $0.writeUInt64(UInt64(bitPattern: $1)) }
        }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let topic = try reader.readString("topic", limit: limits.maxStringBytes)
        let count = try reader.readCount("queues", limit: Int(UInt32.max), minimumElementBytes: 18)
        var queues: [QueueDescription] = []
        queues.reserveCapacity(count)
        for _ in 0..<count {
            let range = try QueueOffsetsResponse(from: &reader, limits: limits).range
            let earliest = try reader.readOptional("earliestStoreTimestamp") { (reader) throws(DecodeError) in
                Int64(bitPattern: try reader.readUInt64("earliestStoreTimestamp"))
            }
            let latest = try reader.readOptional("latestStoreTimestamp") { (reader) throws(DecodeError) in
                Int64(bitPattern: try reader.readUInt64("latestStoreTimestamp"))
            }
            queues.append(
                QueueDescription(range: range, earliestStoreTimestamp: earliest, latestStoreTimestamp: latest))
        }
        self.init(topic: topic, queues: queues)
    }
}
