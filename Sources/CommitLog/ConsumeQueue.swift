/// One consume-queue entry: where a message of the queue sits in the commit log.
public struct ConsumeQueueEntry: Hashable, Sendable {
    public var physicalOffset: PhysicalOffset
    public var size: Int32
    /// Java `String.hashCode` of the tags, sign-extended; 0 without tags.
    public var tagsCode: Int64

    public init(physicalOffset: PhysicalOffset, size: Int32, tagsCode: Int64) {
        self.physicalOffset = physicalOffset
        self.size = size
        self.tagsCode = tagsCode
    }
}

/// RocketMQ's consume queue for one (topic, queue): 20-byte big-endian entries
/// `[i64 commit-log offset][i32 size][i64 tags code]`; queue offset N lives at byte N × 20.
/// Kept in memory exactly as its files hold it, so persisting is a copy.
struct ConsumeQueue: Hashable {
    static let entrySize = 20

    /// Entries from ``minOffset`` on, packed.
    private(set) var bytes: [UInt8] = []
    /// The first offset still held (0 until retention removes old entries).
    private(set) var minOffset = QueueOffset.zero

    init() {}

    /// One past the last offset: the offset the next message gets.
    var maxOffset: QueueOffset { QueueOffset(minOffset.rawValue + Int64(bytes.count / Self.entrySize)) }
    var count: Int { bytes.count / Self.entrySize }

    /// Appends the entry for offset ``maxOffset``.
    mutating func append(_ entry: ConsumeQueueEntry) {
        bytes.appendBigEndian(entry.physicalOffset.rawValue)
        bytes.appendBigEndian(entry.size)
        bytes.appendBigEndian(entry.tagsCode)
    }

    /// The entry at `offset`, which must lie in `minOffset..<maxOffset`.
    func entry(at offset: QueueOffset) -> ConsumeQueueEntry {
        precondition(offset >= minOffset && offset < maxOffset, "consume queue offset \(offset) out of range")
        let at = Int(offset.rawValue - minOffset.rawValue) * Self.entrySize
        return ConsumeQueueEntry(
            physicalOffset: PhysicalOffset(bytes.loadBigEndian(at: at)), size: bytes.loadBigEndian(at: at + 8),
            tagsCode: bytes.loadBigEndian(at: at + 12))
    }

    /// The packed bytes of entries `range` (within `minOffset..<maxOffset`).
    func bytes(for range: Range<QueueOffset>) -> ArraySlice<UInt8> {
        let low = Int(range.lowerBound.rawValue - minOffset.rawValue) * Self.entrySize
        let high = Int(range.upperBound.rawValue - minOffset.rawValue) * Self.entrySize
        return bytes[low..<high]
    }
}
