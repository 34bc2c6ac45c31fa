import FileIO
import Glibc
import Posix
import Raft

extension LogStore {
    /// Appends a batch of consecutive entries. If the first index is at or below `lastIndex`,
    /// the suffix from there is truncated first (the Raft Ready contract). The whole batch goes
    /// to the page cache with one `pwrite` per data file it touches and one per index file;
    /// nothing is durable until ``sync()``.
    ///
    /// A full disk (`ENOSPC` from a write or a new file's allocation) throws
    /// ``LogStoreError/outOfSpace(_:action:)`` and leaves the log as it was (a conflicting suffix
    /// already cut stays cut): bytes a short write left after the log's end are overwritten by
    /// the next append and cut by recovery, so the same entries may be appended again later.
    ///
    /// Preconditions (programmer errors): indices consecutive, the first in
    /// `firstIndex...lastIndex + 1`, terms never below the preceding entry's.
    public func append(_ entries: [Entry]) throws(LogStoreError) {
        try checkHealthy()
        guard let first = entries.first else { return }
        precondition(
            first.index >= firstIndex && first.index <= lastIndex.next,
            "entry \(first.index) leaves a gap after \(lastIndex) or precedes \(firstIndex)")
        for (offset, entry) in entries.enumerated() {
            precondition(entry.index.rawValue == first.index.rawValue + UInt64(offset), "entries are not consecutive")
            let bytes = RecordHeader.size + entry.data.count
            if bytes > configuration.dataFileSize {
                throw .entryTooLarge(index: entry.index, bytes: bytes, limit: configuration.dataFileSize)
            }
        }
        try writeDeferredIndex()
        if first.index <= lastIndex { try truncate(after: first.index.previous) }
        precondition(first.term >= lastTerm, "entry \(first.index) has term \(first.term) below the log's \(lastTerm)")

        // Lay the batch out: blanks where a record would not fit, one buffer segment per file.
        let fileSize = data.fileSize
        var position = writePosition
        var needed = 0
        for entry in entries {
            let size = RecordHeader.size + entry.data.count
            let start = Self.placement(ofRecordBytes: size, after: position, fileSize: Int(fileSize))
            if start != position { needed += Blank.size }
            position = start + UInt64(size)
            needed += size
        }
        if writeBuffer.count < needed { writeBuffer = [UInt8](repeating: 0, count: max(needed, writeBuffer.count * 2)) }
        let indexBytes = entries.count * IndexEntry.size
        if indexBuffer.count < indexBytes {
            indexBuffer = [UInt8](repeating: 0, count: max(indexBytes, indexBuffer.count * 2))
        }

        var segments: [(position: UInt64, bufferStart: Int, bufferEnd: Int)] = []
        var cached: [CachedEntry] = []
        cached.reserveCapacity(entries.count)
        var chain = lastChainCRC
        position = writePosition
        let synced = syncedPosition
        writeBuffer.withUnsafeMutableBytes { buffer in
            indexBuffer.withUnsafeMutableBytes { indexOut in
                var offset = 0
                var segmentStart = 0
                var segmentPosition = position
                for (k, entry) in entries.enumerated() {
                    let size = UInt64(RecordHeader.size + entry.data.count)
                    let remaining = data.fileStart(for: position) + fileSize - position
                    if size != remaining && size + UInt64(Blank.size) > remaining {
                        buffer.storeBytes(of: Blank.magic.littleEndian, toByteOffset: offset, as: UInt32.self)
                        buffer.storeBytes(of: UInt32(remaining).littleEndian, toByteOffset: offset + 4, as: UInt32.self)
                        offset += Blank.size
                        segments.append((segmentPosition, segmentStart, offset))
                        position += remaining
                        segmentStart = offset
                        segmentPosition = position
                    } else if position % fileSize == 0 && position != segmentPosition {
                        // The previous record filled its file exactly: start the next file's segment.
                        segments.append((segmentPosition, segmentStart, offset))
                        segmentStart = offset
                        segmentPosition = position
                    }
                    chain = RecordCodec.encode(
                        entry, position: position, syncedThrough: synced, previousChain: chain, into: buffer, at: offset
                    )
                    IndexEntry(
                        position: position, term: entry.term.rawValue, index: entry.index.rawValue, size: UInt32(size)
                    )
                    .store(into: indexOut, at: k * IndexEntry.size)
                    cached.append(CachedEntry(entry: entry, position: position, size: UInt32(size), chain: chain))
                    offset += Int(size)
                    position += size
                }
                segments.append((segmentPosition, segmentStart, offset))
            }
        }

        try mutateUnlessOutOfSpace("appending entries \(first.index)...\(entries.last!.index) to \(dataDirectory)") {
            () throws(SystemError) in
            for segment in segments where segment.bufferEnd > segment.bufferStart {
                let file: DataFile
                if let existing = data.file(containing: segment.position) {
                    file = existing
                } else {
                    file = try data.create(
                        start: data.fileStart(for: segment.position), fs, preallocate: configuration.preallocate)
                }
                try withRawBytes(writeBuffer) { (raw) throws(SystemError) in
                    try fs.write(
                        file.handle, at: Int64(segment.position - file.start),
                        bytes: UnsafeRawBufferPointer(rebasing: raw[segment.bufferStart..<segment.bufferEnd]))
                }
                data.markUnsynced(file.start)
            }
            try withRawBytes(indexBuffer) { (raw) throws(SystemError) in
                try self.index.write(
                    UnsafeRawBufferPointer(rebasing: raw[0..<indexBytes]), count: entries.count,
                    firstIndex: first.index.rawValue, fs)
            }
        }
        for item in cached {
            terms.record(index: item.entry.index.rawValue, term: item.entry.term.rawValue)
            cache.append(item)
        }
        lastIndex = entries.last!.index
        lastChainCRC = chain
        writePosition = position
        appendedBytes += UInt64(needed)
        appendedBatches += 1
    }

