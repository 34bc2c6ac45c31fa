import Bytes
import LedgerModel

// Field codecs shared by the message payloads (`MessagePayloads.swift`). Layouts are listed in
// PROTOCOL.md ("Message operations"). Signed store values (queue ids, offsets, timestamps) travel
// as the bit pattern of the unsigned field of the same width.

extension ByteWriter {
    /// `string topic, u32 queueId`.
    mutating func writeQueue(_ queue: MessageQueue) {
        writeString(queue.topic)
        writeUInt32(UInt32(bitPattern: queue.queueID))
    }

    /// `u8 kind` (0 automatic, 1 queue, 2 sharding key), then `u32 queueId` or `string key`.
    mutating func writeTarget(_ target: QueueTarget) {
        switch target {
        case .automatic:
            writeUInt8(0)
        case .queue(let id):
            writeUInt8(1)
            writeUInt32(UInt32(bitPattern: id))
        case .shardingKey(let key):
            writeUInt8(2)
            writeString(key)
        }
    }

    /// A producer's message: `string topic, target, optional string tags, count × string key,
    /// bytes body, count × (string name, string value) properties in name order, u32 flag,
    /// u64 bornTimestamp`. The born host and the producer stamp are not part of it: the node
    /// fills in the connection's address, and the stamp belongs to the request.
    mutating func writeProducerMessage(_ message: ProducerMessage) {
        writeString(message.topic)
        writeTarget(message.target)
        writeOptional(message.tags) { $0.writeString($1) }
        writeCount(message.keys.count)
        for key in message.keys { writeString(key) }
        writeBytes(message.body)
        let names = message.properties.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        writeCount(names.count)
        for name in names {
            writeString(name)
            writeString(message.properties[name, default: ""])
        }
        writeUInt32(UInt32(bitPattern: message.flag))
        writeUInt64(UInt64(bitPattern: message.bornTimestamp))
    }

    /// `optional (u64 producerId, u64 sequence)`.
    mutating func writeProducerStamp(_ stamp: ProducerStamp?) {
        writeOptional(stamp) { writer, stamp in
            writer.writeUInt64(stamp.producer.rawValue)
            writer.writeUInt64(stamp.sequence)
        }
    }

    /// A stored message as `bytes record`: its RocketMQ commit-log record, byte for byte.
    mutating func writeRecord(_ message: StoredMessage) {
        writeBytes(message.encodedRecord())
    }
}

extension ByteReader {
    mutating func readQueue(_ limits: WireLimits) throws(DecodeError) -> MessageQueue {
        let topic = try readString("topic", limit: limits.maxStringBytes)
        return MessageQueue(topic: topic, queueID: Int32(bitPattern: try readUInt32("queueId")))
    }

    mutating func readTarget(_ limits: WireLimits) throws(DecodeError) -> QueueTarget {
        let at = offset
        switch try readUInt8("target") {
        case 0: return .automatic
        case 1: return .queue(Int32(bitPattern: try readUInt32("queueId")))
        case 2: return .shardingKey(try readString("shardingKey", limit: limits.maxStringBytes))
        case let other: throw .unknownEnumValue(field: "target", value: UInt64(other), offset: at)
        }
    }

    mutating func readProducerMessage(_ limits: WireLimits) throws(DecodeError) -> ProducerMessage {
        let topic = try readString("topic", limit: limits.maxStringBytes)
        let target = try readTarget(limits)
        let tags = try readOptional("tags") { (reader) throws(DecodeError) in
            try reader.readString("tags", limit: limits.maxStringBytes)
        }
        // Each string takes at least its 4-byte length.
        let keyCount = try readCount("keys", limit: Int(UInt16.max), minimumElementBytes: 4)
        var keys: [String] = []
        keys.reserveCapacity(keyCount)
        for _ in 0..<keyCount { keys.append(try readString("key", limit: limits.maxStringBytes)) }
        let body = try readBytes("body", limit: limits.maxEntryBytes)
        let propertyCount = try readCount("properties", limit: Int(UInt16.max), minimumElementBytes: 8)
        var properties: [String: String] = [:]
        var previous: String?
        for _ in 0..<propertyCount {
            let at = offset
            let name = try readString("property name", limit: limits.maxStringBytes)
            // One encoding per message: names in strictly increasing UTF-8 order (no repeats).
            if let previous, !previous.utf8.lexicographicallyPrecedes(name.utf8) {
                throw .invalidValue(
                    field: "property name", offset: at,
                    reason: "\(name) is not after \(previous) (names are sorted, once each)")
            }
            previous = name
            properties[name] = try readString("property value", limit: limits.maxStringBytes)
        }
        let flag = Int32(bitPattern: try readUInt32("flag"))
        let born = Int64(bitPattern: try readUInt64("bornTimestamp"))
        return ProducerMessage(
            topic: topic, target: target, tags: tags, keys: keys, body: body, properties: properties, flag: flag,
            bornTimestamp: born)
    }

    mutating func readProducerStamp() throws(DecodeError) -> ProducerStamp? {
        try readOptional("producer") { (reader) throws(DecodeError) in
            let id = ProducerID(try reader.readUInt64("producerId"))
            return ProducerStamp(producer: id, sequence: try reader.readUInt64("sequence"))
        }
    }

    /// Reads `bytes record` and decodes it as a RocketMQ commit-log record (CRC checked). The
    /// bytes must be exactly what the store writes for that message (V1 magic, properties each
    /// ending in a separator), so a record has one encoding on the wire.
    mutating func readRecord(_ limits: WireLimits) throws(DecodeError) -> StoredMessage {
        let at = offset + 4
        let bytes = try readBytes("record", limit: limits.maxEntryBytes + 64 << 10)
        let message: StoredMessage
        do {
            message = try StoredMessage(decoding: bytes)
        } catch {
            throw .invalidValue(field: "record", offset: at, reason: error.description)
        }
        guard message.encodedRecord() == bytes else {
            throw .invalidValue(field: "record", offset: at, reason: "not the store's encoding of its message")
        }
        return message
    }

    /// `count n, n × bytes record`; each record takes at least 4 + 91 bytes.
    mutating func readRecords(_ limits: WireLimits) throws(DecodeError) -> [StoredMessage] {
        let count = try readCount("records", limit: Int(UInt32.max), minimumElementBytes: 95)
        var messages: [StoredMessage] = []
        messages.reserveCapacity(count)
        for _ in 0..<count { messages.append(try readRecord(limits)) }
        return messages
    }

    mutating func readQueueOffset(_ field: String) throws(DecodeError) -> QueueOffset {
        QueueOffset(Int64(bitPattern: try readUInt64(field)))
    }
}
