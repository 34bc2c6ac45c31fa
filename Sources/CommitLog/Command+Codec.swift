// Command format, version 1, all integers big-endian:
//   u8 version, u8 kind (1 send, 2 batch, 3 commit offset), then
//   send:   stamp, message
//   batch:  stamp, optional producer, u32 count, count × message
//   commit: string group, string topic, i32 queue id, i64 offset
// stamp = i64 store timestamp, host; host = u8 address length (4 or 16), address, u16 port;
// string = u16 length + UTF-8; optional X = u8 0 | u8 1 X; producer = u64 id, u64 sequence;
// message = string topic, target (u8 0 automatic | 1 i32 queue | 2 string key), optional string tags,
//           u16 key count + strings, u32 body length + body, u16 property count + (string, string) pairs,
//           i32 flag, i64 born timestamp, host born host, optional producer.

extension Command {
    private enum Kind: UInt8 {
        case send = 1
        case batch = 2
        case commitOffset = 3
    }

    /// The command's bytes in the current format. Fails only for values the format cannot hold:
    /// a string over 65,535 UTF-8 bytes, over 65,535 keys or properties, a body over 4 GiB.
    public func encoded() throws(EncodeError) -> [UInt8] {
        var out: [UInt8] = []
        out.append(Command.formatVersion)
        switch self {
        case .send(let message, let stamp):
            out.reserveCapacity(message.body.count + 128)
            out.append(Kind.send.rawValue)
            Self.encode(stamp, into: &out)
            try Self.encode(message, into: &out)
        case .sendBatch(let batch, let stamp):
            out.reserveCapacity(batch.messages.reduce(64) { $0 + $1.body.count + 128 })
            out.append(Kind.batch.rawValue)
            Self.encode(stamp, into: &out)
            Self.encode(batch.producer, into: &out)
            try out.appendBigEndian(UInt32(checking: batch.messages.count, "batch count"))
            for message in batch.messages { try Self.encode(message, into: &out) }
        case .commitOffset(let commit):
            out.append(Kind.commitOffset.rawValue)
            try out.appendShortString(commit.group, "group")
            try out.appendShortString(commit.queue.topic, "topic")
            out.appendBigEndian(commit.queue.queueID)
            out.appendBigEndian(commit.offset.rawValue)
        }
        return out
    }

