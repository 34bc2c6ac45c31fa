import LogStore
import Raft

/// Where the state machine's files live and how much of its state they hold durably.
///
/// Layout under the root directory (RocketMQ's store layout):
/// - `commitlog/<20-digit start offset>`: fixed-size commit-log files;
/// - `consumequeue/<topic>/<queue id>/<20-digit start byte>`: 20-byte consume-queue entries;
/// - `checkpoint`: ``Checkpoint``, replaced atomically (`checkpoint.tmp`, sync, rename, sync dir).
struct Storage {
    let files: StoreFiles
    let root: String
    /// Commit-log bytes that are in files and synced.
    var durableEnd = PhysicalOffset.zero
    /// Consume-queue entries (count from offset 0) in files and synced.
    var durableEntries: [MessageQueue: Int] = [:]

    var commitLogDirectory: String { "\(root)/commitlog" }
    var consumeQueueDirectory: String { "\(root)/consumequeue" }
    func queueDirectory(_ queue: MessageQueue) -> String { "\(consumeQueueDirectory)/\(queue.topic)/\(queue.queueID)" }
    var checkpointPath: String { "\(root)/checkpoint" }

    /// RocketMQ's `UtilAll.offset2FileName`: the offset in 20 zero-padded digits.
    static func fileName(_ offset: Int64) -> String {
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The offset a 20-digit file name stands for, or nil.
    static func offset(fileName name: String) -> Int64? {
        guard name.utf8.count == 20, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(name)
    }
}

/// What ``CommitLogStateMachine/open(directory:fileSystem:configuration:)`` found and repaired.
public struct CommitLogRecoveryReport: Hashable, Sendable {
    /// The last entry whose effects the files hold; replay the Raft log from the next one.
    public var appliedIndex: LogIndex
    /// Bytes of commit log recovered.
    public var commitLogEnd: PhysicalOffset
    /// Records read back (each CRC-checked).
    public var messages: Int
    /// Queues whose consume-queue files were missing, behind or wrong and were rebuilt from the
    /// commit log.
    public var rebuiltQueues: [MessageQueue]
    /// Commit-log bytes past the checkpoint (written but not checkpointed) that were cut off;
    /// the Raft log replays them.
    public var discardedBytes: Int64
}

extension CommitLogStateMachine {
    /// Opens (creating if needed) the store under `directory` and restores the state of its last
    /// checkpoint: loads and CRC-checks every commit-log record, cuts off bytes written after
    /// the checkpoint, and rebuilds consume queues that are missing, behind or inconsistent.
    /// ``recovery`` says what was found; ``appliedIndex`` is where Raft replay resumes. All
    /// file I/O goes through `fileSystem`.
    public static func open(
        directory: String, fileSystem: any FileSystem, configuration: CommitLogConfiguration = CommitLogConfiguration()
    ) throws(CommitLogError) -> CommitLogStateMachine {
        try configuration.validate()
        let machine = CommitLogStateMachine(configuration: configuration)
        var storage = Storage(files: StoreFiles(fs: fileSystem), root: directory)
        let files = storage.files
        try files.makeDirectories(directory)
        try files.makeDirectories(storage.commitLogDirectory)
        try files.makeDirectories(storage.consumeQueueDirectory)
        if try files.exists("checkpoint.tmp", in: directory) {
            try files.unlink("\(directory)/checkpoint.tmp")
            try files.syncDirectory(directory)
        }
        let checkpoint = try readCheckpoint(storage, configuration: configuration)
        var recovery = Recovery(machine: machine, storage: storage, checkpoint: checkpoint)
        try recovery.run()
        storage.durableEnd = checkpoint.commitLogEnd
        storage.durableEntries = recovery.durableEntries
        machine.storage = storage
        machine.recovery = recovery.report
        return machine
    }

    /// Writes everything applied since the last call to the files, syncs them, then replaces the
    /// checkpoint. After it returns, a restart resumes at ``appliedIndex``. The node calls it
    /// periodically and before compacting the Raft log up to ``appliedIndex`` (entries after the
    /// last checkpoint must stay in the Raft log for replay). A failure leaves the durable
    /// state unknown: stop the node, do not retry. Does nothing for a memory-only machine.
    public func persist() throws(CommitLogError) {
        guard let fileSystem = storage?.files.fs, let pending = try beginPersist() else { return }
        try pending.perform(on: fileSystem)
    }