    /// Makes everything appended so far durable: fdatasync of each data file written since the
    /// last sync, and of the data directory if files were created. Writes a checkpoint when
    /// `checkpointIntervalBytes` have been synced since the last one. A failure fails the store.
    public func sync() throws(LogStoreError) {
        guard let pending = try beginSync() else { return }
        try finishSync(pending, outcome: Result { () throws(SystemError) in try pending.perform(on: fs) })
    }

    /// The first step of a sync whose fdatasyncs run on another thread: captures what must
    /// reach the disk (nil when nothing is pending). Until ``finishSync(_:outcome:)`` the owner
    /// may read but must not append, truncate, save hard state or close.
    public func beginSync() throws(LogStoreError) -> PendingSync? {
        try checkHealthy()
        guard needsSync else { return nil }
        let work = data.takeSyncWork()
        return PendingSync(
            files: work.files, directory: work.directory, position: writePosition, index: lastIndex, chain: lastChainCRC
        )
    }

    /// The last step: after a successful ``PendingSync/perform(on:)`` everything the sync
    /// captured is durable (and a checkpoint may be written); after a failure the store fails
    /// for good — an fsync is never retried.
    public func finishSync(_ pending: PendingSync, outcome: Result<Void, SystemError>) throws(LogStoreError) {
        try checkHealthy()
        try mutate("syncing \(dataDirectory)") { () throws(SystemError) in try outcome.get() }
        syncedPosition = pending.position
        durableIndex = pending.index
        durableChain = pending.chain
        let checkpointed = checkpoint?.endPosition ?? 0
        if syncedPosition > checkpointed
            && syncedPosition - checkpointed >= UInt64(configuration.checkpointIntervalBytes)
        {
            // On a full disk the older checkpoint still bounds recovery; the next sync tries again.
            _ = try writeCheckpointUnlessOutOfSpace()
        }
    }

