import FileIO
import Posix
import Raft

/// The durable Raft log: data files of CRC-checked, hash-chained records, index files for
/// O(1) reads by index, an atomically replaced hard-state file and a checkpoint that bounds
/// recovery. FORMAT.md describes the bytes.
///
/// Single owner, not thread-safe: the node's disk thread (or the simulator) calls it. The
/// store never reads a clock or starts threads. Writes are `pwrite` into the page cache;
/// ``sync()`` makes them durable. Any failed write or sync moves the store to a failed state
/// in which every later call throws ``LogStoreError/failed(cause:)``: the node must restart and
/// let recovery decide what is on disk, never retry an fsync.
///
/// Ordering contract for the Raft owner: ``append(_:)`` the Ready's entries, ``saveHardState(_:)``,
/// then ``sync()`` (with ``FlushPolicy/syncFlush``) before sending the messages that depend on
/// them; many entries share one sync (group commit).
public final class LogStore: RaftStorage {
    /// The store's root directory (`data/`, `index/`, `hardstate`, `checkpoint` inside).
    public let directory: String
    /// The configuration the store was opened with.
    public let configuration: LogStoreConfiguration
    /// What recovery found and repaired when the store was opened.
    public internal(set) var recovery = RecoveryReport()

    /// The hard state saved last (as recovered at open, then as given to ``saveHardState(_:)``).
    public internal(set) var hardState = HardState()
    /// The first index still stored (`lastIndex + 1` when empty); moves with ``dropPrefix(before:)``.
    public internal(set) var firstIndex = LogIndex(1)
    /// The last index stored, durable or not (0 for a log that never held entries).
    public internal(set) var lastIndex = LogIndex.zero
    /// The chained CRC of the last entry (of the entry before the first when empty; 0 for a
    /// log that never held entries). Equal (lastIndex, lastChainCRC) on two replicas means
    /// identical logs.
    public internal(set) var lastChainCRC: UInt32 = 0
    /// The last index known durable: synced with fdatasync, or found on disk at open.
    public internal(set) var durableIndex = LogIndex.zero
    /// Bytes ``append(_:)`` wrote to data files since the store was opened: records and the
    /// blank markers that end a full file (index files, hard state and checkpoints not counted).
    public internal(set) var appendedBytes: UInt64 = 0
    /// Batches ``append(_:)`` wrote since the store was opened (one `pwrite` per data file each).
    public internal(set) var appendedBatches: UInt64 = 0

    let fs: any FileSystem
    var data: DataFiles
    var index: IndexFiles
    var terms = TermRuns()
    var cache: EntryCache
    /// Absolute position of the first entry.
    var firstPosition: UInt64 = 0
    /// Chained CRC of the entry before the first.
    var prefixChain: UInt32 = 0
    /// Where the next record goes: the end of the last one (or a cut point).
    var writePosition: UInt64 = 0
    /// Everything before this position is durable.
    var syncedPosition: UInt64 = 0
    var durableChain: UInt32 = 0
    var checkpoint: Checkpoint?
    var lastFlushMilliseconds: UInt64?
    var failure: String?
    var writeBuffer: [UInt8] = []
    var indexBuffer: [UInt8] = []

    var dataDirectory: String { "\(directory)/data" }
    var indexDirectory: String { "\(directory)/index" }

    /// Opens (creating if needed) the store in `directory` and recovers it: verifies the log
    /// after the last checkpoint, cuts a torn tail, rebuilds a missing or stale index and
    /// syncs what it keeps. Throws ``LogStoreError/corruptRecord(file:offset:position:index:reason:)``
    /// for damage in the synced log rather than dropping it.
    public init(directory: String, fileSystem: any FileSystem, configuration: LogStoreConfiguration = .init())
        throws(LogStoreError)
    {
        self.directory = directory
        self.configuration = configuration
        self.fs = fileSystem
        self.data = DataFiles(directory: "\(directory)/data", fileSize: configuration.dataFileSize)
        self.index = IndexFiles(directory: "\(directory)/index", entriesPerFile: configuration.indexEntriesPerFile)
        self.cache = EntryCache(limit: configuration.cacheBytes)
        try recover()
    }

