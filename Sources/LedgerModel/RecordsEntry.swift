import Bytes

/// A send as the one log stores it: the entry's body *is* the RocketMQ records (§1.1 of
/// `reference/rocketmq-formats.md`), each with the queue offset and physical offset the leader
/// assigned when it proposed, so a message is written once and a pull returns the stored bytes.
///
/// Format (big-endian): u8 tag `0xA5`, u8 flags (bit 0: the producer stamp is set; bit 1: an
/// origin follows the header), u64 producer id, u64 sequence (zero when not set), u32 record
/// count, then the ``RecordsOrigin`` if flagged, then the records back to back. A record's
/// physical offset is the log position of its first byte: the entry's data position plus its
/// offset in these bytes.
public struct RecordsEntry: Hashable, Sendable {
    /// The first byte of a records entry; a command starts with its version (1 or 2), a raw
    /// append with 0.
    public static let tag: UInt8 = 0xA5

    /// Where the batch's idempotence is decided: the producer's id and sequence, if it sent them.
    public var producer: ProducerStamp?
    /// How many records follow the header.
    public var count: Int
    /// Set when the store moves messages it holds (a delayed message coming due, a send-back, a
    /// transaction's commit) rather than storing a producer's.
    public var origin: RecordsOrigin?
    /// Where the first record starts in the entry's bytes.
    public var recordsStart: Int { Self.headerBytes(origin: origin) }

    /// The fixed header's size, before any origin.
    public static let fixedHeaderBytes = 22

    /// Where the records start after a header with `origin`.
    public static func headerBytes(origin: RecordsOrigin?) -> Int { fixedHeaderBytes + (origin?.encodedCount ?? 0) }

    /// Writes the header; the caller appends exactly `count` records after it.
    public static func writeHeader(
        producer: ProducerStamp?, count: Int, origin: RecordsOrigin? = nil, into writer: inout ByteWriter
    ) {
        writer.writeUInt8(tag)
        writer.writeUInt8((producer == nil ? 0 : 1) | (origin == nil ? 0 : 2))
        writer.writeUInt64(producer?.producer.rawValue ?? 0)
        writer.writeUInt64(producer?.sequence ?? 0)
        writer.writeUInt32(UInt32(count))
        origin?.encode(into: &writer)
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
        guard flags & ~3 == 0 else {
            throw .invalidValue(field: "records flags", offset: 1, reason: "unknown bits 0x\(String(flags, radix: 16))")
        }
        let id = try reader.readUInt64("producer id")
        let sequence = try reader.readUInt64("producer sequence")
        if flags & 1 != 0 { producer = ProducerStamp(producer: ProducerID(id), sequence: sequence) }
        let countAt = reader.offset
        let count = try reader.readUInt32("record count")
        guard count >= 1 else { throw .invalidValue(field: "record count", offset: countAt, reason: "0") }
        self.count = Int(count)
        if flags & 2 != 0 { origin = try RecordsOrigin(decoding: &reader) }
    }
}

/// Why the store itself writes records: a message it already holds moves on. Apply checks that
/// each move happens once (a delayed message is delivered once, a send-back and a commit are
/// stored once) and never early.
///
/// Format: u8 kind, then `delayed`: i32 level, i64 first schedule-queue offset, i64 when the
/// last of them is due (ms); `sentBack`:
/// u16 length + group, i64 source physical offset; `committed`: i64 half physical offset.
public enum RecordsOrigin: Hashable, Sendable, CustomStringConvertible {
    /// Due messages of the schedule queue of delay `level` (queue `level - 1`), from queue
    /// offset `from` on, one record each, in order; the last is due at `due` (ms), which the
    /// records' store time must not precede. (The leader read it from its consume queue; apply
    /// checks against it without reading one, so every replica decides alike, also one whose
    /// queue no longer holds those entries.)
    case delayed(level: Int32, from: QueueOffset, due: Int64)
    /// Consumer `group` sends back the message at `source`: one record, in the group's retry
    /// topic (by way of the schedule topic) or its dead-letter topic.
    case sentBack(group: String, source: PhysicalOffset)
    /// The producer committed the half message at `half`: one record, in its real topic.
    case committed(half: PhysicalOffset)

    var encodedCount: Int {
        switch self {
        case .delayed: 1 + 4 + 8 + 8
        case .sentBack(let group, _): 1 + 2 + group.utf8.count + 8
        case .committed: 1 + 8
        }
    }

    func encode(into writer: inout ByteWriter) {
        switch self {
        case .delayed(let level, let from, let due):
            writer.writeUInt8(1)
            writer.writeInt32(level)
            writer.writeInt64(from.rawValue)
            writer.writeInt64(due)
        case .sentBack(let group, let source):
            writer.writeUInt8(2)
            writer.writeUInt16(UInt16(group.utf8.count))
            writer.writeRawBytes(group.utf8)
            writer.writeInt64(source.rawValue)
        case .committed(let half):
            writer.writeUInt8(3)
            writer.writeInt64(half.rawValue)
        }
    }

    init(decoding reader: inout ByteReader) throws(DecodeError) {
        let at = reader.offset
        switch try reader.readUInt8("origin kind") {
        case 1:
            let level = try reader.readInt32("delay level")
            let from = QueueOffset(try reader.readInt64("schedule offset"))
            self = .delayed(level: level, from: from, due: try reader.readInt64("due time"))
        case 2:
            let group = try reader.readShortString("send-back group")
            self = .sentBack(group: group, source: PhysicalOffset(try reader.readInt64("send-back source")))
        case 3:
            self = .committed(half: PhysicalOffset(try reader.readInt64("half message offset")))
        case let other:
            throw .invalidValue(field: "origin kind", offset: at, reason: "unknown kind \(other)")
        }
    }

    public var description: String {
        switch self {
        case .delayed(let level, let from, _): "delay level \(level) deliveries from schedule offset \(from)"
        case .sentBack(let group, let source): "group \(group)'s send-back of the message at \(source)"
        case .committed(let half): "the commit of the half message at \(half)"
        }
    }
}
