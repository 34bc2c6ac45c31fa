import Bytes
import LedgerModel

/// Reading records (from the log), consume-queue entries and key-index entries wherever they
/// live: in memory (applied, not yet written by a completed persist) or in the files.
///
/// Concurrency contract: the owner's thread reads; a persist running on another thread writes
/// only what ``CommitLogStateMachine/beginPersist()`` handed it, which stays in memory (and is
/// read from there) until ``CommitLogStateMachine/completePersist(through:)``. Reads from the
/// files therefore touch only ranges a completed persist wrote, which nothing writes again.
/// Bytes read are checked (a record's CRC and physical offset, an index entry's chain) and a
/// failure is a ``QueryError/unreadable(_:)`` naming the file or log position.
extension CommitLogStateMachine {
    /// The message an index (consume queue, key index) points at: the record at that log
    /// position. Anything but an intact record with that physical offset there is corruption,
    /// reported with the log position.
    func indexedMessage(at offset: PhysicalOffset) throws(QueryError) -> StoredMessage {
        let found: Result<(at: Int, size: Int), DecodeError>
        do {
            found = try window.record(at: offset.rawValue, in: log, limit: lastRecordEnd.rawValue)
        } catch {
            throw .unreadable(error)
        }
        do throws(DecodeError) {
            let (at, _) = try found.get()
            let message = try StoredMessage(decoding: window.bytes, at: at)
            guard message.physicalOffset == offset else {
                throw .invalidValue(
                    field: "physical offset", offset: 28, reason: "\(message.physicalOffset), expected \(offset)")
            }
            return message
        } catch {
            throw .unreadable(.corruptRecord(file: "the log", offset: offset, error))
        }
    }

    /// The message that consume-queue entry `offset` of `queue` points at, which must be that
    /// queue's message at that offset: a consume-queue file pointing elsewhere is reported with
    /// its path, not answered with another message.
    func queuedMessage(_ queue: MessageQueue, at offset: QueueOffset, _ entry: ConsumeQueueEntry) throws(QueryError)
        -> StoredMessage
    {
        let message = try indexedMessage(at: entry.physicalOffset)
        if message.topic == queue.topic && message.queueID == queue.queueID && message.queueOffset == offset {
            return message
        }
        guard let storage else {
            preconditionFailure("consume queue \(queue) offset \(offset) points at \(message.topic)/\(message.queueID)")
        }
        let perFile = configuration.consumeQueueFileEntries
        let file = Int(offset.rawValue) / perFile
        throw .unreadable(
            .inconsistent(
                file: storage.queuePath(queue, file: file),
                detail: "entry \(offset) (byte \((Int(offset.rawValue) - file * perFile) * ConsumeQueue.entrySize)) "
                    + "points at physical offset \(entry.physicalOffset), which holds "
                    + "\(message.topic)/\(message.queueID) offset \(message.queueOffset)"))
    }

    /// The packed consume-queue entries `range` of `queue` (`key` names it), from its files and
    /// its in-memory tail.
    func queueEntries(_ key: MessageQueue, _ queue: ConsumeQueue, _ range: Range<QueueOffset>) throws(QueryError)
        -> [UInt8]
    {
        var bytes: [UInt8] = []
        var offset = range.lowerBound.rawValue
        let inFiles = min(range.upperBound, queue.memoryStart).rawValue
        if offset < inFiles, let storage {
            let perFile = Int64(configuration.consumeQueueFileEntries)
            let entrySize = Int64(ConsumeQueue.entrySize)
            while offset < inFiles {
                let file = offset / perFile
                let end = min(inFiles, (file + 1) * perFile)
                do {
                    bytes += try storage.files.readExactly(
                        storage.queuePath(key, file: Int(file)), at: (offset - file * perFile) * entrySize,
                        count: Int((end - offset) * entrySize))
                } catch {
                    throw .unreadable(error)
                }
                offset = end
            }
        }
        let from = QueueOffset(max(offset, queue.memoryStart.rawValue))
        if from < range.upperBound { bytes += queue.memoryBytes(for: from..<range.upperBound) }
        return bytes
    }

    /// Calls `visit` with the physical offsets the key index holds for `hash`, newest first, until
    /// it returns true. Offsets of other keys with the same hash are among them: check the message.
    func walkKeyIndex(hash: UInt64, _ visit: (PhysicalOffset) throws(QueryError) -> Bool) throws(QueryError) {
        guard keyIndex.count > 0 else { return }
        let perSegment = keyIndex.segmentEntries
        let slot = keyIndex.slot(of: hash)
        for segment in stride(from: (keyIndex.count - 1) / perSegment, through: keyIndex.firstSegment, by: -1) {
            let segmentStart = segment * perSegment
            let path = storage?.keyIndexPath(segment: segment) ?? "memory"
            var link: UInt32
            if let slots = keyIndex.memorySlots(of: segment) {
                link = slots.isEmpty ? 0 : slots[slot]
            } else {
                link = try readKeyIndex(path, at: slot * 4, count: 4).loadInteger(at: 0)
            }
            var bound = UInt32(min(perSegment, keyIndex.count - segmentStart))
            while link != 0 {
                // Links only point back; one that does not is a damaged file, not a loop to follow.
                guard link <= bound else {
                    throw .unreadable(
                        .inconsistent(
                            file: path, detail: "key-index link \(link) in segment \(segment) points forward"))
                }
                bound = link - 1
                let number = segmentStart + Int(link - 1)
                let entry: (hash: UInt64, offset: PhysicalOffset, previous: UInt32)
                if number >= keyIndex.memoryStart {
                    entry = keyIndex.memoryEntry(number)
                } else {
                    let at = keyIndex.slotTableBytes + Int(link - 1) * KeyIndex.entrySize
                    entry = KeyIndex.entry(in: try readKeyIndex(path, at: at, count: KeyIndex.entrySize), at: 0)
                }
                if entry.hash == hash, try visit(entry.offset) { return }
                link = entry.previous
            }
        }
    }

    private func readKeyIndex(_ path: String, at offset: Int, count: Int) throws(QueryError) -> [UInt8] {
        guard let storage else { preconditionFailure("key-index segment \(path) is not in memory") }
        do {
            return try storage.files.readExactly(path, at: Int64(offset), count: count)
        } catch {
            throw .unreadable(error)
        }
    }
}
