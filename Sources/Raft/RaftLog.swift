/// The node's view of its log: the durable part in storage, followed by entries not yet
/// persisted ("unstable"), which live in memory until their ``Ready`` is advanced.
///
/// Storage may still hold stale entries at or after `unstableStart` (a conflicting suffix that
/// the next ready overwrites); reads at those indices always come from memory.
struct RaftLog {
    let storage: any RaftStorage
    /// Entries not yet known durable, starting at `unstableStart`.
    private(set) var unstable: [Entry] = []
    /// Index of `unstable[0]`; every entry before it is durable in storage.
    private(set) var unstableStart: LogIndex
    /// The last unstable index already handed out in a ready (being persisted).
    private(set) var handedOut: LogIndex
    /// The highest index known committed.
    private(set) var committed: LogIndex
    /// The highest index handed out for applying.
    var applied: LogIndex
    /// A leader's snapshot this log was reset to (``restore(_:)``) that storage may not hold
    /// yet: set until the ready that hands it out is advanced.
    private(set) var restored: SnapshotMetadata?
    /// A restored snapshot not yet handed out in a ready.
    private(set) var snapshotToInstall: SnapshotMetadata?

    init(storage: any RaftStorage, applied: LogIndex) {
        self.storage = storage
        unstableStart = storage.lastIndex.next
        handedOut = storage.lastIndex
        // Whatever the state machine applied was committed, even if the saved commit lags; so
        // was everything a snapshot covers.
        let floor = max(storage.hardState.commit, applied, storage.firstIndex.previous)
        committed = min(floor, storage.lastIndex)
        self.applied = min(max(applied, storage.firstIndex.previous), committed)
    }

    /// The first index that holds an entry; before it the log is compacted into a snapshot.
    var firstIndex: LogIndex { restored.map { $0.index.next } ?? storage.firstIndex }

    var lastIndex: LogIndex { unstable.last?.index ?? unstableStart.previous }
    var lastTerm: Term { term(at: lastIndex) ?? .zero }
    /// The last index known durable and in agreement with this log.
    var persistedIndex: LogIndex { unstableStart.previous }

    /// The term at `index`, or nil outside the log (after its end or before its snapshot).
    func term(at index: LogIndex) -> Term? {
        if index >= unstableStart {
            guard index <= lastIndex else { return nil }
            return unstable[Int(index.rawValue - unstableStart.rawValue)].term
        }
        if let restored {
            // Storage still holds the log the snapshot replaced: nothing of it counts.
            return index == restored.index ? restored.term : nil
        }
        return storage.term(at: index)
    }

    /// The snapshot a follower gets when it needs an entry before ``firstIndex``.
    var snapshotToSend: SnapshotMetadata { restored ?? storage.snapshot }

    /// Resets this log to a leader's `snapshot` (Raft §7): every entry goes, the log starts
    /// after the snapshot, which is committed and, once installed, applied. The next ready hands
    /// it out to install. The caller checked the snapshot is newer than the commit index.
    mutating func restore(_ snapshot: SnapshotMetadata) {
        precondition(snapshot.index > committed, "restoring \(snapshot) at or below commit \(committed)")
        restored = snapshot
        snapshotToInstall = snapshot
        unstable.removeAll()
        unstableStart = snapshot.index.next
        handedOut = snapshot.index
        committed = snapshot.index
        applied = snapshot.index
    }

    /// Hands out the restored snapshot to install, once.
    mutating func takeSnapshotToInstall() -> SnapshotMetadata? {
        defer { snapshotToInstall = nil }
        return snapshotToInstall
    }

    /// The owner installed `snapshot` (a ready carrying it was advanced): storage now starts
    /// after it, unless a newer one was restored meanwhile.
    mutating func snapshotInstalled(_ snapshot: SnapshotMetadata) {
        if restored == snapshot && snapshotToInstall == nil { restored = nil }
    }

    func matches(index: LogIndex, term: Term) -> Bool { self.term(at: index) == term }

