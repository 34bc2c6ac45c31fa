/// A run of consecutive entries with one term, starting at `first`.
struct TermRun: Equatable {
    var first: UInt64
    var term: UInt64
}

/// The log's terms as runs `[(firstIndex, term)]`: one run per leader that appended, so tiny,
/// and `term(at:)` is a binary search in memory. Index 0 has term 0.
struct TermRuns: Equatable {
    private(set) var runs: [TermRun] = []

    init(_ runs: [TermRun] = []) { self.runs = runs }

    /// The term of `index`, or nil before the first run. The caller bounds `index` by the
    /// last index.
    func term(at index: UInt64) -> UInt64? {
        if index == 0 { return 0 }
        var low = 0
        var high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if runs[mid].first <= index { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : runs[low - 1].term
    }

    /// Records that entry `index` (the new last one) has `term`.
    mutating func record(index: UInt64, term: UInt64) {
        if runs.last?.term != term { runs.append(TermRun(first: index, term: term)) }
    }

    /// Forgets entries after `index`.
    mutating func truncate(after index: UInt64) {
        while let last = runs.last, last.first > index { runs.removeLast() }
    }

    /// Forgets runs that end before `index`, keeping the run that holds it.
    mutating func drop(before index: UInt64) {
        var keepFrom = 0
        while keepFrom + 1 < runs.count && runs[keepFrom + 1].first <= index { keepFrom += 1 }
        runs.removeFirst(keepFrom)
    }
}
