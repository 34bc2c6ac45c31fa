import FileIO
import Glibc
import Posix
import Raft

/// What recovery found and repaired when a store was opened.
public struct RecoveryReport: Sendable, Hashable, CustomStringConvertible {
    /// A torn or unfinished tail that recovery cut off.
    public struct TailCut: Sendable, Hashable {
        /// The data file and the offset in it where the log now ends.
        public var file: String
        public var offset: UInt64
        /// The same place as an absolute log position.
        public var position: UInt64
        /// The index the first discarded record would have had.
        public var index: LogIndex
        /// What was wrong with the bytes there.
        public var reason: String
        /// Non-zero bytes discarded in `file` from `offset` on.
        public var discardedBytes: UInt64
        /// Records with an intact header found (and discarded) after the cut.
        public var discardedRecords: Int
        /// Later data files removed.
        public var discardedFiles: Int
    }

    /// Whether a checkpoint bounded the scan.
    public var usedCheckpoint = false
    /// Whether the index was rewritten from the data files (missing, stale or no checkpoint).
    public var indexRebuilt = false
    /// The log position the verification scan started from.
    public var scannedFrom: UInt64 = 0
    /// Records and bytes the scan verified.
    public var scannedRecords = 0
    public var scannedBytes: UInt64 = 0
    /// The tail that was cut, if any.
    public var tailCut: TailCut?
    /// Leftover `.tmp` files from an interrupted atomic write that were removed.
    public var removedTemporaryFiles: [String] = []
    /// Files of an interrupted prefix drop that were removed.
    public var removedPrefixFiles = 0
    /// Why the checkpoint could not be brought up to date after recovery (the disk was full),
    /// if so: the next recovery starts from the older one.
    public var checkpointNotWritten: String?
    /// Set when the disk was too full to write the rebuilt index records: they are kept in
    /// memory and written with the next append.
    public var indexNotWritten: String?

    public init() {}

    public var description: String {
        var text = "recovered: scanned \(scannedRecords) records (\(scannedBytes) bytes) from position \(scannedFrom)"
        text += usedCheckpoint ? " after the checkpoint" : " (no usable checkpoint)"
        if indexRebuilt { text += "; index rebuilt" }
        if let cut = tailCut {
            text +=
                "; cut torn tail in \(cut.file) at offset \(cut.offset) (position \(cut.position), index \(cut.index)): "
                + "\(cut.reason); discarded \(cut.discardedBytes) bytes, \(cut.discardedRecords) records, "
                + "\(cut.discardedFiles) files"
        }
        if !removedTemporaryFiles.isEmpty { text += "; removed \(removedTemporaryFiles.joined(separator: ", "))" }
        if removedPrefixFiles > 0 { text += "; finished dropping \(removedPrefixFiles) prefix files" }
        if let reason = checkpointNotWritten { text += "; checkpoint not brought up to date (\(reason))" }
        if let reason = indexNotWritten { text += "; rebuilt index records kept in memory (\(reason))" }
        return text
    }
}

