import Bytes
import FileIO
import LedgerModel
import Raft

/// The metadata file written atomically after the index files are synced: how far the state
/// machine got and everything not derivable from the log.
///
/// Format (big-endian): `"SLCL"`, u8 version 4, u64 applied index, u64 digest, i64 end of the
/// last record stored (its log position plus its size), i64 last store timestamp, u32 the log's
/// data file size, u32 key-index segment entries,
/// u64 key-index entries, u64 key-index first segment (version 5), u32 topic count × (string name,
/// u32 queue count × (i64 min offset, i64 max offset)), u32 producer count × (u64 id,
/// u64 sequence, u64 index, u32 result count × result), u32 offset count × (string group,
/// string topic, i32 queue, i64 offset), u32 count × (string unique key, result) for the oldest
/// unique keys, whose records retention deleted (or every key, in a snapshot), then u32
/// unique-key count × i64 physical offset of the record that holds the key, oldest first (the
/// keys are read back from the log), u32 deleted-topic count × (string topic, i64 end of
/// the last record at its deletion), u32 length + the message kinds' section (version 6,
/// ``MessageKindsState``), u32 CRC32 of all preceding bytes. Strings are a u16
/// length and UTF-8; a result is string topic, i32 queue, i64 queue offset, i64 physical
/// offset, string message id, i64 store timestamp. Lists are sorted (unique keys in the order
/// they were recorded), so equal state gives equal bytes. Version 4 lacks the explicit unique
/// keys and version 5 the message kinds' section; both are still read. Versions 1 to 3 were written by builds that kept a second copy of
/// every message in commit-log files; they are refused (wipe the node's store: no migration).
struct Checkpoint: Sendable {
    static let magic: [UInt8] = Array("SLCL".utf8)
    static let version: UInt8 = 6
    /// The oldest version still read (it has no explicit unique keys).
    static let oldestReadable: UInt8 = 4

    struct QueueRange: Hashable {
        var minOffset: QueueOffset
        var maxOffset: QueueOffset
    }

    var appliedIndex = LogIndex.zero
    var digest = Digest().value
    var lastRecordEnd = PhysicalOffset.zero
    var lastStoreTimestamp: Int64 = 0
    var fileSize: Int
    /// The key index's segment size.
    var keyIndexSegmentEntries: Int
    /// Key-index entries in the files.
    var keyIndexEntries: Int
    /// Key-index segments before this one were deleted with the records they point at.
    var keyIndexFirstSegment = 0
    /// Sorted by name.
    var topics: [(name: String, queues: [QueueRange])] = []
    var producers: [(ProducerID, ProducerTable.Record)] = []
    var offsets: [(OffsetKey, QueueOffset)] = []
    /// The oldest keys of the unique-key table with their results, written out because their
    /// records are no longer in the log (every key, in a snapshot); oldest first.
    var uniqueKeyResults: [(key: String, result: SendResult)] = []
    /// The records of the rest of the unique-key table, oldest first (``UniqueKeyTable/offsets``).
    var uniqueKeyOffsets: [PhysicalOffset] = []
    /// Sorted by name.
    var deletedTopics: [(String, PhysicalOffset)] = []
    /// The encoded ``MessageKindsState`` (decoded with the configuration); empty before version 6.
    var kindsSection: [UInt8] = []

