import Bytes
import FileIO
import LedgerModel
import Raft

/// Snapshots of the metadata (``StateSnapshot``) and what retention does to the state machine.
///
/// A snapshot is taken by ``takeSnapshot(term:logPosition:logChain:)`` when the applied log
/// crosses a data file's end, written by the next persist (before the checkpoint that covers
/// it) into `snapshots/<index>`, and listed in ``snapshots`` once that persist completed.
/// Retention may delete the log up to a listed snapshot; the machine then forgets the queue
/// entries before it (``logCompacted(before:)``). A follower that receives a leader's snapshot
/// replaces its whole state with it (``install(_:)``).
extension CommitLogStateMachine {
    /// Takes a snapshot of the state after ``appliedIndex`` (whose entry has `term` and ends at
    /// `logPosition` in the log with chained CRC `logChain`), for the next persist to write. A
    /// machine without files keeps it in memory, durable at once.
    public func takeSnapshot(term: Term, logPosition: UInt64, logChain: UInt32) {
        var state = checkpoint()
        state.keyIndexEntries = 0
        state.keyIndexFirstSegment = 0
        state.uniqueKeyResults = uniqueKeys.persisted(logStart: PhysicalOffset(Int64.max)).results
        state.uniqueKeyOffsets = []
        let snapshot = StateSnapshot(
            metadata: SnapshotMetadata(index: appliedIndex, term: term), logPosition: logPosition, logChain: logChain,
            state: state)
        if storage == nil {
            memorySnapshots.append((snapshot.metadata.index, snapshot.encoded()))
            snapshots.append(snapshot.info)
        } else {
            snapshotsToWrite.append(snapshot)
        }
    }

    /// The bytes of the durable snapshot at `index` (one of ``snapshots``), CRC-checked.
    public func snapshotBytes(at index: LogIndex) throws(CommitLogError) -> [UInt8] {
        let bytes: [UInt8]
        let path: String
        if let storage {
            path = storage.snapshotPath(index)
            bytes = try storage.files.readAll(path)
        } else {
            path = "memory"
            guard let kept = memorySnapshots.last(where: { $0.index == index }) else {
                throw .inconsistent(file: "memory", detail: "no snapshot at index \(index)")
            }
            bytes = kept.bytes
        }
        do throws(DecodeError) {
            let snapshot = try StateSnapshot(decoding: bytes)
            guard snapshot.metadata.index == index else {
                throw DecodeError.invalidValue(
                    field: "index", offset: 5, reason: "\(snapshot.metadata.index), named \(index)")
            }
        } catch {
            throw .corruptSnapshot(file: path, error)
        }
        return bytes
    }

    /// Keeps a leader's snapshot (checked whole) as this node's own, durably, before the node
    /// resets its log to it: a crash before ``install(_:)`` finishes is completed from it.
    public func keepSnapshot(_ bytes: [UInt8]) throws(CommitLogError) {
        let snapshot: StateSnapshot
        do {
            snapshot = try StateSnapshot(decoding: bytes)
        } catch {
            throw .corruptSnapshot(file: "a leader's snapshot", error)
        }
        if let storage {
            try storage.files.replaceAtomically(bytes, path: storage.snapshotPath(snapshot.metadata.index))
        } else {
            memorySnapshots.append((snapshot.metadata.index, bytes))
        }
        if !snapshots.contains(where: { $0.metadata.index == snapshot.metadata.index }) {
            snapshots.append(snapshot.info)
            snapshots.sort { $0.metadata.index < $1.metadata.index }
        }
    }

    /// Replaces the whole state with a leader's snapshot (Raft §7): topics with their queues
    /// starting at the snapshot's next offsets (the messages before them are not in this
    /// node's log), producers, unique keys, consumer offsets; the key index starts empty.
    /// Durable before it returns: the snapshot is kept as this node's own (so retention and
    /// later offers start from it), the index files go, and a checkpoint at the snapshot's
    /// index replaces the old one (on a disk too full for that checkpoint the old one stays:
    /// the next open finds its index files gone and installs the kept snapshot again). No
    /// persist may be in flight.
    @discardableResult
    public func install(_ bytes: [UInt8]) throws(CommitLogError) -> StateSnapshot {
        precondition(persistInFlight == nil, "installing a snapshot while a persist is in flight")
        let snapshot: StateSnapshot
        do {
            snapshot = try StateSnapshot(decoding: bytes)
        } catch {
            throw .corruptSnapshot(file: "a leader's snapshot", error)
        }
        let state = snapshot.state
        topics = [:]
        for topic in state.topics {
            var queues = TopicState(queueCount: Int32(topic.queues.count))
            queues.queues = topic.queues.map { ConsumeQueue(minOffset: $0.maxOffset, maxOffset: $0.maxOffset) }
            topics[topic.name] = queues
        }
        deletedTopics = Dictionary(uniqueKeysWithValues: state.deletedTopics.map { ($0.0, $0.1) })
        topicsToRemove = []
        topicsHandedForRemoval = []
        queuesCompacted = []
        producers = ProducerTable(capacity: configuration.maxProducers)
        for (id, record) in state.producers { producers.restore(id, record) }
        uniqueKeys = UniqueKeyTable(
            capacity: configuration.maxUniqueKeys, indexSeed: configuration.uniqueKeyIndexSeed)
        try restoreUniqueKeys(state.uniqueKeyResults, file: "a leader's snapshot")
        consumerOffsets = [:]
        for (key, offset) in state.offsets { consumerOffsets[key] = offset }
        try restoreKinds(state.kindsSection, file: "a leader's snapshot")
        keyIndex = KeyIndex(segmentEntries: configuration.keyIndexSegmentEntries)
        appliedIndex = state.appliedIndex
        runningDigest = Digest(value: state.digest)
        lastRecordEnd = state.lastRecordEnd
        lastStoreTimestamp = state.lastStoreTimestamp
        unpersistedMessages = 0
        window = ReadBuffer(readAhead: Self.readAheadBytes)
        snapshotsToWrite = []
        if let storage {
            let files = storage.files
            // A snapshot this node already keeps (its own, installed at start) is not written again.
            if !snapshots.contains(where: { $0.metadata.index == snapshot.metadata.index }) {
                try files.replaceAtomically(bytes, path: storage.snapshotPath(snapshot.metadata.index))
            }
            for info in snapshots where info.metadata.index != snapshot.metadata.index {
                try files.unlink(storage.snapshotPath(info.metadata.index))
            }
            try files.syncDirectory(storage.snapshotDirectory)
            let root = storage.consumeQueueDirectory
            for topic in try files.list(root) {
                for queue in try files.list("\(root)/\(topic)") {
                    try files.removeFiles(in: "\(root)/\(topic)/\(queue)")
                }
            }
            try files.removeFiles(in: storage.keyIndexDirectory)
            do {
                try files.replaceAtomically(checkpoint().encoded(), path: storage.checkpointPath)
            } catch  where error.isOutOfSpace {
                // A node must start on a full disk. The old checkpoint names index files that are
                // gone, so the next open starts empty and installs the kept snapshot again; the
                // next persist that finds room writes the checkpoint.
            }
        } else {
            memorySnapshots = [(snapshot.metadata.index, bytes)]
        }
        snapshots = [snapshot.info]
        return snapshot
    }

