/// A ``RaftStorage`` held in memory: for tests and as the simulator's model of a disk.
public final class MemoryStorage: RaftStorage {
    public private(set) var hardState: HardState
    private var log: [Entry] = []

    public init(hardState: HardState = HardState(), entries: [Entry] = []) {
        self.hardState = hardState
        for entry in entries { append([entry]) }
    }

    public var firstIndex: LogIndex { LogIndex(1) }
    public var lastIndex: LogIndex { LogIndex(UInt64(log.count)) }
    /// Every stored entry, in order.
    public var allEntries: [Entry] { log }

    public func term(at index: LogIndex) -> Term? {
        if index == .zero { return .zero }
        guard index <= lastIndex else { return nil }
        return log[Int(index.rawValue - 1)].term
    }

    public func entries(from: LogIndex, through: LogIndex, maxBytes: Int) throws(StorageFailure) -> [Entry] {
        precondition(
            from >= firstIndex && through <= lastIndex && from <= through, "range \(from)...\(through) outside the log")
        var result: [Entry] = []
        var bytes = 0
        for i in Int(from.rawValue - 1)...Int(through.rawValue - 1) {
            bytes += log[i].byteCount
            if !result.isEmpty && bytes > maxBytes { break }
            result.append(log[i])
        }
        return result
    }

    /// Appends `entries`, first discarding every stored entry at or after the first one's index.
    public func append(_ entries: [Entry]) {
        guard let first = entries.first else { return }
        precondition(first.index.rawValue >= 1 && first.index <= lastIndex.next, "gap before entry \(first.index)")
        log.removeSubrange(Int(first.index.rawValue - 1)...)
        for (offset, entry) in entries.enumerated() {
            precondition(entry.index.rawValue == first.index.rawValue + UInt64(offset), "entries are not contiguous")
            log.append(entry)
        }
    }

    /// Discards every entry after `index`.
    public func truncate(after index: LogIndex) {
        if index < lastIndex { log.removeSubrange(Int(index.rawValue)...) }
    }

    public func setHardState(_ state: HardState) { hardState = state }
}
