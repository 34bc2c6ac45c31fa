/// Index records recovery rebuilt but a full disk would not let it write (`ENOSPC`): kept in
/// memory, in runs of consecutive entries, and read in place of the files' slots until a later
/// write succeeds. A node must start on a full disk, and the data files stay the source of truth.
struct DeferredIndexRecords {
    /// Runs of encoded records (``IndexEntry/size`` bytes each), the first for entry `first`,
    /// in increasing order and not overlapping.
    private(set) var runs: [(first: UInt64, bytes: [UInt8])] = []

    var isEmpty: Bool { runs.isEmpty }

    /// Keeps `count` encoded records from `bytes`, the first for entry `first`, after every run
    /// held (recovery rebuilds the index in increasing order).
    mutating func add(_ bytes: [UInt8], count: Int, first: UInt64) {
        precondition(runs.last.map { $0.first + UInt64($0.bytes.count / IndexEntry.size) <= first } ?? true)
        let run = Array(bytes[0..<(count * IndexEntry.size)])
        if let last = runs.last, last.first + UInt64(last.bytes.count / IndexEntry.size) == first {
            runs[runs.count - 1].bytes += run
        } else {
            runs.append((first, run))
        }
    }

    /// The held record for `index`, if any.
    func entry(_ index: UInt64) -> IndexEntry? {
        for run in runs where index >= run.first {
            let slot = Int(index - run.first)
            guard slot < run.bytes.count / IndexEntry.size else { continue }
            return run.bytes.withUnsafeBytes { IndexEntry.parse($0, at: slot * IndexEntry.size) }
        }
        return nil
    }

    /// Forgets the records of entries after `index` (a truncated log).
    mutating func drop(after index: UInt64) {
        runs = runs.compactMap { run in
            guard run.first <= index else { return nil }
            let keep = min(run.bytes.count / IndexEntry.size, Int(index - run.first + 1))
            return (run.first, Array(run.bytes[0..<(keep * IndexEntry.size)]))
        }
    }

    /// Forgets the records of entries before `index` (a dropped prefix).
    mutating func drop(before index: UInt64) {
        runs = runs.compactMap { run in
            let count = UInt64(run.bytes.count / IndexEntry.size)
            guard run.first + count > index else { return nil }
            guard run.first < index else { return run }
            return (index, Array(run.bytes[(Int(index - run.first) * IndexEntry.size)...]))
        }
    }

    /// Removes the first run, once written.
    mutating func removeFirst() { runs.removeFirst() }
}