    /// For ``FlushPolicy/asyncFlush(intervalMilliseconds:)``: syncs if entries await a sync
    /// and at least the interval has passed since the last flush. `nowMilliseconds` comes from
    /// the owner's monotonic clock. Returns whether it synced. Under ``FlushPolicy/syncFlush``
    /// it syncs whenever needed.
    @discardableResult
    public func flushIfDue(nowMilliseconds: UInt64) throws(LogStoreError) -> Bool {
        try checkHealthy()
        let interval: UInt64
        switch configuration.flushPolicy {
        case .syncFlush: interval = 0
        case .asyncFlush(let milliseconds): interval = milliseconds
        }
        let last = lastFlushMilliseconds ?? nowMilliseconds
        if lastFlushMilliseconds == nil { lastFlushMilliseconds = nowMilliseconds }
        guard needsSync, nowMilliseconds &- last >= interval else { return false }
        try sync()
        lastFlushMilliseconds = nowMilliseconds
        return true
    }

    /// Saves `state` atomically and durably (temp file, fdatasync, rename, directory fsync)
    /// before returning. A full disk (`ENOSPC` writing the temporary file) throws
    /// ``LogStoreError/outOfSpace(_:action:)`` with the saved state unchanged and the store
    /// working; any other failure fails the store.
    public func saveHardState(_ state: HardState) throws(LogStoreError) {
        try checkHealthy()
        guard state != hardState else { return }
        try mutateUnlessOutOfSpace("saving the hard state in \(directory)") { () throws(SystemError) in
            try fs.replaceAtomically(HardStateFile.encode(state), at: "\(directory)/\(HardStateFile.name)")
        }
        hardState = state
    }

    /// Discards every entry after `index` (in `firstIndex.previous...`), durably before it
    /// returns: the cut data file is truncated, re-extended with zeros and synced, later data
    /// files are unlinked and the directory synced, so no stale record can reappear. A disk too
    /// full for the checkpoint that must come first throws ``LogStoreError/outOfSpace(_:action:)``
    /// with nothing cut.
    public func truncate(after index: LogIndex) throws(LogStoreError) {
        try checkHealthy()
        guard index < lastIndex else { return }
        precondition(index >= firstIndex.previous, "cannot truncate before the first index \(firstIndex)")
        // The log continues where entry `index` ends, not where the next one started: that one
        // may have begun the next file after a blank, where a shorter replacement would not.
        try writeDeferredIndex()
        let cut = try recordEnd(of: index)
        let chain = try chainCRC(at: index)
        let before = (durableIndex, durableChain, syncedPosition, terms)
        if durableIndex > index {
            durableIndex = index
            durableChain = chain
            syncedPosition = min(syncedPosition, cut)
        }
        terms.truncate(after: index.rawValue)
        // A checkpoint past the cut must be replaced first; a disk too full for that cuts nothing.
        if let checkpoint, checkpoint.lastIndex > index.rawValue, let full = try writeCheckpointUnlessOutOfSpace() {
            (durableIndex, durableChain, syncedPosition, terms) = before
            throw full
        }
        try mutate("truncating \(dataDirectory) after entry \(index)") { () throws(SystemError) in
            // Unlink later files durably before cutting, so a crash in between leaves a prefix
            // of the old log rather than synced records beyond a hole.
            let file = data.file(containing: cut)
            try data.removeFiles(from: data.fileStart(for: cut) + (file == nil ? 0 : data.fileSize), fs)
            try data.sync(fs)
            if let file { try data.cut(file, at: cut - file.start, fs, preallocate: configuration.preallocate) }
        }
        cache.truncate(after: index.rawValue)
        lastIndex = index
        lastChainCRC = chain
        writePosition = cut
    }