    /// The first half of ``persist()``, for an owner that keeps its thread free of fsyncs:
    /// writes everything applied since the last call into the files (no sync) and returns what
    /// remains — syncing those files and replacing the checkpoint — as a value that
    /// ``PendingPersist/perform(on:)`` completes on any thread. Until it has, do not call
    /// `beginPersist` or `persist` again (applying entries meanwhile is fine: it touches no
    /// file). Returns nil for a memory-only machine.
    public func beginPersist() throws(CommitLogError) -> PendingPersist? {
        guard var storage else { return nil }
        var touched = TouchedFiles()
        try writeCommitLog(&storage, &touched)
        try writeConsumeQueues(&storage, &touched)
        self.storage = storage
        return PendingPersist(
            files: touched.files, directories: touched.directories,
            checkpoint: checkpoint().encoded(), checkpointPath: storage.checkpointPath, root: storage.root,
            appliedIndex: appliedIndex)
    }

    /// The checkpoint of the current state.
    func checkpoint() -> Checkpoint {
        var checkpoint = Checkpoint(fileSize: configuration.commitLogFileSize)
        checkpoint.appliedIndex = appliedIndex
        checkpoint.digest = digest
        checkpoint.commitLogEnd = commitLog.writeOffset
        checkpoint.lastStoreTimestamp = lastStoreTimestamp
        checkpoint.topics = topics.keys.sorted(by: utf8Precedes).map { name in
            let queues = topics[name, default: TopicState(queueCount: 0)].queues
            return (name, queues.map { Checkpoint.QueueRange(minOffset: $0.minOffset, maxOffset: $0.maxOffset) })
        }
        checkpoint.producers = producers.sorted
        checkpoint.offsets = consumerOffsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return checkpoint
    }

    private func writeCommitLog(_ storage: inout Storage, _ touched: inout TouchedFiles) throws(CommitLogError) {
        let end = commitLog.writeOffset
        guard storage.durableEnd < end else { return }
        // The durable end was a write offset, so it lies inside the written bytes of some file.
        guard let first = commitLog.locate(storage.durableEnd) else {
            preconditionFailure("durable end \(storage.durableEnd) outside the commit log ending at \(end)")
        }
        let files = storage.files
        var created = false
        for index in first.file..<commitLog.files.count {
            let start = commitLog.startOffset(ofFile: index)
            let path = "\(storage.commitLogDirectory)/\(Storage.fileName(start))"
            let from = index == first.file ? first.position : 0
            created = created || from == 0
            let file = try files.open(path, create: true)
            try files.write(file, at: Int64(from), commitLog.files[index][from...])
            // A full file gets its fixed size (the bytes after the blank read as zeros).
            if index < commitLog.files.count - 1 {
                try files.truncate(file, to: Int64(configuration.commitLogFileSize))
            }
            try files.close(file)
            touched.files.append(path)
        }
        if created { touched.directories.append(storage.commitLogDirectory) }
        storage.durableEnd = end
    }

    private func writeConsumeQueues(_ storage: inout Storage, _ touched: inout TouchedFiles) throws(CommitLogError) {
        for name in topics.keys.sorted(by: utf8Precedes) {
            let queues = topics[name, default: TopicState(queueCount: 0)].queues
            for (id, queue) in queues.enumerated() {
                let key = MessageQueue(topic: name, queueID: Int32(id))
                let durable = storage.durableEntries[key, default: 0]
                guard queue.count > durable else { continue }
                let directory = storage.queueDirectory(key)
                if durable == 0 { try storage.files.makeDirectories(directory) }
                try Self.writeQueueEntries(
                    queue, from: durable, perFile: configuration.consumeQueueFileEntries, directory: directory,
                    storage.files, touched: &touched)
                storage.durableEntries[key] = queue.count
            }
        }
    }

