import Bytes

/// A send as the one log stores it: the entry's body *is* the RocketMQ records (§1.1 of
/// `reference/rocketmq-formats.md`), each with the queue offset and physical offset the leader
/// assigned when it proposed, so a message is written once and a pull returns the stored bytes.
///
/// Format (big-endian): u8 tag `0xA5`, u8 flags (bit 0: the producer stamp is set), u64 producer
/// id, u64 sequence (zero when not set), u32 record count, then the records back to back: a
/// fixed 22-byte header, so where the records start never depends on the stamp. A record's physical
/// offset is the log position of its first byte: the entry's data position plus its offset in
/// these bytes.
public struct RecordsEntry: Hashable, Sendable {
    /// The first byte of a records entry; a command starts with its version (1 or 2), a raw
    /// append with 0.
    public static let tag: UInt8 = 0xA5

    /// Where the batch's idempotence is decided: the producer's id and sequence, if it sent them.
    public var producer: ProducerStamp?
    /// How many records follow the header.
    public var count: Int
    /// Where the first record starts in the entry's bytes (``headerBytes``).
    public var recordsStart: Int { Self.headerBytes }

    /// The header's size: the records start this far into the entry.
    public static let headerBytes = 22

    /// Writes the header; the caller appends exactly `count` records after it.
    public static func writeHeader(producer: ProducerStamp?, count: Int, into writer: inout ByteWriter) {
        writer.writeUInt8(tag)
        writer.writeUInt8(producer == nil ? 0 : 1)
        writer.writeUInt64(producer?.producer.rawValue ?? 0)
        writer.writeUInt64(producer?.sequence ?? 0)
        writer.writeUInt32(UInt32(count))
    }

    /// Reads the header of an entry whose first byte is ``tag``.
    public init(decodingHeader bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        let tag = try reader.readUInt8("entry tag")
        guard tag == Self.tag else {
            throw .invalidValue(
                field: "entry tag", offset: 0, reason: "0x\(String(tag, radix: 16)), not a records entry")
        }
        let flags = try reader.readUInt8("records flags")
        guard flags & ~1 == 0 else {
            throw .invalidValue(field: "records flags", offset: 1, reason: "unknown bits 0x\(String(flags, radix: 16))")
        }
        let id = try reader.readUInt64("producer id")
        let sequence = try reader.readUInt64("producer sequence")
        if flags & 1 != 0 { producer = ProducerStamp(producer: ProducerID(id), sequence: sequence) }
        let countAt = reader.offset
        let count = try reader.readUInt32("record count")
        guard count >= 1 else { throw .invalidValue(field: "record count", offset: countAt, reason: "0") }
        self.count = Int(count)
    }
}
