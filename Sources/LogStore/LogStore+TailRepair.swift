import FileIO
import Posix
import Raft

/// Telling a torn tail from corruption.
///
/// Every record stores `syncedThrough`, the log position that was durable when it was written.
/// A bad record at position P is a torn or unfinished tail unless some intact later record
/// says it was written after P had been synced: such a record proves P once held good, synced
/// bytes, so P is corruption and opening fails. Truncation removes stale records durably
/// before new ones are written, so an old record can never vouch for a new log.
extension LogStore {
    /// Handles the first record at `position` (in `file`, expected to hold `index`) that fails
    /// verification: throws ``LogStoreError/corruptRecord(file:offset:position:index:reason:)``
    /// if the log after it was synced, otherwise cuts the log there (durably) and reports it.
    func settleDefect(
        at position: UInt64, in file: DataFile, index expected: UInt64, reason: String, slot: RecordSlot,
        report: inout RecoveryReport
    ) throws(LogStoreError) {
        let fileEnd = file.start + data.fileSize
        func corrupt(_ why: String) -> LogStoreError {
            .corruptRecord(
                file: file.handle.path, offset: position - file.start, position: position, index: LogIndex(expected),
                reason: "\(reason); \(why)")
        }
        if let checkpoint, position < checkpoint.endPosition {
            throw corrupt("the checkpoint records the log as synced through position \(checkpoint.endPosition)")
        }
        var starts: [UInt64] = []
        if case .record(let header) = slot, header.position == position, header.end <= fileEnd {
            starts.append(header.end)
        }
        let hints = try io("reading index records near the damaged record") { () throws(SystemError) in
            try index.read(from: expected, count: 2, fs)
        }
        if let this = hints[0], this.position == position, this.end <= fileEnd { starts.append(this.end) }
        if let next = hints[1], next.position > position { starts.append(next.position) }
        if data.file(containing: fileEnd) != nil { starts.append(fileEnd) }
        var discardedRecords = 0
        var tried: [UInt64] = []
        for start in starts where !tried.contains(start) {
            tried.append(start)
            let (witness, count) = try findWitness(from: start, after: position, index: expected)
            discardedRecords = max(discardedRecords, count)
            if let witness {
                throw corrupt(
                    "the intact record at position \(witness.position) (index \(witness.index)) was written after "
                        + "position \(witness.syncedThrough) had been synced")
            }
        }
        if case .record = slot { discardedRecords += 1 }

        let extent = try nonZeroExtent(of: file, from: position)
        let laterFiles = data.files.filter { $0.start > file.start }.count
        if case .empty = slot, extent == 0, laterFiles == 0 { return }  // the clean end of the log
        try mutate("cutting the torn tail of \(file.handle.path) at offset \(position - file.start)") {
            () throws(SystemError) in
            try data.removeFiles(from: fileEnd, fs)
            try data.sync(fs)
            try data.cut(file, at: position - file.start, fs, preallocate: configuration.preallocate)
        }
        report.tailCut = RecoveryReport.TailCut(
            file: file.handle.path, offset: position - file.start, position: position, index: LogIndex(expected),
            reason: reason, discardedBytes: extent, discardedRecords: discardedRecords, discardedFiles: laterFiles)
    }

    /// Walks intact record headers from `start` looking for a record written after `position`
    /// was synced (and whose body verifies). Returns it, if found, and how many headers it walked.
    private func findWitness(from start: UInt64, after position: UInt64, index expected: UInt64)
        throws(LogStoreError) -> (RecordHeader?, Int)
    {
        var at = start
        var walked = 0
        while walked < 100_000, let file = data.file(containing: at) {
            let fileEnd = file.start + data.fileSize
            let bytes = try io("reading \(file.handle.path) after a damaged record") { () throws(SystemError) in
                try fs.read(
                    file.handle, at: Int64(at - file.start), count: Int(min(UInt64(RecordHeader.size), fileEnd - at)))
            }
            switch bytes.withUnsafeBytes({ RecordSlot.parse($0, at: 0) }) {
            case .blank(let length) where at + UInt64(length) == fileEnd:
                at = fileEnd
            case .record(let header) where header.position == at && header.end <= fileEnd:
                walked += 1
                if header.syncedThrough > position && header.index >= expected {
                    let record = try io("reading \(file.handle.path) after a damaged record") {
                        () throws(SystemError) in
                        try fs.read(file.handle, at: Int64(at - file.start), count: Int(header.totalSize))
                    }
                    if case .success = record.withUnsafeBytes({ RecordCodec.decode($0, at: 0, position: at) }) {
                        return (header, walked)
                    }
                }
                at = header.end
            default:
                return (nil, walked)
            }
        }
        return (nil, walked)
    }

    /// Bytes from `position` up to the first all-zero 4 KiB page (or the end of `file`).
    private func nonZeroExtent(of file: DataFile, from position: UInt64) throws(LogStoreError) -> UInt64 {
        let page = 4096
        let fileEnd = file.start + data.fileSize
        var at = position
        while at < fileEnd {
            let count = Int(min(UInt64(64 * page), fileEnd - at))
            let bytes = try io("reading \(file.handle.path) after a damaged record") { () throws(SystemError) in
                try fs.read(file.handle, at: Int64(at - file.start), count: count)
            }
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + page, bytes.count)
                if bytes[offset..<end].allSatisfy({ $0 == 0 }) { return at + UInt64(offset) - position }
                offset = end
            }
            if bytes.count < count { break }
            at += UInt64(bytes.count)
        }
        return at - position
    }
}
