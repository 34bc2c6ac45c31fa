import Bytes
import FileIO
import LedgerModel
import Raft

/// What ``CommitLogStateMachine/open(directory:fileSystem:configuration:log:)`` found and repaired.
public struct CommitLogRecoveryReport: Hashable, Sendable {
    /// The last entry whose effects the files hold; replay the Raft log from the next one (0
    /// when the indexes had to be rebuilt: the whole log replays).
    public var appliedIndex: LogIndex
    /// Where the last record the indexes point at ends in the log.
    public var lastRecordEnd: PhysicalOffset
    /// Messages the store holds (over all queues).
    public var messages: Int
    /// Records read back from the log and CRC-checked while opening: the last record of each
    /// queue and of the key index. Others are checked when a query reads them.
    public var verifiedRecords: Int
    /// Queues whose consume-queue files were missing, behind or wrong; the indexes are then
    /// rebuilt by replaying the log.
    public var rebuiltQueues: [MessageQueue]
    /// Whether the key-index files were missing, behind or wrong (the indexes are then rebuilt
    /// by replaying the log).
    public var rebuiltKeyIndex: Bool
}

extension CommitLogStateMachine {
    /// Opens (creating if needed) the index files under `directory`, over the records in `log`,
    /// and restores the state of the last checkpoint: cuts off index entries written after the
    /// checkpoint (the Raft log replays them), checks that the files hold what the checkpoint
    /// promises (sizes, and the last record of each queue read back from the log and
    /// CRC-checked), and starts over from an empty state (the whole log replays) when an
    /// index's files are missing, behind or wrong. ``recovery`` says what was found;
    /// ``appliedIndex`` is where Raft replay resumes. All file I/O goes through `fileSystem`.
    public static func open(
        directory: String, fileSystem: any FileSystem, configuration: CommitLogConfiguration = CommitLogConfiguration(),
        log: any MessageLog
    ) throws(CommitLogError) -> CommitLogStateMachine {
        do {
            try configuration.validate()
        } catch {
            throw .invalidConfiguration(error)
        }
        let machine = CommitLogStateMachine(configuration: configuration, log: log)
        let storage = Storage(files: StoreFiles(fs: fileSystem), root: directory, configuration: configuration)
        let files = storage.files
        try files.makeDirectories(directory)
        try files.makeDirectories(storage.consumeQueueDirectory)
        try files.makeDirectories(storage.keyIndexDirectory)
        try files.makeDirectories(storage.snapshotDirectory)
        try files.removeTemporaryFiles(in: directory)
        try files.removeTemporaryFiles(in: storage.snapshotDirectory)
        machine.snapshots = try listSnapshots(storage)
        let checkpoint = try readCheckpoint(storage, configuration: configuration)
        machine.storage = storage
        var recovery = Recovery(machine: machine, storage: storage, checkpoint: checkpoint)
        try recovery.run()
        machine.recovery = recovery.report
        return machine
    }

    /// Writes everything applied since the last call to the files, syncs them, then replaces the
    /// checkpoint: ``beginPersist()``, ``PendingPersist/perform(on:)`` and
    /// ``completePersist(through:)`` in one go. After it returns, a restart resumes at
    /// ``appliedIndex``. The node calls it periodically and before compacting the Raft log up
    /// to ``appliedIndex`` (entries after the last checkpoint must stay in the Raft log for
    /// replay). A failure leaves the durable state unknown: stop the node, do not retry. Does
    /// nothing for a memory-only machine.
    public func persist() throws(CommitLogError) {
        guard let fileSystem = storage?.files.fs, let pending = try beginPersist() else { return }
        try pending.perform(on: fileSystem)
        completePersist(through: pending.appliedIndex)
    }

    /// The first half of ``persist()``, for an owner that keeps its thread free of disk writes:
    /// hands everything applied since the last call (consume-queue and key-index entries, the
    /// checkpoint) to a value that ``PendingPersist/perform(on:)``
    /// writes, syncs and checkpoints on any thread. Touches no file. The handed bytes stay in
    /// memory, and queries read them there, until ``completePersist(through:)``; applying
    /// entries meanwhile is fine. Call it again only after that. Returns nil for a memory-only
    /// machine. The log must hold every applied entry durably before the checkpoint replaces the
    /// old one (the owner persists only through its log's durable index).
    public func beginPersist() throws(CommitLogError) -> PendingPersist? {
        guard let storage else { return nil }
        precondition(persistInFlight == nil, "beginPersist before the persist through \(appliedIndex) completed")
        var plan = PersistPlan()
        unpersistedMessages = 0
        planTopicRemovals(storage, &plan)
        planCompactedQueues(storage, &plan)
        planConsumeQueues(storage, &plan)
        planKeyIndex(storage, &plan)
        persistInFlight = appliedIndex
        snapshotsHanded = snapshotsToWrite
        snapshotsToWrite = []
        return PendingPersist(
            plan: plan, snapshots: snapshotsHanded.map { (storage.snapshotPath($0.metadata.index), $0) },
            checkpoint: checkpoint(), checkpointPath: storage.checkpointPath, appliedIndex: appliedIndex)
    }