    /// The checkpoint of an empty store.
    init(fileSize: Int, keyIndexSegmentEntries: Int) {
        self.fileSize = fileSize
        self.keyIndexSegmentEntries = keyIndexSegmentEntries
        keyIndexEntries = 0
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeRawBytes(Self.magic)
        writer.writeUInt8(Self.version)
        writer.writeUInt64(appliedIndex.rawValue)
        writer.writeUInt64(digest)
        writer.writeInt64(lastRecordEnd.rawValue)
        writer.writeInt64(lastStoreTimestamp)
        writer.writeUInt32(UInt32(fileSize))
        writer.writeUInt32(UInt32(keyIndexSegmentEntries))
        writer.writeUInt64(UInt64(keyIndexEntries))
        writer.writeUInt64(UInt64(keyIndexFirstSegment))
        writer.writeUInt32(UInt32(topics.count))
        for topic in topics {
            Self.writeString(topic.name, to: &writer)
            writer.writeUInt32(UInt32(topic.queues.count))
            for queue in topic.queues {
                writer.writeInt64(queue.minOffset.rawValue)
                writer.writeInt64(queue.maxOffset.rawValue)
            }
        }
        writer.writeUInt32(UInt32(producers.count))
        for (id, record) in producers {
            writer.writeUInt64(id.rawValue)
            writer.writeUInt64(record.sequence)
            writer.writeUInt64(record.index.rawValue)
            writer.writeUInt32(UInt32(record.results.count))
            for result in record.results { Self.write(result, to: &writer) }
        }
        writer.writeUInt32(UInt32(offsets.count))
        for (key, offset) in offsets {
            Self.writeString(key.group, to: &writer)
            Self.writeString(key.queue.topic, to: &writer)
            writer.writeInt32(key.queue.queueID)
            writer.writeInt64(offset.rawValue)
        }
        writer.writeUInt32(UInt32(uniqueKeyResults.count))
        for (key, result) in uniqueKeyResults {
            Self.writeString(key, to: &writer)
            Self.write(result, to: &writer)
        }
        writer.writeUInt32(UInt32(uniqueKeyOffsets.count))
        for offset in uniqueKeyOffsets { writer.writeInt64(offset.rawValue) }
        writer.writeUInt32(UInt32(deletedTopics.count))
        for (topic, end) in deletedTopics {
            Self.writeString(topic, to: &writer)
            writer.writeInt64(end.rawValue)
        }
        writer.writeUInt32(UInt32(kindsSection.count))
        writer.writeRawBytes(kindsSection)
        writer.writeUInt32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }

    static func write(_ result: SendResult, to writer: inout ByteWriter) {
        writeString(result.queue.topic, to: &writer)
        writer.writeInt32(result.queue.queueID)
        writer.writeInt64(result.queueOffset.rawValue)
        writer.writeInt64(result.physicalOffset.rawValue)
        writeString(result.messageID, to: &writer)
        writer.writeInt64(result.storeTimestamp)
    }

    static func readResult(_ reader: inout ByteReader) throws(DecodeError) -> SendResult {
        let topic = try reader.readShortString("result topic")
        let queueID = try reader.readInt32("result queue")
        let queueOffset = QueueOffset(try reader.readInt64("result queue offset"))
        let physicalOffset = PhysicalOffset(try reader.readInt64("result physical offset"))
        let messageID = try reader.readShortString("result message id")
        return SendResult(
            queue: MessageQueue(topic: topic, queueID: queueID), queueOffset: queueOffset,
            physicalOffset: physicalOffset, messageID: messageID,
            storeTimestamp: try reader.readInt64("result store timestamp"))
    }

    /// Strings here were validated when applied (topics ≤ 127 bytes, groups ≤ 255, ids 56).
    static func writeString(_ s: String, to writer: inout ByteWriter) {
        writer.writeUInt16(UInt16(s.utf8.count))
        writer.writeRawBytes(s.utf8)
    }

