import Raft

/// A recently appended entry with where it lives, so the leader's reads of fresh entries,
/// truncation and chain look-ups avoid the disk.
struct CachedEntry {
    var entry: Entry
    var position: UInt64
    var size: UInt32
    var chain: UInt32
}

/// The newest entries, contiguous up to the last index, bounded by `limit` bytes (always at
/// least the last entry).
struct EntryCache {
    let limit: Int
    private var items: [CachedEntry] = []
    private var head = 0
    private var bytes = 0

    init(limit: Int) { self.limit = limit }

    private var firstIndex: UInt64? { head < items.count ? items[head].entry.index.rawValue : nil }

    func get(_ index: UInt64) -> CachedEntry? {
        guard let first = firstIndex, index >= first else { return nil }
        let slot = head + Int(index - first)
        return slot < items.count ? items[slot] : nil
    }

    mutating func append(_ item: CachedEntry) {
        if let last = items.last, head < items.count, last.entry.index.rawValue + 1 != item.entry.index.rawValue {
            removeAll()
        }
        items.append(item)
        bytes += item.entry.byteCount
        while bytes > limit && items.count - head > 1 {
            bytes -= items[head].entry.byteCount
            // The slot stays until the array is compacted; its payload goes now, so the cache
            // holds `limit` bytes of entries, not up to 1,024 evicted ones besides.
            items[head].entry.data = []
            head += 1
        }
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    mutating func truncate(after index: UInt64) {
        while items.count > head, let last = items.last, last.entry.index.rawValue > index {
            bytes -= last.entry.byteCount
            items.removeLast()
        }
    }

    mutating func drop(before index: UInt64) {
        while head < items.count && items[head].entry.index.rawValue < index {
            bytes -= items[head].entry.byteCount
            items[head].entry.data = []
            head += 1
        }
    }

    /// Payload bytes the cache's array holds, evicted slots included (they hold none).
    var payloadBytes: Int { items.reduce(0) { $0 + $1.entry.data.count } }

    mutating func removeAll() {
        items = []
        head = 0
        bytes = 0
    }
}
