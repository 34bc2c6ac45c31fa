import Bytes
import LedgerModel

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

    /// The entry packed at `at` in `bytes` (RocketMQ's 20-byte layout).
    init(packed bytes: [UInt8], at: Int) {
        physicalOffset = PhysicalOffset(bytes.loadInteger(at: at))
        size = bytes.loadInteger(at: at + 8)
        tagsCode = bytes.loadInteger(at: at + 12)
    }
}

/// RocketMQ's consume queue for one (topic, queue): 20-byte big-endian entries
/// `[i64 commit-log offset][i32 size][i64 tags code]`; queue offset N lives at byte N × 20 of
/// the queue's stream of files.
///
/// Only the newest entries are held in memory (`memoryStart..<maxOffset`, packed exactly as the
/// files hold them, so persisting is a copy); older ones are read from the files. Entries below
/// `handedEnd` were handed to a persist; ``releaseHanded()`` drops them once it completed. A
/// queue of a machine without files never hands anything over, so it keeps every entry.
struct ConsumeQueue {
    static let entrySize = 20

    /// The first offset still held (0 until retention removes old entries).
    private(set) var minOffset = QueueOffset.zero
    /// One past the last offset: the offset the next message gets.
    private(set) var maxOffset = QueueOffset.zero
    /// The first offset held in memory; earlier entries are only in the files.
    private(set) var memoryStart = QueueOffset.zero
    /// Entries `memoryStart..<maxOffset`, packed.
    private(set) var tail: [UInt8] = []
    /// Entries before it were handed to a persist.
    private(set) var handedEnd = QueueOffset.zero

    /// An empty queue.
    init() {}

    /// A queue whose entries `minOffset..<maxOffset` are all in the files (after recovery).
    init(minOffset: QueueOffset, maxOffset: QueueOffset) {
        self.minOffset = minOffset
        self.maxOffset = maxOffset
        memoryStart = maxOffset
        handedEnd = maxOffset
    }

    /// Retention deleted the records before offset `offset` (capped at ``maxOffset``): the
    /// queue starts there now. Entries below it stay wherever they are until their files go.
    mutating func advanceMin(to offset: QueueOffset) {
        minOffset = max(minOffset, min(offset, maxOffset))
    }

    /// Messages the queue holds.
    var count: Int { Int(maxOffset.rawValue - minOffset.rawValue) }

    /// Appends the entry for offset ``maxOffset``.
    mutating func append(_ entry: ConsumeQueueEntry) {
        ByteWriter.append(to: &tail) { writer in
            writer.writeInt64(entry.physicalOffset.rawValue)
            writer.writeInt32(entry.size)
            writer.writeInt64(entry.tagsCode)
        }
        maxOffset = maxOffset.next
    }

    /// The packed bytes of the in-memory entries `range` (within `memoryStart...maxOffset`).
    func memoryBytes(for range: Range<QueueOffset>) -> ArraySlice<UInt8> {
        precondition(range.lowerBound >= memoryStart && range.upperBound <= maxOffset, "entries \(range) not in memory")
        let low = Int(range.lowerBound.rawValue - memoryStart.rawValue) * Self.entrySize
        let high = Int(range.upperBound.rawValue - memoryStart.rawValue) * Self.entrySize
        return tail[low..<high]
    }

    /// Hands the entries not yet handed to a persist: their first offset and packed bytes, or
    /// nil if there are none.
    mutating func handOff() -> (from: QueueOffset, bytes: [UInt8])? {
        guard handedEnd < maxOffset else { return nil }
        let from = handedEnd
        handedEnd = maxOffset
        return (from, Array(memoryBytes(for: from..<maxOffset)))
    }

    /// Drops the handed entries: their persist completed, so they are in the files.
    mutating func releaseHanded() {
        guard handedEnd > memoryStart else { return }
        tail = Array(tail[(Int(handedEnd.rawValue - memoryStart.rawValue) * Self.entrySize)...])
        memoryStart = handedEnd
    }

    /// Takes back the handed entries: their persist was abandoned, so the next one hands them again.
    mutating func reclaimHanded() { handedEnd = memoryStart }

    /// Bytes allocated for the entries held.
    var retainedBytes: Int { tail.capacity }
}