extension LogStore {
    /// Opens the files and rebuilds the in-memory state; see ``init(directory:fileSystem:configuration:)``.
    func recover() throws(LogStoreError) {
        var report = RecoveryReport()
        try mutate("creating the store directories under \(directory)") { () throws(SystemError) in
            try fs.makeDirectory(directory)
            try fs.makeDirectory(dataDirectory)
            try fs.makeDirectory(indexDirectory)
            // A previous process may have created files without syncing their directory.
            try fs.syncDirectory(dataDirectory)
            try fs.syncDirectory(indexDirectory)
            try fs.syncDirectory(directory)
            try fs.syncDirectory(parentDirectory(of: directory))
        }
        report.removedTemporaryFiles = try mutate("removing temporary files in \(directory)") {
            () throws(SystemError) in try fs.removeTemporaryFiles(in: directory)
        }
        if let bytes = try io(
            "reading the hard state",
            { () throws(SystemError) in
                try fs.readIfPresent("\(directory)/\(HardStateFile.name)")
            })
        {
            hardState = try HardStateFile.decode(bytes).get { defect in
                LogStoreError.corruptFile(path: "\(directory)/\(HardStateFile.name)", reason: defect.reason)
            }
        }
        let checkpointPath = "\(directory)/\(Checkpoint.name)"
        if let bytes = try io(
            "reading the checkpoint",
            { () throws(SystemError) in
                try fs.readIfPresent("\(directory)/\(Checkpoint.name)")
            })
        {
            let stored = try Checkpoint.decode(bytes).get {
                LogStoreError.corruptFile(path: checkpointPath, reason: $0.reason)
            }
            guard stored.dataFileSize == data.fileSize else {
                throw .inconsistentLayout(
                    path: checkpointPath,
                    reason:
                        "the store was written with dataFileSize \(stored.dataFileSize), configured \(data.fileSize)")
            }
            checkpoint = stored
        }
        try data.load(fs)
        if try !index.load(fs) {
            // Written with another number of entries per file (the data file size changed the
            // index's): the index is derived, so it is rebuilt from the data files below.
            try mutate("removing index files of another layout in \(indexDirectory)") { () throws(SystemError) in
                for name in try fs.listDirectory(indexDirectory) { try fs.unlink("\(indexDirectory)/\(name)") }
                try fs.syncDirectory(indexDirectory)
            }
            report.indexRebuilt = true
        }

        var start = (position: UInt64(0), index: UInt64(1), chain: UInt32(0))
        if let checkpoint {
            firstIndex = LogIndex(checkpoint.firstIndex)
            firstPosition = checkpoint.firstPosition
            prefixChain = checkpoint.prefixChain
            terms = TermRuns(checkpoint.runs)
            let before = data.files.count + index.files.count
            try mutate("finishing an interrupted prefix drop") { () throws(SystemError) in
                try data.removeFiles(before: data.fileStart(for: checkpoint.firstPosition), fs)
                try index.removeFiles(before: checkpoint.firstIndex, fs)
                try data.sync(fs)
                try index.sync(fs)
            }
            report.removedPrefixFiles = before - data.files.count - index.files.count
            if checkpoint.lastIndex >= checkpoint.firstIndex {
                guard data.file(containing: checkpoint.endPosition - 1) != nil else {
                    throw .inconsistentLayout(
                        path: data.path(start: data.fileStart(for: checkpoint.endPosition - 1)),
                        reason:
                            "data file missing; the checkpoint says the log reaches position \(checkpoint.endPosition)")
                }
            }
            if try indexAgrees(with: checkpoint) {
                start = (checkpoint.endPosition, checkpoint.lastIndex + 1, checkpoint.lastChain)
                report.usedCheckpoint = true
            } else {
                start = (checkpoint.firstPosition, checkpoint.firstIndex, checkpoint.prefixChain)
                terms.truncate(after: checkpoint.firstIndex - 1)
                report.indexRebuilt = true
            }
        } else if let first = data.files.first, first.start != 0 {
            throw .inconsistentLayout(
                path: checkpointPath,
                reason: "missing, but the first data file starts at position \(first.start) (a prefix was dropped), "
                    + "so the first index and its term are unknown")
        } else {
            report.indexRebuilt = !data.files.isEmpty
        }

        report.scannedFrom = start.position
        try scan(from: start, report: &report)

        // What recovery keeps is made durable now, and checkpointed so the next open starts here.
        if let first = data.files.first {
            var fileStart = max(first.start, data.fileStart(for: start.position))
            while data.file(containing: fileStart) != nil {
                data.markUnsynced(fileStart)
                fileStart += data.fileSize
            }
        }
        try mutate("syncing the recovered log") { () throws(SystemError) in try data.sync(fs) }
        syncedPosition = writePosition
        durableIndex = lastIndex
        durableChain = lastChainCRC
        if report.scannedRecords > 0 || report.tailCut != nil || report.indexRebuilt || checkpoint == nil {
            // A node must start on a full disk. The old checkpoint (or none) still describes a
            // durable prefix; the next recovery scans from it again.
            if case .outOfSpace(let error, _)? = try writeCheckpointUnlessOutOfSpace() {
                report.checkpointNotWritten = error.description
            }
        }
        recovery = report
    }

