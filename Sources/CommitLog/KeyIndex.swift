import Bytes
import LedgerModel

/// The lookup-by-key index (RocketMQ's `IndexFile`, simplified): a hash table per segment of
/// `segmentEntries` entries, chained through the entries, so memory holds one segment's slot
/// table however many keys were stored.
///
/// Entry `n` (the n-th key stored, counting from 0) lives in segment `n / segmentEntries`. An
/// entry is `[u64 key hash][i64 physical offset][u32 previous]`, `previous` being 1 + the
/// position in the segment of the previous entry with the same slot (0: none). A segment's
/// slot table holds, per slot (`hash % slotCount`), 1 + the position of its newest entry.
///
/// In memory: the slot table of the segment being filled; the slot tables of full segments
/// not yet written (a machine without files keeps them all); the entries `memoryStart..<count`.
/// Entries before `handedEnd`, and the full segments' slot tables, were handed to a persist;
/// ``releaseHanded()`` drops them once it completed. Everything else is read from the files.
struct KeyIndex {
    static let entrySize = 20

    /// Entries per segment; each segment's file holds its slot table, then its entries.
    let segmentEntries: Int
    /// Slots per segment: a quarter of its entries, so chains of unique keys stay about 4 long.
    var slotCount: Int { max(1, segmentEntries / 4) }
    /// Bytes of a segment's slot table, where its entries start in its file.
    var slotTableBytes: Int { slotCount * 4 }

    /// Entries stored.
    private(set) var count = 0
    /// Segments before it were deleted with the records they point at (retention); lookups stop
    /// there.
    var firstSegment = 0
    /// The first entry held in memory.
    private(set) var memoryStart = 0
    /// Entries before it were handed to a persist.
    private(set) var handedEnd = 0
    /// Entries `memoryStart..<count`, packed.
    private(set) var tail: [UInt8] = []
    /// The slot table of segment `count / segmentEntries` (empty until it gets its first entry).
    private(set) var activeSlots: [UInt32] = []
    /// Slot tables of full segments that are not (known to be) in their files yet, oldest first.
    private(set) var fullSlots: [(segment: Int, slots: [UInt32], handed: Bool)] = []

    /// An empty index.
    init(segmentEntries: Int) { self.segmentEntries = segmentEntries }

    /// An index whose `count` entries are in the files; `activeSlots` is the slot table of the
    /// segment being filled, rebuilt from its entries (after recovery).
    init(segmentEntries: Int, count: Int, activeSlots: [UInt32]) {
        self.segmentEntries = segmentEntries
        self.count = count
        memoryStart = count
        handedEnd = count
        self.activeSlots = activeSlots
    }

    /// The slot of a key hash.
    func slot(of hash: UInt64) -> Int { Int(hash % UInt64(slotCount)) }

    /// Adds an entry for a message stored at `offset` with a key of hash `hash`.
    mutating func insert(hash: UInt64, offset: PhysicalOffset) {
        if activeSlots.isEmpty { activeSlots = Array(repeating: 0, count: slotCount) }
        let position = count % segmentEntries
        let slot = slot(of: hash)
        let previous = activeSlots[slot]
        ByteWriter.append(to: &tail) { writer in
            writer.writeUInt64(hash)
            writer.writeInt64(offset.rawValue)
            writer.writeUInt32(previous)
        }
        activeSlots[slot] = UInt32(position + 1)
        count += 1
        if count % segmentEntries == 0 {
            fullSlots.append((count / segmentEntries - 1, activeSlots, false))
            activeSlots = []
        }
    }

    /// The in-memory slot table of `segment`, if it is held: the active one or a full one not
    /// yet released. An empty array means the segment has no entry yet.
    func memorySlots(of segment: Int) -> [UInt32]? {
        if segment == count / segmentEntries { return activeSlots }
        return fullSlots.first { $0.segment == segment }?.slots
    }

    /// Entry `n` from memory: hash, offset and the chain link; `n` is in `memoryStart..<count`.
    func memoryEntry(_ n: Int) -> (hash: UInt64, offset: PhysicalOffset, previous: UInt32) {
        precondition(n >= memoryStart && n < count, "key-index entry \(n) not in memory")
        return Self.entry(in: tail, at: (n - memoryStart) * Self.entrySize)
    }

    /// The entry packed at `at` in `bytes`.
    static func entry(in bytes: [UInt8], at: Int) -> (hash: UInt64, offset: PhysicalOffset, previous: UInt32) {
        (bytes.loadInteger(at: at), PhysicalOffset(bytes.loadInteger(at: at + 8)), bytes.loadInteger(at: at + 16))
    }

    /// What a persist must write: the entries not yet handed (from entry `from`, packed) and the
    /// slot tables of the segments that filled up meanwhile. Marks them handed.
    mutating func handOff() -> (from: Int, entries: [UInt8], slotTables: [(segment: Int, slots: [UInt32])]) {
        let from = handedEnd
        let entries = Array(tail[((from - memoryStart) * Self.entrySize)...])
        handedEnd = count
        var tables: [(segment: Int, slots: [UInt32])] = []
        for position in fullSlots.indices where !fullSlots[position].handed {
            fullSlots[position].handed = true
            tables.append((fullSlots[position].segment, fullSlots[position].slots))
        }
        return (from, entries, tables)
    }

    /// Drops what was handed: its persist completed, so it is in the files.
    mutating func releaseHanded() {
        fullSlots.removeAll { $0.handed }
        guard handedEnd > memoryStart else { return }
        tail = Array(tail[((handedEnd - memoryStart) * Self.entrySize)...])
        memoryStart = handedEnd
    }

    /// Takes back what was handed: its persist was abandoned, so the next one hands it again.
    mutating func reclaimHanded() {
        handedEnd = memoryStart
        for position in fullSlots.indices { fullSlots[position].handed = false }
    }

    /// Bytes allocated for the entries and slot tables held.
    var retainedBytes: Int {
        tail.capacity + activeSlots.capacity * 4 + fullSlots.reduce(0) { $0 + $1.slots.capacity * 4 }
    }

    /// The hash a key of `topic` is indexed under: 64-bit FNV-1a of `topic#key` in UTF-8 (the
    /// same on every platform and run, unlike `Hasher`).
    static func hash(topic: String, key: some StringProtocol) -> UInt64 {
        FNV1a.hash(key.utf8, from: topicPrefix(topic))
    }

    /// Adds an entry for each key of `keys`, the `KEYS` property of a message of `topic` stored
    /// at `offset`: the keys ``StoredMessage/keys`` splits it into, in order. It runs for every
    /// message stored, so ASCII text (where splitting at the space character is splitting at its
    /// byte) is hashed as it is read, without splitting.
    mutating func insert(keys: String, topic: String, offset: PhysicalOffset) {
        guard keys.utf8.allSatisfy({ $0 < 0x80 }) else {
            for key in keys.split(separator: " ") { insert(hash: Self.hash(topic: topic, key: key), offset: offset) }
            return
        }
        let prefix = Self.topicPrefix(topic)
        var hash = prefix
        var length = 0
        for byte in keys.utf8 {
            if byte != UInt8(ascii: " ") {
                hash = FNV1a.mix(hash, byte)
                length += 1
            } else if length > 0 {
                insert(hash: hash, offset: offset)
                hash = prefix
                length = 0
            }
        }
        if length > 0 { insert(hash: hash, offset: offset) }
    }

    /// FNV-1a of `topic#`.
    private static func topicPrefix(_ topic: String) -> UInt64 {
        FNV1a.mix(FNV1a.hash(topic.utf8), UInt8(ascii: "#"))
    }
}