    /// Writes entries `from..<queue.count` into their files and syncs each file touched.
    static func writeQueueEntries(
        _ queue: ConsumeQueue, from: Int, perFile: Int, directory: String, _ files: StoreFiles
    ) throws(CommitLogError) {
        var touched = TouchedFiles()
        try writeQueueEntries(queue, from: from, perFile: perFile, directory: directory, files, touched: &touched)
        try touched.sync(files)
    }

    /// Writes entries `from..<queue.count` into their files without syncing; adds the files
    /// (and the directory, when a file was created) to `touched`.
    static func writeQueueEntries(
        _ queue: ConsumeQueue, from: Int, perFile: Int, directory: String, _ files: StoreFiles,
        touched: inout TouchedFiles
    ) throws(CommitLogError) {
        var offset = from
        var created = false
        while offset < queue.count {
            let fileIndex = offset / perFile
            let fileEnd = min(queue.count, (fileIndex + 1) * perFile)
            let fileStart = Int64(fileIndex * perFile * ConsumeQueue.entrySize)
            let path = "\(directory)/\(Storage.fileName(fileStart))"
            created = created || offset == fileIndex * perFile
            let file = try files.open(path, create: true)
            let bytes = queue.bytes(for: QueueOffset(Int64(offset))..<QueueOffset(Int64(fileEnd)))
            try files.write(file, at: Int64((offset - fileIndex * perFile) * ConsumeQueue.entrySize), bytes)
            try files.close(file)
            touched.files.append(path)
            offset = fileEnd
        }
        if created { touched.directories.append(directory) }
    }

    static func readCheckpoint(_ storage: Storage, configuration: CommitLogConfiguration) throws(CommitLogError)
        -> Checkpoint
    {
        guard try storage.files.exists("checkpoint", in: storage.root) else {
            return Checkpoint(fileSize: configuration.commitLogFileSize)
        }
        let bytes = try storage.files.readAll(storage.checkpointPath)
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(decoding: bytes)
        } catch {
            throw .corruptCheckpoint(file: storage.checkpointPath, error)
        }
        guard checkpoint.fileSize == configuration.commitLogFileSize else {
            throw .invalidConfiguration(
                key: "commitLogFileSize", value: String(configuration.commitLogFileSize),
                expected: "\(checkpoint.fileSize), the size the existing files in \(storage.root) were written with")
        }
        return checkpoint
    }
}

/// Files written but not yet synced, and directories whose new entries are not yet synced.
struct TouchedFiles {
    var files: [String] = []
    var directories: [String] = []

    /// fsyncs every file (`open` + `fsync` + `close`: fsync flushes the file's dirty pages
    /// whichever descriptor wrote them), then every directory.
    func sync(_ store: StoreFiles) throws(CommitLogError) {
        for path in files {
            let file = try store.open(path, create: false)
            try store.sync(file)
            try store.close(file)
        }
        for directory in directories { try store.syncDirectory(directory) }
    }
}

/// The second half of a persist begun by ``CommitLogStateMachine/beginPersist()``: the files
/// it wrote still to sync, then the checkpoint to replace. Holds no reference to the state
/// machine, so it may run on a disk thread while the owner keeps applying entries.
public struct PendingPersist: Sendable {
    let files: [String]
    let directories: [String]
    let checkpoint: [UInt8]
    let checkpointPath: String
    let root: String
    /// The applied index the checkpoint records: once ``perform(on:)`` returns, a restart
    /// resumes after it.
    public let appliedIndex: LogIndex

    /// Syncs the written files and directories, then replaces the checkpoint atomically (temp
    /// file, sync, rename, sync directory): data before the checkpoint that names it. A failure
    /// leaves the durable state unknown: stop the node, do not retry. `fileSystem` must be the
    /// one the state machine was opened with.
    public func perform(on fileSystem: any FileSystem) throws(CommitLogError) {
        let store = StoreFiles(fs: fileSystem)
        try TouchedFiles(files: files, directories: directories).sync(store)
        try store.replaceAtomically(checkpoint, path: checkpointPath, directory: root)
    }
}