    /// The term of the last entry (of the entry before the first when the log is empty).
    public var lastTerm: Term { term(at: lastIndex) ?? .zero }

    /// Whether appended entries or created files await a ``sync()``.
    public var needsSync: Bool { durableIndex != lastIndex || syncedPosition != writePosition }

    /// The term of entry `index`, or nil outside `firstIndex.previous...lastIndex`. Answered from
    /// the in-memory term runs: no I/O.
    public func term(at index: LogIndex) -> Term? {
        guard index >= firstIndex.previous && index <= lastIndex else { return nil }
        return terms.term(at: index.rawValue).map(Term.init(rawValue:))
    }

    /// The point the log starts after. The store keeps no state-machine snapshots of its own
    /// yet: this is ``SnapshotMetadata/initial`` until ``dropPrefix(before:)`` moves the first
    /// index, which nothing in the node does until retention exists.
    public var snapshot: SnapshotMetadata {
        SnapshotMetadata(index: firstIndex.previous, term: term(at: firstIndex.previous) ?? .zero)
    }

    /// ``readEntries(from:through:maxBytes:)`` for the Raft core: any ``LogStoreError`` becomes
    /// a ``StorageFailure`` carrying its description.
    public func entries(from: LogIndex, through: LogIndex, maxBytes: Int) throws(StorageFailure) -> [Entry] {
        do {
            return try readEntries(from: from, through: through, maxBytes: maxBytes)
        } catch {
            throw StorageFailure(error.description)
        }
    }

    /// The entry at `index`, which must lie in `firstIndex...lastIndex`. Verifies its CRCs.
    public func entry(at index: LogIndex) throws(LogStoreError) -> Entry {
        try readEntries(from: index, through: index, maxBytes: 0)[0]
    }

    /// Entries `from...through` in order, stopping before the entry that would push their
    /// ``Entry/byteCount`` total past `maxBytes` (but returning at least one). Both ends must
    /// lie in `firstIndex...lastIndex`. Recent entries come from memory; older ones cost one
    /// index read and one data read per data file touched, each record CRC-verified.
    public func readEntries(from: LogIndex, through: LogIndex, maxBytes: Int) throws(LogStoreError) -> [Entry] {
        try checkHealthy()
        precondition(
            from >= firstIndex && through <= lastIndex && from <= through,
            "range \(from)...\(through) outside the log \(firstIndex)...\(lastIndex)")
        var result: [Entry] = []
        var bytes = 0
        var next = from.rawValue
        while next <= through.rawValue {
            if let cached = cache.get(next) {
                bytes += cached.entry.byteCount
                if !result.isEmpty && bytes > maxBytes { break }
                result.append(cached.entry)
                next += 1
                continue
            }
            let count = Int(min(through.rawValue - next + 1, 1024))
            let located = try io("reading index entries \(next)...") { () throws(SystemError) in
                try index.read(from: next, count: count, fs)
            }
            var run: [IndexEntry] = []
            for (k, slot) in located.enumerated() {
                guard let entry = slot else {
                    throw .corruptFile(path: indexDirectory, reason: "no index record for entry \(next + UInt64(k))")
                }
                if cache.get(entry.index) != nil { break }
                bytes += Int(entry.size) - RecordHeader.size + 24
                if !(result.isEmpty && run.isEmpty) && bytes > maxBytes { break }
                run.append(entry)
            }
            if run.isEmpty { break }
            try readRecords(run, into: &result)
            next += UInt64(run.count)
            if run.count < count && cache.get(next) == nil { break }
        }
        return result
    }

