import Bytes
import FileIO

/// RocketMQ's commit-log message record (`MessageExtEncoder`, `MessageDecoder`), big-endian:
///
///     off size field                    off size field
///      0   4   TOTALSIZE                 56   8   STORETIMESTAMP
///      4   4   MAGICCODE (V1 0xDAA320A7) 64   8   STOREHOST (IPv4 + port; 20 for IPv6)
///      8   4   BODYCRC (crc32 & 0x7FFFFFFF) 72 4  RECONSUMETIMES
///     12   4   QUEUEID                   76   8   PREPAREDTRANSACTIONOFFSET
///     16   4   FLAG                      84 4+B   BODY (length, bytes)
///     20   8   QUEUEOFFSET               .. 1+T   TOPIC (V1: 1-byte length; V2: 2-byte)
///     28   8   PHYSICALOFFSET            .. 2+P   PROPERTIES (`k\u{1}v\u{2}...`)
///     36   4   SYSFLAG
///     40   8   BORNTIMESTAMP
///     48   8   BORNHOST (IPv4 + port; 20 for IPv6)
///
/// Size with IPv4 hosts: 91 + B + T + P. The message store writes these records into its files;
/// the wire protocol carries them as they are, so one codec serves both.
package enum MessageRecord {
    @inlinable package static var magicV1: Int32 { Int32(bitPattern: 0xDAA3_20A7) }
    @inlinable package static var magicV2: Int32 { Int32(bitPattern: 0xDAA3_20AB) }
    static let bornHostIPv6Flag: Int32 = 0x10
    static let storeHostIPv6Flag: Int32 = 0x20
    /// RocketMQ's limits: a 1-byte topic length (V1) and `TOPIC_MAX_LENGTH`, a 2-byte properties length.
    @inlinable package static var maxTopicLength: Int { 127 }
    @inlinable package static var maxPropertiesLength: Int { Int(Int16.max) }

    /// TOTALSIZE for the given field lengths (V1 record).
    package static func size(body: Int, topic: Int, properties: Int, bornIPv6: Bool, storeIPv6: Bool) -> Int {
        91 + body + topic + properties + (bornIPv6 ? 12 : 0) + (storeIPv6 ? 12 : 0)
    }

    /// The encoded length of `properties`.
    package static func propertiesCount(_ properties: [MessagePropertyPair]) -> Int {
        properties.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
    }

    /// The pairs of a properties string (`k\u{1}v\u{2}...`), in order; empty pairs are skipped.
    /// A pair without a name separator or bytes that are not UTF-8 throw, naming `offset` plus
    /// the position in `bytes`.
    package static func decodeProperties(_ bytes: [UInt8], at offset: Int) throws(DecodeError)
        -> [MessagePropertyPair]
    {
        try decodeProperties(bytes[...], at: offset)
    }

    /// The pairs of the properties string `bytes`; errors name `offset` plus the position from
    /// the slice's start.
    package static func decodeProperties(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(DecodeError)
        -> [MessagePropertyPair]
    {
        let offset = offset - bytes.startIndex
        var pairs: [MessagePropertyPair] = []
        pairs.reserveCapacity(bytes.count(where: { $0 == MessageProperty.nameValueSeparator }))
        var next = bytes.startIndex
        while next < bytes.endIndex {
            let end = bytes[next...].firstIndex(of: MessageProperty.pairSeparator) ?? bytes.endIndex
            let item = bytes[next..<end]
            next = end + 1
            if item.isEmpty { continue }
            guard let cut = item.firstIndex(of: MessageProperty.nameValueSeparator) else {
                throw .invalidValue(
                    field: "properties", offset: offset + item.startIndex, reason: "a pair without a name separator")
            }
            guard let name = String(checkedUTF8: item[..<cut]), let value = String(checkedUTF8: item[(cut + 1)...])
            else { throw .invalidUTF8(field: "properties", offset: offset + item.startIndex) }
            pairs.append(MessagePropertyPair(name, value))
        }
        return pairs
    }

    /// Appends `k\u{1}v\u{2}` for every pair.
    package static func appendProperties(_ properties: [MessagePropertyPair], to writer: inout ByteWriter) {
        for pair in properties {
            writer.writeRawBytes(pair.name.utf8)
            writer.writeUInt8(MessageProperty.nameValueSeparator)
            writer.writeRawBytes(pair.value.utf8)
            writer.writeUInt8(MessageProperty.pairSeparator)
        }
    }

    /// Appends the V1 record of `message`; `bodyCRC` is `CRC32(body) & 0x7FFFFFFF`, computed
    /// by the caller so it can be reused. The topic, properties and sizes must already be valid.
    package static func encode(_ message: StoredMessage, bodyCRC: UInt32, into out: inout [UInt8]) {
        let propertiesLength = propertiesCount(message.properties)
        let total = size(
            body: message.body.count, topic: message.topic.utf8.count, properties: propertiesLength,
            bornIPv6: message.bornHost.isIPv6, storeIPv6: message.storeHost.isIPv6)
        precondition(message.topic.utf8.count <= maxTopicLength && propertiesLength <= maxPropertiesLength)
        var sysFlag = message.sysFlag & ~(bornHostIPv6Flag | storeHostIPv6Flag)
        if message.bornHost.isIPv6 { sysFlag |= bornHostIPv6Flag }
        if message.storeHost.isIPv6 { sysFlag |= storeHostIPv6Flag }
        ByteWriter.append(to: &out) { writer in
            writer.writeInt32(Int32(total))
            writer.writeInt32(magicV1)
            writer.writeUInt32(bodyCRC)
            writer.writeInt32(message.queueID)
            writer.writeInt32(message.flag)
            writer.writeInt64(message.queueOffset.rawValue)
            writer.writeInt64(message.physicalOffset.rawValue)
            writer.writeInt32(sysFlag)
            writer.writeInt64(message.bornTimestamp)
            message.bornHost.encode(into: &writer)
            writer.writeInt64(message.storeTimestamp)
            message.storeHost.encode(into: &writer)
            writer.writeInt32(message.reconsumeTimes)
            writer.writeInt64(message.preparedTransactionOffset)
            writer.writeInt32(Int32(message.body.count))
            writer.writeRawBytes(message.body)
            writer.writeUInt8(UInt8(message.topic.utf8.count))
            writer.writeRawBytes(message.topic.utf8)
            writer.writeUInt16(UInt16(propertiesLength))
            appendProperties(message.properties, to: &writer)
        }
    }

    /// Where the body starts in a record with `sysFlag` (after the fixed fields and both hosts,
    /// 16 bytes each for IPv6 instead of 4, plus their ports).
    package static func bodyOffset(sysFlag: Int32) -> Int {
        88 + (sysFlag & bornHostIPv6Flag != 0 ? 12 : 0) + (sysFlag & storeHostIPv6Flag != 0 ? 12 : 0)
    }

    /// `CRC32(body) & 0x7FFFFFFF` (`UtilAll.crc32`).
    package static func bodyCRC(_ body: [UInt8]) -> UInt32 { CRC32.checksum(body) & 0x7FFF_FFFF }
}

extension StoredMessage {
    /// The record's bytes (magic V1).
    public func encodedRecord() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(storeSize)
        MessageRecord.encode(self, bodyCRC: MessageRecord.bodyCRC(body), into: &out)
        return out
    }

    /// Decodes the record that starts at `offset` of `bytes` (V1 or V2 magic). Checks that the
    /// total size matches the fields and, when `verifyingCRC`, the body CRC; offsets in errors
    /// are relative to `offset`.
    public init(decoding bytes: [UInt8], at offset: Int = 0, verifyingCRC: Bool = true) throws(DecodeError) {
        var reader = ByteReader(bytes, from: offset)
        let total = try reader.readInt32("total size")
        guard total >= 91 else {
            throw .invalidValue(field: "total size", offset: 0, reason: "\(total) is below the 91-byte minimum")
        }
        try reader.require(Int(total) - 4, for: "record")
        reader = ByteReader(bytes, from: offset, to: offset + Int(total))
        try reader.skip(4, "total size")
        let magic = try reader.readInt32("magic code")
        guard magic == MessageRecord.magicV1 || magic == MessageRecord.magicV2 else {
            throw .invalidValue(
                field: "magic code", offset: 4, reason: "0x\(String(UInt32(bitPattern: magic), radix: 16))")
        }
        let storedCRC = try reader.readUInt32("body CRC")
        queueID = try reader.readInt32("queue id")
        flag = try reader.readInt32("flag")
        queueOffset = QueueOffset(try reader.readInt64("queue offset"))
        physicalOffset = PhysicalOffset(try reader.readInt64("physical offset"))
        sysFlag = try reader.readInt32("sys flag")
        bornTimestamp = try reader.readInt64("born timestamp")
        bornHost = try HostAddress.decode(
            &reader, ipv6: sysFlag & MessageRecord.bornHostIPv6Flag != 0, address: "born host address",
            port: "born host port")
        storeTimestamp = try reader.readInt64("store timestamp")
        storeHost = try HostAddress.decode(
            &reader, ipv6: sysFlag & MessageRecord.storeHostIPv6Flag != 0, address: "store host address",
            port: "store host port")
        reconsumeTimes = try reader.readInt32("reconsume times")
        preparedTransactionOffset = try reader.readInt64("prepared transaction offset")
        let bodyLength = try reader.readInt32("body length")
        let bodyAt = reader.offset
        body = try reader.readRawBytes(Int(bodyLength), "body")
        if verifyingCRC, MessageRecord.bodyCRC(body) != storedCRC {
            throw .invalidValue(field: "body", offset: bodyAt, reason: "CRC mismatch (stored \(storedCRC))")
        }
        let topicLength =
            magic == MessageRecord.magicV1
            ? Int(try reader.readUInt8("topic length")) : Int(try reader.readUInt16("topic length"))
        topic = try reader.readString(count: topicLength, "topic")
        let propertiesLength = try reader.readUInt16("properties length")
        let propertiesAt = reader.offset
        properties = try MessageRecord.decodeProperties(
            try reader.readRawBytes(Int(propertiesLength), "properties"), at: propertiesAt)
        try reader.finish()
    }
}