    /// The persist begun at `index` (``PendingPersist/appliedIndex``) performed successfully:
    /// its bytes are in the files, so memory drops them and queries read them from the files.
    /// Call it on the owner's thread once ``PendingPersist/perform(on:)`` returned.
    public func completePersist(through index: LogIndex) {
        precondition(
            persistInFlight == index,
            "completing a persist through \(index), begun: \(String(describing: persistInFlight))")
        persistInFlight = nil
        for name in topics.keys.sorted(by: utf8Precedes) {
            for id in topics[name, default: TopicState(queueCount: 0)].queues.indices {
                topics[name, default: TopicState(queueCount: 0)].queues[id].releaseHanded()
            }
        }
        keyIndex.releaseHanded()
        window.shrink()
        snapshots += snapshotsHanded.map(\.info)
        snapshotsHanded = []
        queuesCompactedHanded = []
    }

    /// The persist begun last failed before it replaced the checkpoint in a way that loses
    /// nothing (the disk was full: nothing was made durable that the checkpoint counts
    /// on): everything it was handed stays in memory, and the next ``beginPersist()`` hands it
    /// again, with what was applied since. The files keep the last completed checkpoint's state
    /// (bytes the failed persist wrote past it are cut by the next open, or overwritten by the
    /// next persist). Call it on the owner's thread instead of ``completePersist(through:)``.
    public func abandonPersist() {
        precondition(persistInFlight != nil, "abandoning a persist when none was begun")
        persistInFlight = nil
        for name in topics.keys.sorted(by: utf8Precedes) {
            for id in topics[name, default: TopicState(queueCount: 0)].queues.indices {
                topics[name, default: TopicState(queueCount: 0)].queues[id].reclaimHanded()
            }
        }
        keyIndex.reclaimHanded()
        topicsToRemove = topicsHandedForRemoval + topicsToRemove
        topicsHandedForRemoval = []
        snapshotsToWrite = snapshotsHanded + snapshotsToWrite
        snapshotsHanded = []
        queuesCompacted = queuesCompactedHanded + queuesCompacted
        queuesCompactedHanded = []
    }

    /// The checkpoint of the current state.
    func checkpoint() -> Checkpoint {
        var checkpoint = Checkpoint(
            fileSize: configuration.commitLogFileSize, keyIndexSegmentEntries: configuration.keyIndexSegmentEntries)
        checkpoint.appliedIndex = appliedIndex
        checkpoint.digest = digest
        checkpoint.lastRecordEnd = lastRecordEnd
        checkpoint.keyIndexEntries = keyIndex.count
        checkpoint.keyIndexFirstSegment = keyIndex.firstSegment
        checkpoint.lastStoreTimestamp = lastStoreTimestamp
        checkpoint.topics = topics.keys.sorted(by: utf8Precedes).map { name in
            let queues = topics[name, default: TopicState(queueCount: 0)].queues
            return (name, queues.map { Checkpoint.QueueRange(minOffset: $0.minOffset, maxOffset: $0.maxOffset) })
        }
        checkpoint.producers = producers.sorted
        (checkpoint.uniqueKeyResults, checkpoint.uniqueKeyOffsets) = uniqueKeys.persisted(
            logStart: PhysicalOffset(log.startPosition))
        checkpoint.deletedTopics = deletedTopics.sorted { utf8Precedes($0.key, $1.key) }.map { ($0.key, $0.value) }
        checkpoint.offsets = consumerOffsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var kindsWriter = ByteWriter()
        kinds.encode(into: &kindsWriter)
        checkpoint.kindsSection = kindsWriter.bytes
        return checkpoint
    }