    /// Decodes a command; the whole of `bytes` must be exactly one command.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        let version = try reader.u8("format version")
        guard version == Command.formatVersion else {
            throw .unsupportedVersion(found: version, supported: Command.formatVersion)
        }
        let kindAt = reader.relativePosition
        let rawKind = try reader.u8("command kind")
        guard let kind = Kind(rawValue: rawKind) else {
            throw .invalidValue(field: "command kind", offset: kindAt, reason: "unknown kind \(rawKind)")
        }
        switch kind {
        case .send:
            let stamp = try Self.decodeStamp(&reader)
            self = .send(try Self.decodeMessage(&reader), stamp)
        case .batch:
            let stamp = try Self.decodeStamp(&reader)
            let producer = try Self.decodeProducer(&reader)
            let count = try reader.u32("batch count")
            var messages: [ProducerMessage] = []
            for _ in 0..<count { messages.append(try Self.decodeMessage(&reader)) }
            self = .sendBatch(MessageBatch(messages: messages, producer: producer), stamp)
        case .commitOffset:
            let group = try reader.shortString("group")
            let topic = try reader.shortString("topic")
            let queueID = try reader.i32("queue id")
            let offset = try reader.i64("offset")
            self = .commitOffset(
                OffsetCommit(
                    group: group, queue: MessageQueue(topic: topic, queueID: queueID), offset: QueueOffset(offset)))
        }
        try reader.expectEnd()
    }

    private static func encode(_ stamp: StoreStamp, into out: inout [UInt8]) {
        out.appendBigEndian(stamp.storeTimestamp)
        encode(stamp.storeHost, into: &out)
    }

    private static func encode(_ host: HostAddress, into out: inout [UInt8]) {
        out.append(UInt8(host.ip.count))
        out.append(contentsOf: host.ip)
        out.appendBigEndian(host.port)
    }

    private static func encode(_ producer: ProducerStamp?, into out: inout [UInt8]) {
        guard let producer else { return out.append(0) }
        out.append(1)
        out.appendBigEndian(producer.producer.rawValue)
        out.appendBigEndian(producer.sequence)
    }

    private static func encode(_ message: ProducerMessage, into out: inout [UInt8]) throws(EncodeError) {
        try out.appendShortString(message.topic, "topic")
        switch message.target {
        case .automatic:
            out.append(0)
        case .queue(let id):
            out.append(1)
            out.appendBigEndian(id)
        case .shardingKey(let key):
            out.append(2)
            try out.appendShortString(key, "sharding key")
        }
        if let tags = message.tags {
            out.append(1)
            try out.appendShortString(tags, "tags")
        } else {
            out.append(0)
        }
        try out.appendBigEndian(UInt16(checking: message.keys.count, "key count"))
        for key in message.keys { try out.appendShortString(key, "key") }
        try out.appendBigEndian(UInt32(checking: message.body.count, "body"))
        out.append(contentsOf: message.body)
        try out.appendBigEndian(UInt16(checking: message.properties.count, "property count"))
        for name in message.properties.keys.sorted(by: utf8Precedes) {
            try out.appendShortString(name, "property name")
            try out.appendShortString(message.properties[name, default: ""], "property \(name)")
        }
        out.appendBigEndian(message.flag)
        out.appendBigEndian(message.bornTimestamp)
        encode(message.bornHost, into: &out)
        encode(message.producer, into: &out)
    }

    private static func decodeStamp(_ reader: inout ByteReader) throws(DecodeError) -> StoreStamp {
        let timestamp = try reader.i64("store timestamp")
        return StoreStamp(storeTimestamp: timestamp, storeHost: try decodeHost(&reader, "store host"))
    }

    private static func decodeHost(_ reader: inout ByteReader, _ field: String) throws(DecodeError) -> HostAddress {
        let at = reader.relativePosition
        let length = try reader.u8("\(field) address length")
        guard length == 4 || length == 16 else {
            throw .invalidValue(field: "\(field) address length", offset: at, reason: "\(length) is neither 4 nor 16")
        }
        let ip = try reader.bytes(Int(length), "\(field) address")
        let port = try reader.u16("\(field) port")
        guard let host = HostAddress(ip: ip, port: port) else {
            throw .invalidValue(field: field, offset: at, reason: "bad address")
        }
        return host
    }

    private static func decodeOptionalFlag(_ reader: inout ByteReader, _ field: String) throws(DecodeError) -> Bool {
        let at = reader.relativePosition
        switch try reader.u8("\(field) presence") {
        case 0: return false
        case 1: return true
        case let other:
            throw .invalidValue(field: "\(field) presence", offset: at, reason: "\(other) is neither 0 nor 1")
        }
    }

    private static func decodeProducer(_ reader: inout ByteReader) throws(DecodeError) -> ProducerStamp? {
        guard try decodeOptionalFlag(&reader, "producer") else { return nil }
        let id = try reader.u64("producer id")
        return ProducerStamp(producer: ProducerID(id), sequence: try reader.u64("producer sequence"))
    }

    private static func decodeMessage(_ reader: inout ByteReader) throws(DecodeError) -> ProducerMessage {
        let topic = try reader.shortString("topic")
        let targetAt = reader.relativePosition
        let target: QueueTarget
        switch try reader.u8("queue target") {
        case 0: target = .automatic
        case 1: target = .queue(try reader.i32("queue id"))
        case 2: target = .shardingKey(try reader.shortString("sharding key"))
        case let other: throw .invalidValue(field: "queue target", offset: targetAt, reason: "unknown target \(other)")
        }
        let tags = try decodeOptionalFlag(&reader, "tags") ? try reader.shortString("tags") : nil
        var keys: [String] = []
        for _ in 0..<(try reader.u16("key count")) { keys.append(try reader.shortString("key")) }
        let body = try reader.bytes(Int(try reader.u32("body length")), "body")
        var properties: [String: String] = [:]
        for _ in 0..<(try reader.u16("property count")) {
            let at = reader.relativePosition
            let name = try reader.shortString("property name")
            let value = try reader.shortString("property value")
            if properties.updateValue(value, forKey: name) != nil {
                throw .invalidValue(field: "property name", offset: at, reason: "duplicate property \(name)")
            }
        }
        let flag = try reader.i32("flag")
        let bornTimestamp = try reader.i64("born timestamp")
        let bornHost = try decodeHost(&reader, "born host")
        let producer = try decodeProducer(&reader)
        return ProducerMessage(
            topic: topic, target: target, tags: tags, keys: keys, body: body, properties: properties, flag: flag,
            bornTimestamp: bornTimestamp, bornHost: bornHost, producer: producer)
    }
}
