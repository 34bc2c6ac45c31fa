import Bytes

// Command format, versions 1 and 2, all integers big-endian:
//   u8 version, u8 kind (1 send, 2 batch, 3 commit offset, 4 update topic, 5 delete topic), then
//   send:   stamp, message
//   batch:  stamp, optional producer, u32 count, count × message
//   commit: string group, string topic, i32 queue id, i64 offset
//   update topic: string topic, i32 queue count, u8 mode (1 create, 2 alter, 3 create or alter)
//   delete topic: string topic
//   rollback transaction (kind 6): i64 half offset
//   check transaction (kind 7): i64 half offset, i64 time, u8 discard (0 or 1), i32 checks before
// stamp = i64 store timestamp, host; host = u8 address length (4 or 16), address, u16 port;
// string = u16 length + UTF-8; optional X = u8 0 | u8 1 X; producer = u64 id, u64 sequence;
// message = string topic, target (u8 0 automatic | 1 i32 queue | 2 string key), optional string tags,
//           u16 key count + strings, u32 body length + body, u16 property count + (string, string) pairs,
//           i32 flag, i64 born timestamp, host born host, optional producer
//           [version 2 only: i32 sys flag (0x1 compressed body), optional string unique key].
// A command is written as version 1 unless one of its messages has a compressed body or a unique
// key, so every command older builds could write keeps its bytes (and a group's digests their
// values).

extension Command {
    private enum Kind: UInt8 {
        case send = 1
        case batch = 2
        case commitOffset = 3
        case updateTopic = 4
        case deleteTopic = 5
        case rollbackTransaction = 6
        case checkTransaction = 7
    }

    /// The command's bytes in the current format. Fails only for values the format cannot hold:
    /// a string over 65,535 UTF-8 bytes, over 65,535 keys or properties, a body over 4 GiB.
    public func encoded() throws(EncodeError) -> [UInt8] {
        var writer: ByteWriter
        switch self {
        case .send(let message, let stamp):
            let version = message.needsVersion2 ? Command.formatVersion : Command.baseFormatVersion
            writer = ByteWriter(capacity: message.body.count + 128)
            writer.writeUInt8(version)
            writer.writeUInt8(Kind.send.rawValue)
            Self.encode(stamp, into: &writer)
            try Self.encode(message, version: version, into: &writer)
        case .sendBatch(let batch, let stamp):
            let version =
                batch.messages.contains(where: \.needsVersion2) ? Command.formatVersion : Command.baseFormatVersion
            writer = ByteWriter(capacity: batch.messages.reduce(64) { $0 + $1.body.count + 128 })
            writer.writeUInt8(version)
            writer.writeUInt8(Kind.batch.rawValue)
            Self.encode(stamp, into: &writer)
            Self.encode(batch.producer, into: &writer)
            try writer.writeLength(batch.messages.count, as: UInt32.self, "batch count")
            for message in batch.messages { try Self.encode(message, version: version, into: &writer) }
        case .commitOffset(let commit):
            writer = ByteWriter()
            writer.writeUInt8(Command.baseFormatVersion)
            writer.writeUInt8(Kind.commitOffset.rawValue)
            try writer.writeShortString(commit.group, "group")
            try writer.writeShortString(commit.queue.topic, "topic")
            writer.writeInt32(commit.queue.queueID)
            writer.writeInt64(commit.offset.rawValue)
        case .updateTopic(let update):
            writer = ByteWriter()
            writer.writeUInt8(Command.baseFormatVersion)
            writer.writeUInt8(Kind.updateTopic.rawValue)
            try writer.writeShortString(update.topic, "topic")
            writer.writeInt32(update.queueCount)
            writer.writeUInt8(update.mode.rawValue)
        case .deleteTopic(let deletion):
            writer = ByteWriter()
            writer.writeUInt8(Command.baseFormatVersion)
            writer.writeUInt8(Kind.deleteTopic.rawValue)
            try writer.writeShortString(deletion.topic, "topic")
        case .rollbackTransaction(let rollback):
            writer = ByteWriter()
            writer.writeUInt8(Command.baseFormatVersion)
            writer.writeUInt8(Kind.rollbackTransaction.rawValue)
            writer.writeInt64(rollback.half.rawValue)
        case .checkTransaction(let check):
            writer = ByteWriter()
            writer.writeUInt8(Command.baseFormatVersion)
            writer.writeUInt8(Kind.checkTransaction.rawValue)
            writer.writeInt64(check.half.rawValue)
            writer.writeInt64(check.at)
            writer.writeUInt8(check.discard ? 1 : 0)
            writer.writeInt32(check.after)
        }
        return writer.bytes
    }