    /// Retention deleted the log before entry `firstIndex`; the snapshot at `firstIndex − 1`
    /// (one of ``snapshots``) holds everything before it. Each queue now starts where that
    /// snapshot's queue ended (its consume-queue files wholly before that go with the next
    /// persist), and older snapshots are deleted.
    public func logCompacted(before firstIndex: LogIndex) throws(CommitLogError) {
        let base = try StateSnapshot(verified: snapshotBytes(at: firstIndex.previous))
        for topic in base.state.topics {
            // A topic deleted (and perhaps created again) since the snapshot has no entry before it.
            guard var state = topics[topic.name],
                deletedTopics[topic.name] == base.state.deletedTopics.first(where: { $0.0 == topic.name })?.1
            else { continue }
            for (id, range) in topic.queues.enumerated() where id < state.queues.count {
                let before = state.queues[id].minOffset
                state.queues[id].advanceMin(to: range.maxOffset)
                if state.queues[id].minOffset != before {
                    queuesCompacted.append(MessageQueue(topic: topic.name, queueID: Int32(id)))
                }
            }
            topics[topic.name] = state
        }
        try forgetDeletedKeyIndexSegments()
        let older = snapshots.filter { $0.metadata.index < base.metadata.index }
        snapshots.removeFirst(older.count)
        if let storage {
            for info in older { try storage.files.unlink(storage.snapshotPath(info.metadata.index)) }
            if !older.isEmpty { try storage.files.syncDirectory(storage.snapshotDirectory) }
        } else {
            memorySnapshots.removeAll { $0.index < base.metadata.index }
        }
    }

    /// Moves the key index's first segment past the full segments, already in their files, whose
    /// last entry points before the log's start (each entry points later than the one before):
    /// the next persist deletes their files.
    func forgetDeletedKeyIndexSegments() throws(CommitLogError) {
        guard let storage else { return }
        let perSegment = keyIndex.segmentEntries
        while (keyIndex.firstSegment + 1) * perSegment <= keyIndex.memoryStart {
            let segment = keyIndex.firstSegment
            let last = KeyIndex.entry(
                in: try storage.files.readExactly(
                    storage.keyIndexPath(segment: segment),
                    at: Int64(keyIndex.slotTableBytes + (perSegment - 1) * KeyIndex.entrySize),
                    count: KeyIndex.entrySize),
                at: 0)
            guard last.offset.rawValue < log.startPosition else { return }
            keyIndex.firstSegment += 1
        }
    }

    /// Lists the snapshots in `storage` (reading each one's header), oldest first.
    static func listSnapshots(_ storage: Storage) throws(CommitLogError) -> [SnapshotInfo] {
        var found: [SnapshotInfo] = []
        for name in try storage.files.list(storage.snapshotDirectory) {
            let path = "\(storage.snapshotDirectory)/\(name)"
            guard let index = SegmentedFileName.start(of: name, as: UInt64.self) else {
                throw .unexpectedFile(path: path, reason: "not a snapshot name (20 digits, the snapshot's index)")
            }
            let header = try storage.files.readExactly(path, at: 0, count: StateSnapshot.headerBytes)
            do throws(DecodeError) {
                let fields = try StateSnapshot.header(header)
                guard fields.metadata.index.rawValue == index else {
                    throw DecodeError.invalidValue(field: "index", offset: 5, reason: "\(fields.metadata.index)")
                }
                found.append(
                    SnapshotInfo(
                        metadata: fields.metadata, lastStoreTimestamp: fields.lastStoreTimestamp,
                        logPosition: fields.logPosition))
            } catch {
                throw .corruptSnapshot(file: path, error)
            }
        }
        return found.sorted { $0.metadata.index < $1.metadata.index }
    }
}

extension StateSnapshot {
    /// Decodes bytes ``CommitLogStateMachine/snapshotBytes(at:)`` already checked.
    init(verified bytes: [UInt8]) throws(CommitLogError) {
        do {
            try self.init(decoding: bytes)
        } catch {
            throw .corruptSnapshot(file: "a verified snapshot", error)
        }
    }
}