    /// Whether the index files agree with the checkpoint at its first and last entries, and
    /// the last entry's record is where the index says (so the index can be trusted up to it).
    private func indexAgrees(with checkpoint: Checkpoint) throws(LogStoreError) -> Bool {
        guard checkpoint.lastIndex >= checkpoint.firstIndex else { return true }
        let ends = try io("reading the index at the checkpoint") { () throws(SystemError) in
            (try index.read(checkpoint.firstIndex, fs), try index.read(checkpoint.lastIndex, fs))
        }
        guard let first = ends.0, let last = ends.1, first.position == checkpoint.firstPosition,
            last.end <= checkpoint.endPosition, last.term == terms.term(at: checkpoint.lastIndex),
            let file = data.file(containing: last.position)
        else { return false }
        let bytes = try io("reading the record at the checkpoint") { () throws(SystemError) in
            try fs.read(file.handle, at: Int64(last.position - file.start), count: RecordHeader.size)
        }
        guard case .record(let header) = bytes.withUnsafeBytes({ RecordSlot.parse($0, at: 0) }) else { return false }
        return header.index == checkpoint.lastIndex && header.position == last.position
            && header.chainCRC == checkpoint.lastChain
    }

    /// Verifies records from `start` to the end of the log, rewriting their index records and
    /// term runs, and sets `lastIndex`, `lastChainCRC` and `writePosition` (the end of the last
    /// record: a blank after it is overwritten by the next append, which may fit where the
    /// record that caused the blank did not). The first record
    /// that fails goes to ``settleDefect(at:in:index:reason:slot:report:)``.
    private func scan(from start: (position: UInt64, index: UInt64, chain: UInt32), report: inout RecoveryReport)
        throws(LogStoreError)
    {
        var position = start.position
        var end = start.position
        var nextIndex = start.index
        var chain = start.chain
        var lastTerm = terms.term(at: nextIndex - 1) ?? 0
        var pending = Pending(first: nextIndex)
        var wanted = 1 << 20
        scanning: while let file = data.file(containing: position) {
            let fileEnd = file.start + data.fileSize
            let chunk = try io("reading \(file.handle.path)") { () throws(SystemError) in
                try fs.read(
                    file.handle, at: Int64(position - file.start), count: Int(min(UInt64(wanted), fileEnd - position)))
            }
            let chunkStart = position
            let reachesEnd = chunkStart + UInt64(chunk.count) == fileEnd
            wanted = 1 << 20
            while position < chunkStart + UInt64(chunk.count) {
                let offset = Int(position - chunkStart)
                let outcome = chunk.withUnsafeBytes { raw in
                    Self.check(
                        raw, at: offset, position: position, fileEnd: fileEnd, reachesEnd: reachesEnd,
                        index: nextIndex, chain: chain, lastTerm: lastTerm)
                }
                switch outcome {
                case .record(let header):
                    pending.add(
                        IndexEntry(position: position, term: header.term, index: header.index, size: header.totalSize))
                    terms.record(index: header.index, term: header.term)
                    chain = header.chainCRC
                    lastTerm = header.term
                    nextIndex += 1
                    position = header.end
                    end = header.end
                    report.scannedRecords += 1
                    if pending.count >= 4096 { try flushIndex(&pending, report: &report) }
                case .blank:
                    position = fileEnd
                case .needMore(let bytes):
                    wanted = max(wanted, bytes)
                    continue scanning
                case .defect(let reason, let slot):
                    try flushIndex(&pending, report: &report)
                    try settleDefect(
                        at: position, in: file, index: nextIndex, reason: reason, slot: slot, report: &report)
                    break scanning
                }
            }
        }
        try flushIndex(&pending, report: &report)
        report.scannedBytes = position - start.position
        lastIndex = LogIndex(nextIndex - 1)
        lastChainCRC = chain
        writePosition = end
    }