    /// Raft §5.4.1: is a log ending at (`lastIndex`, `lastTerm`) at least as up to date as ours?
    func isUpToDate(lastIndex otherIndex: LogIndex, lastTerm otherTerm: Term) -> Bool {
        otherTerm > lastTerm || (otherTerm == lastTerm && otherIndex >= lastIndex)
    }

    /// The largest index ≤ `index` whose term is ≤ `term`, and that term (fast backtracking).
    func conflictHint(atOrBefore index: LogIndex, term: Term) -> (index: LogIndex, term: Term) {
        var i = min(index, lastIndex)
        while true {
            guard let t = self.term(at: i) else { return (i, .zero) }
            if t <= term || i == .zero { return (i, t) }
            i = i.previous
        }
    }

    /// Entries `from...through`, up to about `maxBytes` (at least one).
    func entries(from: LogIndex, through: LogIndex, maxBytes: Int) throws(RaftError) -> [Entry] {
        guard from <= through else { return [] }
        precondition(through <= lastIndex, "entries through \(through) beyond last index \(lastIndex)")
        precondition(from >= firstIndex, "entries from \(from) before the first index \(firstIndex)")
        var result: [Entry] = []
        var bytes = 0
        if from < unstableStart {
            let storedThrough = min(through, unstableStart.previous)
            do {
                result = try storage.entries(from: from, through: storedThrough, maxBytes: maxBytes)
            } catch {
                throw .storageFailed(error.description)
            }
            bytes = result.reduce(0) { $0 + $1.byteCount }
            if result.last?.index != storedThrough { return result }
        }
        var i = max(from, unstableStart)
        while i <= through {
            let entry = unstable[Int(i.rawValue - unstableStart.rawValue)]
            bytes += entry.byteCount
            if !result.isEmpty && bytes > maxBytes { break }
            result.append(entry)
            i = i.next
        }
        return result
    }

    /// Appends `entries` (contiguous), replacing any entries at or after the first one's index.
    /// The caller guarantees nothing committed is replaced.
    mutating func append(_ entries: [Entry]) {
        guard let first = entries.first else { return }
        precondition(first.index <= lastIndex.next, "gap: appending \(first.index) after \(lastIndex)")
        precondition(first.index > committed, "overwriting committed entry \(first.index) (commit \(committed))")
        if first.index >= unstableStart {
            unstable.removeSubrange(Int(first.index.rawValue - unstableStart.rawValue)...)
        } else {
            // The conflict reaches into the durable part: the whole tail is rewritten.
            unstable.removeAll(keepingCapacity: true)
            unstableStart = first.index
        }
        handedOut = min(handedOut, first.index.previous)
        unstable.append(contentsOf: entries)
    }

    /// Unstable entries not yet handed out in a ready; marks them handed out.
    mutating func takeEntriesToPersist() -> [Entry] {
        guard handedOut < lastIndex else { return [] }
        let start = Int(handedOut.next.rawValue - unstableStart.rawValue)
        handedOut = lastIndex
        return Array(unstable[start...])
    }

    var hasEntriesToPersist: Bool { handedOut < lastIndex }

    /// Entries from `index` on were handed out but not written: hand them out again.
    mutating func rewindHandedOut(before index: LogIndex) {
        precondition(
            index >= unstableStart && index <= handedOut, "entry \(index) was not handed out unwritten")
        handedOut = index.previous
    }

    /// The first entry ``takeEntriesToPersist()`` would hand out, if any.
    var nextIndexToPersist: LogIndex? { hasEntriesToPersist ? handedOut.next : nil }

    /// Entries through `index` with `term` are durable: drop them from memory, unless the log
    /// has since been rewritten at `index` (then a later ready covers the new entries).
    mutating func stableTo(index: LogIndex, term: Term) {
        guard index >= unstableStart, self.term(at: index) == term else { return }
        unstable.removeSubrange(..<Int(index.next.rawValue - unstableStart.rawValue))
        unstableStart = index.next
    }

    mutating func commit(to index: LogIndex) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
        committed = index
    }

    /// The committed, durable range not yet handed out for applying.
    var applicableRange: ClosedRange<LogIndex>? {
        let upper = min(committed, persistedIndex)
        return applied < upper ? applied.next...upper : nil
    }
}
