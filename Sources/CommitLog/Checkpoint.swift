import Raft

/// The metadata file written atomically after the data files are synced: how far the state
/// machine got and everything not derivable from the commit log.
///
/// Format (big-endian): `"SLCL"`, u8 version 2, u64 applied index, u64 digest, i64 commit-log
/// end, i64 last store timestamp, u32 commit-log file size, u32 key-index segment entries,
/// u64 key-index entries, u32 topic count × (string name,
/// u32 queue count × (i64 min offset, i64 max offset)), u32 producer count × (u64 id,
/// u64 sequence, u64 index, u32 result count × result), u32 offset count × (string group,
/// string topic, i32 queue, i64 offset), u32 CRC32 of all preceding bytes. Strings are a u16
/// length and UTF-8; a result is string topic, i32 queue, i64 queue offset, i64 physical
/// offset, string message id, i64 store timestamp. Lists are sorted, so equal state gives
/// equal bytes. Version 1 (written before the key index had files) lacks the two key-index
/// fields; it is still read, and its key index is rebuilt.
struct Checkpoint {
    static let magic: [UInt8] = Array("SLCL".utf8)
    static let version: UInt8 = 2

    struct QueueRange: Hashable {
        var minOffset: QueueOffset
        var maxOffset: QueueOffset
    }

    var appliedIndex = LogIndex.zero
    var digest = Digest().value
    var commitLogEnd = PhysicalOffset.zero
    var lastStoreTimestamp: Int64 = 0
    var fileSize: Int
    /// The key index's segment size; nil in a version-1 checkpoint.
    var keyIndexSegmentEntries: Int?
    /// Key-index entries in the files; nil in a version-1 checkpoint.
    var keyIndexEntries: Int?
    /// Sorted by name.
    var topics: [(name: String, queues: [QueueRange])] = []
    var producers: [(ProducerID, ProducerTable.Record)] = []
    var offsets: [(OffsetKey, QueueOffset)] = []

    /// The checkpoint of an empty store.
    init(fileSize: Int, keyIndexSegmentEntries: Int) {
        self.fileSize = fileSize
        self.keyIndexSegmentEntries = keyIndexSegmentEntries
        keyIndexEntries = 0
    }

    func encoded() -> [UInt8] {
        var out = Self.magic
        out.append(Self.version)
        out.appendBigEndian(appliedIndex.rawValue)
        out.appendBigEndian(digest)
        out.appendBigEndian(commitLogEnd.rawValue)
        out.appendBigEndian(lastStoreTimestamp)
        out.appendBigEndian(UInt32(fileSize))
        out.appendBigEndian(UInt32(keyIndexSegmentEntries ?? 0))
        out.appendBigEndian(UInt64(keyIndexEntries ?? 0))
        out.appendBigEndian(UInt32(topics.count))
        for topic in topics {
            Self.appendString(topic.name, to: &out)
            out.appendBigEndian(UInt32(topic.queues.count))
            for queue in topic.queues {
                out.appendBigEndian(queue.minOffset.rawValue)
                out.appendBigEndian(queue.maxOffset.rawValue)
            }
        }
        out.appendBigEndian(UInt32(producers.count))
        for (id, record) in producers {
            out.appendBigEndian(id.rawValue)
            out.appendBigEndian(record.sequence)
            out.appendBigEndian(record.index.rawValue)
            out.appendBigEndian(UInt32(record.results.count))
            for result in record.results {
                Self.appendString(result.queue.topic, to: &out)
                out.appendBigEndian(result.queue.queueID)
                out.appendBigEndian(result.queueOffset.rawValue)
                out.appendBigEndian(result.physicalOffset.rawValue)
                Self.appendString(result.messageID, to: &out)
                out.appendBigEndian(result.storeTimestamp)
            }
        }
        out.appendBigEndian(UInt32(offsets.count))
        for (key, offset) in offsets {
            Self.appendString(key.group, to: &out)
            Self.appendString(key.queue.topic, to: &out)
            out.appendBigEndian(key.queue.queueID)
            out.appendBigEndian(offset.rawValue)
        }
        out.appendBigEndian(CRC32.checksum(out))
        return out
    }