    private struct Pending {
        var first: UInt64
        var bytes: [UInt8] = []
        var count: Int { bytes.count / IndexEntry.size }

        mutating func add(_ entry: IndexEntry) {
            bytes.append(contentsOf: repeatElement(0, count: IndexEntry.size))
            bytes.withUnsafeMutableBytes { entry.store(into: $0, at: $0.count - IndexEntry.size) }
        }
    }

    /// Writes the index records rebuilt so far; on a disk too full for them, keeps them in
    /// memory (``IndexFiles/deferWrite(_:count:firstIndex:)``) so the node still starts.
    private func flushIndex(_ pending: inout Pending, report: inout RecoveryReport) throws(LogStoreError) {
        guard pending.count > 0 else { return }
        let count = pending.count
        do {
            try mutateUnlessOutOfSpace("rewriting index records from \(pending.first)") { () throws(SystemError) in
                try withRawBytes(pending.bytes) { (raw) throws(SystemError) in
                    try index.write(raw, count: count, firstIndex: pending.first, fs)
                }
            }
        } catch .outOfSpace(let error, _) {
            index.deferWrite(pending.bytes, count: count, firstIndex: pending.first)
            report.indexNotWritten = report.indexNotWritten ?? error.description
        }
        pending = Pending(first: pending.first + UInt64(count))
    }

    private enum ScanOutcome {
        case record(RecordHeader)
        case blank
        case needMore(Int)
        case defect(String, RecordSlot)
    }

    /// Verifies the slot at `offset` of a chunk read from log `position`.
    private static func check(
        _ raw: UnsafeRawBufferPointer, at offset: Int, position: UInt64, fileEnd: UInt64, reachesEnd: Bool,
        index: UInt64,
        chain: UInt32, lastTerm: UInt64
    ) -> ScanOutcome {
        let available = raw.count - offset
        if !reachesEnd && available < RecordHeader.size { return .needMore(RecordHeader.size) }
        let slot = RecordSlot.parse(raw, at: offset)
        switch slot {
        case .blank(let length):
            return position + UInt64(length) == fileEnd
                ? .blank : .defect("blank of \(length) bytes does not end at the end of the file", slot)
        case .empty:
            return .defect("no record (zeros)", slot)
        case .invalid(let reason):
            return .defect(reason, slot)
        case .record(let header):
            guard header.position == position else { return .defect("record claims position \(header.position)", slot) }
            guard header.index == index else { return .defect("record holds index \(header.index)", slot) }
            guard header.term >= lastTerm else {
                return .defect("term \(header.term) below the previous \(lastTerm)", slot)
            }
            guard header.end <= fileEnd else {
                return .defect("record of \(header.totalSize) bytes runs past the end of the file", slot)
            }
            guard Int(header.totalSize) <= available else { return .needMore(Int(header.totalSize)) }
            let body = UnsafeRawBufferPointer(
                rebasing: raw[(offset + RecordHeader.size)..<(offset + Int(header.totalSize))])
            guard CRC32C.checksum(body) == header.bodyCRC else { return .defect("body checksum mismatch", slot) }
            let expected = RecordHeader.chain(
                previous: chain, index: header.index, term: header.term, kind: header.kind,
                bodyLength: header.bodyLength,
                bodyCRC: header.bodyCRC)
            guard expected == header.chainCRC else { return .defect("chain checksum mismatch", slot) }
            return .record(header)
        }
    }
}