    /// Reads the records `run` locates (consecutive indices), one pread per data file.
    private func readRecords(_ run: [IndexEntry], into result: inout [Entry]) throws(LogStoreError) {
        var start = 0
        while start < run.count {
            guard let file = data.file(containing: run[start].position) else {
                throw .inconsistentLayout(
                    path: data.path(start: data.fileStart(for: run[start].position)),
                    reason: "data file for entry \(run[start].index) is missing")
            }
            var end = start + 1
            while end < run.count && run[end].position < file.start + data.fileSize { end += 1 }
            let low = run[start].position
            let high = run[end - 1].end
            let bytes = try io("reading entries \(run[start].index)...\(run[end - 1].index)") {
                () throws(SystemError) in
                try fs.read(file.handle, at: Int64(low - file.start), count: Int(high - low))
            }
            try withRawBytes(bytes) { (raw) throws(LogStoreError) in
                for located in run[start..<end] {
                    let offset = Int(located.position - low)
                    let decoded = RecordCodec.decode(raw, at: offset, position: located.position)
                    let (header, entry) = try decoded.get { defect in
                        LogStoreError.corruptRecord(
                            file: file.handle.path, offset: located.position - file.start, position: located.position,
                            index: LogIndex(located.index), reason: defect.reason)
                    }
                    guard header.index == located.index else {
                        throw .corruptRecord(
                            file: file.handle.path, offset: located.position - file.start, position: located.position,
                            index: LogIndex(located.index), reason: "record holds index \(header.index)")
                    }
                    result.append(entry)
                }
            }
            start = end
        }
    }

    /// The chained CRC of entry `index` (in `firstIndex.previous...lastIndex`), for comparing
    /// replicas: equal chain CRCs at equal indices mean identical log prefixes.
    public func chainCRC(at index: LogIndex) throws(LogStoreError) -> UInt32 {
        try checkHealthy()
        precondition(index >= firstIndex.previous && index <= lastIndex, "index \(index) outside the log")
        if index == lastIndex { return lastChainCRC }
        if index == firstIndex.previous { return prefixChain }
        if let cached = cache.get(index.rawValue) { return cached.chain }
        return try header(of: index).chainCRC
    }

    /// The verified header of entry `index`, read from disk.
    func header(of index: LogIndex) throws(LogStoreError) -> RecordHeader {
        guard
            let located = try io(
                "reading the index record of entry \(index)",
                { () throws(SystemError) in
                    try self.index.read(index.rawValue, fs)
                })
        else {
            throw .corruptFile(path: indexDirectory, reason: "no index record for entry \(index)")
        }
        guard let file = data.file(containing: located.position) else {
            throw .inconsistentLayout(path: dataDirectory, reason: "data file for entry \(index) is missing")
        }
        let bytes = try io("reading the header of entry \(index)") { () throws(SystemError) in
            try fs.read(file.handle, at: Int64(located.position - file.start), count: RecordHeader.size)
        }
        let slot = bytes.withUnsafeBytes { RecordSlot.parse($0, at: 0) }
        guard case .record(let header) = slot, header.index == index.rawValue, header.position == located.position
        else {
            throw .corruptRecord(
                file: file.handle.path, offset: located.position - file.start, position: located.position, index: index,
                reason: "header does not verify (\(slot))")
        }
        return header
    }

    func checkHealthy() throws(LogStoreError) {
        if let failure { throw .failed(cause: failure) }
    }

    /// ``mutate(_:_:)`` for a write that changes nothing the store claims until it succeeds:
    /// `ENOSPC` from a write (never from a sync) leaves the store working and throws
    /// ``LogStoreError/outOfSpace(_:action:)``; any other failure fails the store for good.
    func mutateUnlessOutOfSpace<R>(_ action: @autoclosure () -> String, _ body: () throws(SystemError) -> R)
        throws(LogStoreError) -> R
    {
        do {
            return try body()
        } catch {
            let described = action()
            guard error.isOutOfSpaceOnWrite else {
                let wrapped = LogStoreError.io(error, action: described)
                failure = wrapped.description
                throw wrapped
            }
            throw .outOfSpace(error, action: described)
        }
    }

    /// Runs a state-changing file operation; any failure fails the store for good.
    func mutate<R>(_ action: @autoclosure () -> String, _ body: () throws(SystemError) -> R) throws(LogStoreError)
        -> R
    {
        do {
            return try body()
        } catch {
            let wrapped = LogStoreError.io(error, action: action())
            failure = wrapped.description
            throw wrapped
        }
    }
}
