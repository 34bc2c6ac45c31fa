/// A ``RaftStorage`` held in memory: for tests and as a model of a disk. It can be compacted up
/// to a snapshot and can install a snapshot received from a leader, as a real store would.
public final class MemoryStorage: RaftStorage {
    public private(set) var hardState: HardState
    /// The log starts after this snapshot (``SnapshotMetadata/initial`` until compacted).
    public private(set) var snapshot: SnapshotMetadata = .initial
    /// Entries `snapshot.index + 1 ... lastIndex`.
    private var log: [Entry] = []

    public init(hardState: HardState = HardState(), entries: [Entry] = []) {
        self.hardState = hardState
        for entry in entries { append([entry]) }
    }

    public var firstIndex: LogIndex { snapshot.index.next }
    public var lastIndex: LogIndex { snapshot.index.advanced(by: Int64(log.count)) }
    /// Every stored entry, in order.
    public var allEntries: [Entry] { log }

    public func term(at index: LogIndex) -> Term? {
        if index == snapshot.index { return snapshot.term }
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return log[position(of: index)].term
    }

    public func entries(from: LogIndex, through: LogIndex, maxBytes: Int) throws(StorageFailure) -> [Entry] {
        precondition(
            from >= firstIndex && through <= lastIndex && from <= through, "range \(from)...\(through) outside the log")
        var result: [Entry] = []
        var bytes = 0
        for i in position(of: from)...position(of: through) {
            bytes += log[i].byteCount
            if !result.isEmpty && bytes > maxBytes { break }
            result.append(log[i])
        }
        return result
    }

    /// Appends `entries`, first discarding every stored entry at or after the first one's index.
    public func append(_ entries: [Entry]) {
        guard let first = entries.first else { return }
        precondition(first.index >= firstIndex && first.index <= lastIndex.next, "gap before entry \(first.index)")
        log.removeSubrange(position(of: first.index)...)
        for (offset, entry) in entries.enumerated() {
            precondition(entry.index.rawValue == first.index.rawValue + UInt64(offset), "entries are not contiguous")
            log.append(entry)
        }
    }

    /// Discards every entry after `index`.
    public func truncate(after index: LogIndex) {
        precondition(index >= snapshot.index, "cannot truncate into the snapshot at \(snapshot.index)")
        if index < lastIndex { log.removeSubrange(position(of: index.next)...) }
    }

    public func setHardState(_ state: HardState) { hardState = state }

    /// Log compaction: a snapshot of the state machine at `index` exists, so the entries through
    /// `index` go. The caller guarantees `index` was applied.
    public func compact(through index: LogIndex) {
        guard index > snapshot.index else { return }
        precondition(index <= lastIndex, "compacting through \(index) beyond the last index \(lastIndex)")
        let snapshotTerm = log[position(of: index)].term
        log.removeSubrange(...position(of: index))
        snapshot = SnapshotMetadata(index: index, term: snapshotTerm)
    }

    /// Installs a leader's snapshot (a ``Ready/snapshot``): every stored entry goes and the log
    /// starts after `snapshot`.
    public func install(_ snapshot: SnapshotMetadata) {
        precondition(snapshot.index >= self.snapshot.index, "installing \(snapshot) over the newer \(self.snapshot)")
        log = []
        self.snapshot = snapshot
    }

    private func position(of index: LogIndex) -> Int { Int(index.rawValue - firstIndex.rawValue) }
}