    /// The consume-queue files that hold only entries before their queue's first offset
    /// (retention deleted their records) go.
    func planCompactedQueues(_ storage: Storage, _ plan: inout PersistPlan) {
        queuesCompactedHanded = queuesCompacted
        queuesCompacted = []
        let fileBytes = Int64(configuration.consumeQueueFileEntries) * Int64(ConsumeQueue.entrySize)
        let perSegment = Int64(keyIndex.segmentEntries)
        if keyIndex.firstSegment > keyIndexFilesRemovedBefore {
            keyIndexFilesRemovedBefore = keyIndex.firstSegment
            // Key-index files are named by their first entry number.
            plan.removedQueueFiles.append(
                (storage.keyIndexDirectory, before: Int64(keyIndex.firstSegment) * perSegment, perSegment))
        }
        for queue in queuesCompactedHanded {
            guard let state = topics[queue.topic]?.queue(queue.queueID) else { continue }
            plan.removedQueueFiles.append(
                (
                    storage.queueDirectory(queue), before: state.minOffset.rawValue * Int64(ConsumeQueue.entrySize),
                    fileBytes
                ))
        }
    }

    /// The consume-queue entries not yet handed over.
    func planConsumeQueues(_ storage: Storage, _ plan: inout PersistPlan) {
        for name in topics.keys.sorted(by: utf8Precedes) {
            for id in topics[name, default: TopicState(queueCount: 0)].queues.indices {
                guard let (from, bytes) = topics[name, default: TopicState(queueCount: 0)].queues[id].handOff() else {
                    continue
                }
                let key = MessageQueue(topic: name, queueID: Int32(id))
                let first = topics[name, default: TopicState(queueCount: 0)].queues[id].minOffset
                if from == .zero || from == first { plan.directories.append(storage.queueDirectory(key)) }
                let perFile = Int64(configuration.consumeQueueFileEntries)
                let entrySize = Int64(ConsumeQueue.entrySize)
                var offset = from.rawValue
                let end = from.rawValue + Int64(bytes.count) / entrySize
                while offset < end {
                    let file = offset / perFile
                    let fileEnd = min(end, (file + 1) * perFile)
                    let low = Int((offset - from.rawValue) * entrySize)
                    let high = Int((fileEnd - from.rawValue) * entrySize)
                    plan.add(
                        FileWrite(
                            path: storage.queuePath(key, file: Int(file)),
                            offset: (offset - file * perFile) * entrySize,
                            bytes: bytes[low..<high],
                            createsFile: offset == file * perFile || offset == first.rawValue),
                        in: storage.queueDirectory(key))
                    offset = fileEnd
                }
            }
        }
    }

    /// Key-index entries go after their segment's slot table; a segment's slot table is written
    /// once, when the segment is full.
    func planKeyIndex(_ storage: Storage, _ plan: inout PersistPlan) {
        let (from, entries, slotTables) = keyIndex.handOff()
        let perSegment = keyIndex.segmentEntries
        let entrySize = KeyIndex.entrySize
        var number = from
        let end = from + entries.count / entrySize
        while number < end {
            let segment = number / perSegment
            let segmentEnd = min(end, (segment + 1) * perSegment)
            plan.add(
                FileWrite(
                    path: storage.keyIndexPath(segment: segment),
                    offset: Int64(keyIndex.slotTableBytes + (number - segment * perSegment) * entrySize),
                    bytes: entries[((number - from) * entrySize)..<((segmentEnd - from) * entrySize)],
                    createsFile: number == segment * perSegment),
                in: storage.keyIndexDirectory)
            number = segmentEnd
        }
        for (segment, slots) in slotTables {
            var table = ByteWriter(capacity: slots.count * 4)
            for slot in slots { table.writeUInt32(slot) }
            plan.add(
                FileWrite(path: storage.keyIndexPath(segment: segment), offset: 0, bytes: table.bytes[...]),
                in: storage.keyIndexDirectory)
        }
    }

    static func readCheckpoint(_ storage: Storage, configuration: CommitLogConfiguration) throws(CommitLogError)
        -> Checkpoint
    {
        guard try storage.files.exists("checkpoint", in: storage.root) else {
            return Checkpoint(
                fileSize: configuration.commitLogFileSize, keyIndexSegmentEntries: configuration.keyIndexSegmentEntries)
        }
        let bytes = try storage.files.readAll(storage.checkpointPath)
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(decoding: bytes)
        } catch .unsupportedVersion(let found, _) where found < Checkpoint.oldestReadable {
            throw .olderLayout(file: storage.checkpointPath, version: found)
        } catch {
            throw .corruptCheckpoint(file: storage.checkpointPath, error)
        }
        guard checkpoint.fileSize == configuration.commitLogFileSize else {
            throw .invalidConfiguration(
                InvalidConfiguration(
                    key: "dataFileSize", value: String(configuration.commitLogFileSize),
                    expected: "\(checkpoint.fileSize), the size the existing files in \(storage.root) were written with"
                ))
        }
        return checkpoint
    }
}