    init(decoding bytes: [UInt8]) throws(DecodeError) {
        guard bytes.count >= 4 else {
            throw .truncated(field: "checkpoint", offset: 0, needed: 4, available: bytes.count)
        }
        let stored: UInt32 = bytes.loadInteger(at: bytes.count - 4)
        let computed = CRC32.checksum(bytes[..<(bytes.count - 4)])
        guard stored == computed else {
            throw .invalidValue(
                field: "checkpoint CRC", offset: bytes.count - 4, reason: "stored \(stored), computed \(computed)")
        }
        var reader = ByteReader(bytes, to: bytes.count - 4)
        guard try reader.readRawBytes(4, "magic") == Self.magic else {
            throw .invalidValue(field: "magic", offset: 0, reason: "not a SwiftLedger commit-log checkpoint")
        }
        let version = try reader.readUInt8("version")
        guard version >= Self.oldestReadable && version <= Self.version else {
            throw .unsupportedVersion(found: version, supported: Self.version)
        }
        appliedIndex = LogIndex(try reader.readUInt64("applied index"))
        digest = try reader.readUInt64("digest")
        lastRecordEnd = PhysicalOffset(try reader.readInt64("last record end"))
        lastStoreTimestamp = try reader.readInt64("last store timestamp")
        fileSize = Int(try reader.readUInt32("file size"))
        keyIndexSegmentEntries = Int(try reader.readUInt32("key-index segment entries"))
        let at = reader.offset
        let entries = try reader.readUInt64("key-index entries")
        guard entries <= UInt64(Int.max) else {
            throw .invalidValue(field: "key-index entries", offset: at, reason: "\(entries) is out of range")
        }
        keyIndexEntries = Int(entries)
        if version >= 5 {
            let firstAt = reader.offset
            let first = try reader.readUInt64("key-index first segment")
            guard keyIndexSegmentEntries > 0, first <= UInt64(keyIndexEntries / keyIndexSegmentEntries) else {
                throw .invalidValue(
                    field: "key-index first segment", offset: firstAt,
                    reason: "\(first) is past the full segments of \(keyIndexEntries) entries")
            }
            keyIndexFirstSegment = Int(first)
        }
        for _ in 0..<(try reader.readUInt32("topic count")) {
            let name = try reader.readShortString("topic")
            var queues: [QueueRange] = []
            for _ in 0..<(try reader.readUInt32("queue count")) {
                let low = QueueOffset(try reader.readInt64("min offset"))
                queues.append(QueueRange(minOffset: low, maxOffset: QueueOffset(try reader.readInt64("max offset"))))
            }
            topics.append((name, queues))
        }
        for _ in 0..<(try reader.readUInt32("producer count")) {
            let id = ProducerID(try reader.readUInt64("producer id"))
            let sequence = try reader.readUInt64("sequence")
            let index = LogIndex(try reader.readUInt64("producer index"))
            var results: [SendResult] = []
            for _ in 0..<(try reader.readUInt32("result count")) { results.append(try Self.readResult(&reader)) }
            producers.append((id, ProducerTable.Record(sequence: sequence, results: results, index: index)))
        }
        for _ in 0..<(try reader.readUInt32("offset count")) {
            let group = try reader.readShortString("group")
            let topic = try reader.readShortString("offset topic")
            let queueID = try reader.readInt32("offset queue")
            let key = OffsetKey(group: group, queue: MessageQueue(topic: topic, queueID: queueID))
            offsets.append((key, QueueOffset(try reader.readInt64("offset"))))
        }
        if version >= 5 {
            for _ in 0..<(try reader.readUInt32("explicit unique-key count")) {
                let key = try reader.readShortString("unique key")
                uniqueKeyResults.append((key, try Self.readResult(&reader)))
            }
        }
        for _ in 0..<(try reader.readUInt32("unique-key count")) {
            let at = reader.offset
            let offset = PhysicalOffset(try reader.readInt64("unique-key record"))
            guard offset >= .zero, offset < lastRecordEnd, uniqueKeyOffsets.last.map({ $0 < offset }) ?? true else {
                throw .invalidValue(
                    field: "unique-key record", offset: at,
                    reason: "\(offset) is not after the previous one and before the last record's end \(lastRecordEnd)")
            }
            uniqueKeyOffsets.append(offset)
        }
        for _ in 0..<(try reader.readUInt32("deleted-topic count")) {
            let topic = try reader.readShortString("deleted topic")
            deletedTopics.append((topic, PhysicalOffset(try reader.readInt64("deleted topic end"))))
        }
        if version >= 6 {
            kindsSection = try reader.readRawBytes(Int(try reader.readUInt32("message kinds length")), "message kinds")
        }
        try reader.finish()
    }
}