    /// Drops whole data files whose entries all lie before `index` (retention). Returns the new
    /// first index (≤ `index`). Syncs first and writes a checkpoint recording the new first
    /// entry before unlinking anything, so a crash midway is completed at the next open.
    @discardableResult
    public func dropPrefix(before index: LogIndex) throws(LogStoreError) -> LogIndex {
        try checkHealthy()
        guard index > firstIndex else { return firstIndex }
        var keepFrom: (start: UInt64, index: UInt64)?
        for next in data.files.dropFirst() where next.start < writePosition {
            let bytes = try io("reading the first record of \(next.handle.path)") { () throws(SystemError) in
                try fs.read(next.handle, at: 0, count: RecordHeader.size)
            }
            guard case .record(let header) = bytes.withUnsafeBytes({ RecordSlot.parse($0, at: 0) }),
                header.position == next.start
            else {
                throw .corruptRecord(
                    file: next.handle.path, offset: 0, position: next.start, index: .zero,
                    reason: "first record of the file does not verify")
            }
            if header.index > index.rawValue || header.index > lastIndex.rawValue { break }
            keepFrom = (next.start, header.index)
        }
        guard let keepFrom else { return firstIndex }
        try sync()
        let kept = (prefixChain, firstIndex, firstPosition, terms)
        prefixChain = try chainCRC(at: LogIndex(keepFrom.index - 1))
        firstIndex = LogIndex(keepFrom.index)
        firstPosition = keepFrom.start
        terms.drop(before: keepFrom.index - 1)
        if let full = try writeCheckpointUnlessOutOfSpace() {
            // Nothing may go before a checkpoint names the new first entry: keep it all.
            (prefixChain, firstIndex, firstPosition, terms) = kept
            throw full
        }
        cache.drop(before: keepFrom.index)
        try mutate("dropping data and index files before entry \(keepFrom.index)") { () throws(SystemError) in
            try data.removeFiles(before: keepFrom.start, fs)
            try data.sync(fs)
            try self.index.removeFiles(before: keepFrom.index, fs)
            try self.index.sync(fs)
        }
        return firstIndex
    }

    /// Syncs what is pending and closes every file. The store refuses all calls afterwards.
    public func close() throws(LogStoreError) {
        try sync()
        try mutate("closing \(directory)") { () throws(SystemError) in
            try data.closeAll(fs)
            try index.closeAll(fs)
        }
        failure = "the store was closed"
    }

    /// ``writeCheckpoint()``, except that a disk too full for it (`ENOSPC` from a write, not a
    /// sync) leaves the store working and the older checkpoint in place: returns that failure
    /// as ``LogStoreError/outOfSpace(_:action:)`` instead of throwing it; nil once written.
    func writeCheckpointUnlessOutOfSpace() throws(LogStoreError) -> LogStoreError? {
        do {
            try writeCheckpoint()
            return nil
        } catch .io(let error, let action) where error.isOutOfSpaceOnWrite {
            failure = nil
            return .outOfSpace(error, action: action)
        } catch .outOfSpace(let error, let action) {
            return .outOfSpace(error, action: action)
        }
    }

    /// Writes the index records recovery kept in memory for a full disk, if any; a disk still
    /// full throws ``LogStoreError/outOfSpace(_:action:)`` with nothing changed.
    func writeDeferredIndex() throws(LogStoreError) {
        guard !index.deferred.isEmpty else { return }
        try mutateUnlessOutOfSpace("writing the index records recovery kept in memory") { () throws(SystemError) in
            try index.writeDeferred(fs)
        }
    }

    /// Syncs the index files, then atomically writes a checkpoint for the durable log.
    func writeCheckpoint() throws(LogStoreError) {
        // The checkpoint vouches for the index files up to its last entry.
        try writeDeferredIndex()
        var runs = terms.runs
        while let last = runs.last, last.first > durableIndex.rawValue { runs.removeLast() }
        let next = Checkpoint(
            dataFileSize: data.fileSize, firstIndex: firstIndex.rawValue, firstPosition: firstPosition,
            prefixChain: prefixChain, lastChain: durableChain, lastIndex: durableIndex.rawValue,
            endPosition: syncedPosition, runs: runs)
        try mutate("writing the checkpoint in \(directory)") { () throws(SystemError) in
            try index.sync(fs)
            try fs.replaceAtomically(next.encode(), at: "\(directory)/\(Checkpoint.name)")
        }
        checkpoint = next
    }
}