    /// Strings here were validated when applied (topics ≤ 127 bytes, groups ≤ 255, ids 56).
    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.appendBigEndian(UInt16(s.utf8.count))
        out.append(contentsOf: s.utf8)
    }

    init(decoding bytes: [UInt8]) throws(DecodeError) {
        guard bytes.count >= 4 else {
            throw .truncated(field: "checkpoint", offset: 0, needed: 4, available: bytes.count)
        }
        let stored: UInt32 = bytes.loadBigEndian(at: bytes.count - 4)
        let computed = CRC32.checksum(bytes[..<(bytes.count - 4)])
        guard stored == computed else {
            throw .invalidValue(
                field: "checkpoint CRC", offset: bytes.count - 4, reason: "stored \(stored), computed \(computed)")
        }
        var reader = ByteReader(bytes, to: bytes.count - 4)
        guard try reader.bytes(4, "magic") == Self.magic else {
            throw .invalidValue(field: "magic", offset: 0, reason: "not a SwiftLedger commit-log checkpoint")
        }
        let version = try reader.u8("version")
        guard version == 1 || version == Self.version else {
            throw .unsupportedVersion(found: version, supported: Self.version)
        }
        appliedIndex = LogIndex(try reader.u64("applied index"))
        digest = try reader.u64("digest")
        commitLogEnd = PhysicalOffset(try reader.i64("commit-log end"))
        lastStoreTimestamp = try reader.i64("last store timestamp")
        fileSize = Int(try reader.u32("file size"))
        if version >= 2 {
            keyIndexSegmentEntries = Int(try reader.u32("key-index segment entries"))
            let at = reader.relativePosition
            let entries = try reader.u64("key-index entries")
            guard entries <= UInt64(Int.max) else {
                throw .invalidValue(field: "key-index entries", offset: at, reason: "\(entries) is out of range")
            }
            keyIndexEntries = Int(entries)
        }
        for _ in 0..<(try reader.u32("topic count")) {
            let name = try reader.shortString("topic")
            var queues: [QueueRange] = []
            for _ in 0..<(try reader.u32("queue count")) {
                let low = QueueOffset(try reader.i64("min offset"))
                queues.append(QueueRange(minOffset: low, maxOffset: QueueOffset(try reader.i64("max offset"))))
            }
            topics.append((name, queues))
        }
        for _ in 0..<(try reader.u32("producer count")) {
            let id = ProducerID(try reader.u64("producer id"))
            let sequence = try reader.u64("sequence")
            let index = LogIndex(try reader.u64("producer index"))
            var results: [SendResult] = []
            for _ in 0..<(try reader.u32("result count")) {
                let topic = try reader.shortString("result topic")
                let queueID = try reader.i32("result queue")
                let queueOffset = QueueOffset(try reader.i64("result queue offset"))
                let physicalOffset = PhysicalOffset(try reader.i64("result physical offset"))
                let messageID = try reader.shortString("result message id")
                results.append(
                    SendResult(
                        queue: MessageQueue(topic: topic, queueID: queueID), queueOffset: queueOffset,
                        physicalOffset: physicalOffset, messageID: messageID,
                        storeTimestamp: try reader.i64("result store timestamp")))
            }
            producers.append((id, ProducerTable.Record(sequence: sequence, results: results, index: index)))
        }
        for _ in 0..<(try reader.u32("offset count")) {
            let group = try reader.shortString("group")
            let topic = try reader.shortString("offset topic")
            let queueID = try reader.i32("offset queue")
            let key = OffsetKey(group: group, queue: MessageQueue(topic: topic, queueID: queueID))
            offsets.append((key, QueueOffset(try reader.i64("offset"))))
        }
        try reader.expectEnd()
    }
}