    /// Decodes a command; the whole of `bytes` must be exactly one command.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        let version = try reader.readUInt8("format version")
        guard version == Command.baseFormatVersion || version == Command.formatVersion else {
            throw .unsupportedVersion(found: version, supported: Command.formatVersion)
        }
        let kindAt = reader.offset
        let rawKind = try reader.readUInt8("command kind")
        guard let kind = Kind(rawValue: rawKind) else {
            throw .invalidValue(field: "command kind", offset: kindAt, reason: "unknown kind \(rawKind)")
        }
        switch kind {
        case .send:
            let stamp = try Self.decodeStamp(&reader)
            self = .send(try Self.decodeMessage(&reader, version: version), stamp)
        case .batch:
            let stamp = try Self.decodeStamp(&reader)
            let producer = try Self.decodeProducer(&reader)
            let count = try reader.readUInt32("batch count")
            var messages: [ProducerMessage] = []
            for _ in 0..<count { messages.append(try Self.decodeMessage(&reader, version: version)) }
            self = .sendBatch(MessageBatch(messages: messages, producer: producer), stamp)
        case .commitOffset:
            let group = try reader.readShortString("group")
            let topic = try reader.readShortString("topic")
            let queueID = try reader.readInt32("queue id")
            let offset = try reader.readInt64("offset")
            self = .commitOffset(
                OffsetCommit(
                    group: group, queue: MessageQueue(topic: topic, queueID: queueID), offset: QueueOffset(offset)))
        case .updateTopic:
            let topic = try reader.readShortString("topic")
            let queueCount = try reader.readInt32("queue count")
            let modeAt = reader.offset
            let rawMode = try reader.readUInt8("topic update mode")
            guard let mode = TopicUpdate.Mode(rawValue: rawMode) else {
                throw .invalidValue(field: "topic update mode", offset: modeAt, reason: "unknown mode \(rawMode)")
            }
            self = .updateTopic(TopicUpdate(topic: topic, queueCount: queueCount, mode: mode))
        case .deleteTopic:
            self = .deleteTopic(TopicDeletion(topic: try reader.readShortString("topic")))
        case .rollbackTransaction:
            self = .rollbackTransaction(TransactionRollback(half: PhysicalOffset(try reader.readInt64("half offset"))))
        case .checkTransaction:
            let half = PhysicalOffset(try reader.readInt64("half offset"))
            let at = try reader.readInt64("check time")
            let discard = try Self.decodeOptionalFlag(&reader, "discard")
            self = .checkTransaction(
                TransactionCheck(half: half, at: at, discard: discard, after: try reader.readInt32("checks before")))
        }
        try reader.finish()
    }

    private static func encode(_ stamp: StoreStamp, into writer: inout ByteWriter) {
        writer.writeInt64(stamp.storeTimestamp)
        encode(stamp.storeHost, into: &writer)
    }

    private static func encode(_ host: HostAddress, into writer: inout ByteWriter) {
        writer.writeUInt8(UInt8(host.ipCount))
        for index in 0..<host.ipCount { writer.writeUInt8(host[byte: index]) }
        writer.writeUInt16(host.port)
    }

    private static func encode(_ producer: ProducerStamp?, into writer: inout ByteWriter) {
        guard let producer else { return writer.writeUInt8(0) }
        writer.writeUInt8(1)
        writer.writeUInt64(producer.producer.rawValue)
        writer.writeUInt64(producer.sequence)
    }

    private static func encode(_ message: ProducerMessage, version: UInt8, into writer: inout ByteWriter)
        throws(EncodeError)
    {
        try writer.writeShortString(message.topic, "topic")
        switch message.target {
        case .automatic:
            writer.writeUInt8(0)
        case .queue(let id):
            writer.writeUInt8(1)
            writer.writeInt32(id)
        case .shardingKey(let key):
            writer.writeUInt8(2)
            try writer.writeShortString(key, "sharding key")
        }
        if let tags = message.tags {
            writer.writeUInt8(1)
            try writer.writeShortString(tags, "tags")
        } else {
            writer.writeUInt8(0)
        }
        try writer.writeLength(message.keys.count, as: UInt16.self, "key count")
        for key in message.keys { try writer.writeShortString(key, "key") }
        try writer.writeLength(message.body.count, as: UInt32.self, "body")
        writer.writeRawBytes(message.body)
        try writer.writeLength(message.properties.count, as: UInt16.self, "property count")
        for name in message.properties.keys.sorted(by: utf8Precedes) {
            try writer.writeShortString(name, "property name")
            try writer.writeShortString(message.properties[name, default: ""], "property \(name)")
        }
        writer.writeInt32(message.flag)
        writer.writeInt64(message.bornTimestamp)
        encode(message.bornHost, into: &writer)
        encode(message.producer, into: &writer)
        if version >= 2 {
            writer.writeInt32(message.bodyCompressed ? MessageSysFlag.compressed : 0)
            if let uniqueKey = message.uniqueKey {
                writer.writeUInt8(1)
                try writer.writeShortString(uniqueKey, "unique key")
            } else {
                writer.writeUInt8(0)
            }
        }
    }

    private static func decodeStamp(_ reader: inout ByteReader) throws(DecodeError) -> StoreStamp {
        let timestamp = try reader.readInt64("store timestamp")
        return StoreStamp(storeTimestamp: timestamp, storeHost: try decodeHost(&reader, "store host"))
    }

    private static func decodeHost(_ reader: inout ByteReader, _ field: String) throws(DecodeError) -> HostAddress {
        let at = reader.offset
        let length = try reader.readUInt8("\(field) address length")
        guard length == 4 || length == 16 else {
            throw .invalidValue(field: "\(field) address length", offset: at, reason: "\(length) is neither 4 nor 16")
        }
        let ip = try reader.readRawBytes(Int(length), "\(field) address")
        let port = try reader.readUInt16("\(field) port")
        guard let host = HostAddress(ip: ip, port: port) else {
            throw .invalidValue(field: field, offset: at, reason: "bad address")
        }
        return host
    }

    private static func decodeOptionalFlag(_ reader: inout ByteReader, _ field: String) throws(DecodeError) -> Bool {
        let at = reader.offset
        switch try reader.readUInt8("\(field) presence") {
        case 0: return false
        case 1: return true
        case let other:
            throw .invalidValue(field: "\(field) presence", offset: at, reason: "\(other) is neither 0 nor 1")
        }
    }

    private static func decodeProducer(_ reader: inout ByteReader) throws(DecodeError) -> ProducerStamp? {
        guard try decodeOptionalFlag(&reader, "producer") else { return nil }
        let id = try reader.readUInt64("producer id")
        return ProducerStamp(producer: ProducerID(id), sequence: try reader.readUInt64("producer sequence"))
    }

    private static func decodeMessage(_ reader: inout ByteReader, version: UInt8) throws(DecodeError)
        -> ProducerMessage
    {
        let topic = try reader.readShortString("topic")
        let targetAt = reader.offset
        let target: QueueTarget
        switch try reader.readUInt8("queue target") {
        case 0: target = .automatic
        case 1: target = .queue(try reader.readInt32("queue id"))
        case 2: target = .shardingKey(try reader.readShortString("sharding key"))
        case let other: throw .invalidValue(field: "queue target", offset: targetAt, reason: "unknown target \(other)")
        }
        let tags = try decodeOptionalFlag(&reader, "tags") ? try reader.readShortString("tags") : nil
        var keys: [String] = []
        for _ in 0..<(try reader.readUInt16("key count")) { keys.append(try reader.readShortString("key")) }
        let body = try reader.readRawBytes(Int(try reader.readUInt32("body length")), "body")
        var properties: [String: String] = [:]
        for _ in 0..<(try reader.readUInt16("property count")) {
            let at = reader.offset
            let name = try reader.readShortString("property name")
            let value = try reader.readShortString("property value")
            if properties.updateValue(value, forKey: name) != nil {
                throw .invalidValue(field: "property name", offset: at, reason: "duplicate property \(name)")
            }
        }
        let flag = try reader.readInt32("flag")
        let bornTimestamp = try reader.readInt64("born timestamp")
        let bornHost = try decodeHost(&reader, "born host")
        let producer = try decodeProducer(&reader)
        var compressed = false
        var uniqueKey: String?
        if version >= 2 {
            let at = reader.offset
            let sysFlag = try reader.readInt32("sys flag")
            guard sysFlag & ~MessageSysFlag.compressed == 0 else {
                throw .invalidValue(field: "sys flag", offset: at, reason: "unknown bits in \(sysFlag)")
            }
            compressed = sysFlag & MessageSysFlag.compressed != 0
            uniqueKey = try decodeOptionalFlag(&reader, "unique key") ? try reader.readShortString("unique key") : nil
        }
        return ProducerMessage(
            topic: topic, target: target, tags: tags, keys: keys, body: body, properties: properties, flag: flag,
            bornTimestamp: bornTimestamp, bornHost: bornHost, producer: producer, bodyCompressed: compressed,
            uniqueKey: uniqueKey)
    }
}

extension ProducerMessage {
    /// Whether the command carrying it must be written as version 2.
    fileprivate var needsVersion2: Bool { bodyCompressed || uniqueKey != nil }
}
