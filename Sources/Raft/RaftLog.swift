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

    init(storage: any RaftStorage, applied: LogIndex) {
        self.storage = storage
        unstableStart = storage.lastIndex.next
        handedOut = storage.lastIndex
        // Whatever the state machine applied was committed, even if the saved commit lags.
        committed = min(max(storage.hardState.commit, applied), storage.lastIndex)
        self.applied = min(applied, committed)
    }

    var lastIndex: LogIndex { unstable.last?.index ?? unstableStart.previous }
    var lastTerm: Term { term(at: lastIndex) ?? .zero }
    /// The last index known durable and in agreement with this log.
    var persistedIndex: LogIndex { unstableStart.previous }

    /// The term at `index`, or nil outside the log.
    func term(at index: LogIndex) -> Term? {
        if index >= unstableStart {
            guard index <= lastIndex else { return nil }
            return unstable[Int(index.rawValue - unstableStart.rawValue)].term
        }
        return storage.term(at: index)
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
