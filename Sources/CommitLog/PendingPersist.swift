import FileIO
import Raft

/// One `pwrite` of a persist: bytes for a range of a file, and optionally the file's final size.
struct FileWrite: Sendable {
    var path: String
    var offset: Int64
    var bytes: ArraySlice<UInt8>
    /// `ftruncate` to this size after writing (a commit-log file closed by its blank).
    var truncateTo: Int64? = nil
    /// Whether this write starts the file (its directory entry is new).
    var createsFile = false
}

/// The file work of a persist, in order: create directories, write and sync each file, sync
/// the directories that gained files.
struct PersistPlan: Sendable {
    /// Directories to create (with their parents) before writing.
    var directories: [String] = []
    /// Deleted topics' consume queues: the files of each queue directory under
    /// `root/topic` are removed (and the removal synced) before anything is written.
    var removedTopics: [(root: String, topic: String)] = []
    /// Consume-queue files of `fileBytes` bytes in `directory` that end at or before byte
    /// `before` (entries retention left behind) are removed; key-index segments likewise, counted
    /// in entries.
    var removedQueueFiles: [(directory: String, before: Int64, fileBytes: Int64)] = []
    /// Writes, in order; consecutive writes to one file share one open and one sync.
    private(set) var writes: [FileWrite] = []
    /// Directories in which a file is created: synced after the files.
    private(set) var directoriesWithNewFiles: [String] = []

    /// Adds `write` to a file of `directory`.
    mutating func add(_ write: FileWrite, in directory: String) {
        writes.append(write)
        if write.createsFile && !directoriesWithNewFiles.contains(directory) {
            directoriesWithNewFiles.append(directory)
        }
    }

    /// Removes the consume-queue files retention left behind (after the checkpoint that no
    /// longer counts on them replaced the old one; recovery removes any a crash left).
    func removeCompactedQueueFiles(_ files: StoreFiles) throws(CommitLogError) {
        for (directory, before, fileBytes) in removedQueueFiles where try files.exists(path: directory) {
            var removed = false
            for name in try files.list(directory) {
                guard let start = SegmentedFileName.start(of: name, as: Int64.self), start + fileBytes <= before else {
                    continue
                }
                try files.unlink("\(directory)/\(name)")
                removed = true
            }
            if removed { try files.syncDirectory(directory) }
        }
    }

    /// Bytes written.
    var byteCount: Int { writes.reduce(0) { $0 + $1.bytes.count } }

    /// Performs the plan: every file is written and `fdatasync`ed, every directory that gained a
    /// file `fsync`ed, before it returns.
    func perform(_ files: StoreFiles) throws(CommitLogError) {
        for (root, topic) in removedTopics where try files.exists(topic, in: root) {
            for queue in try files.list("\(root)/\(topic)") {
                try files.removeFiles(in: "\(root)/\(topic)/\(queue)")
                try files.syncDirectory("\(root)/\(topic)/\(queue)")
            }
        }
        for directory in directories { try files.makeDirectories(directory) }
        var next = 0
        while next < writes.count {
            let path = writes[next].path
            try files.withFile(path, create: true) { (file) throws(CommitLogError) in
                while next < writes.count && writes[next].path == path {
                    let write = writes[next]
                    try files.write(file, at: write.offset, write.bytes)
                    if let size = write.truncateTo { try files.truncate(file, to: size) }
                    next += 1
                }
                try files.sync(file)
            }
        }
        for directory in directoriesWithNewFiles { try files.syncDirectory(directory) }
    }
}

/// The second half of a persist begun by ``CommitLogStateMachine/beginPersist()``: the bytes it
/// was handed to write and sync, then the checkpoint to replace. Holds no reference to the state
/// machine (the bytes are immutable copies the machine shares until
/// ``CommitLogStateMachine/completePersist(through:)``), so it may run on a disk thread while
/// the owner keeps applying entries and answering queries.
///
/// The checkpoint and the snapshots travel as values and are encoded by ``perform(on:)``: with
/// a full unique-key table they take a few hundred kilobytes, written off the owner's thread.
public struct PendingPersist: Sendable {
    let plan: PersistPlan
    /// Snapshots taken since the last persist, each replaced atomically at its path.
    let snapshots: [(path: String, snapshot: StateSnapshot)]
    let checkpoint: Checkpoint
    let checkpointPath: String
    /// The applied index the checkpoint records: once ``perform(on:)`` returns, a restart
    /// resumes after it. Pass it to ``CommitLogStateMachine/completePersist(through:)``.
    public let appliedIndex: LogIndex

    /// Bytes of commit log, consume queues and key index this persist writes.
    public var byteCount: Int { plan.byteCount }

    /// Writes the handed bytes, syncs every file and directory it touched, then replaces the
    /// checkpoint atomically (temp file, sync, rename, sync directory): data before the
    /// checkpoint that names it. A failure leaves the durable state unknown: stop the node, do
    /// not retry. `fileSystem` must be the one the state machine was opened with, and safe to
    /// call from this thread while the owner reads other files through it (``RealFileSystem``
    /// is; ``SimulatedFileSystem`` is single-threaded, so perform there on the owner's thread).
    public func perform(on fileSystem: any FileSystem) throws(CommitLogError) {
        let store = StoreFiles(fs: fileSystem)
        try plan.perform(store)
        for (path, snapshot) in snapshots { try store.replaceAtomically(snapshot.encoded(), path: path) }
        try store.replaceAtomically(checkpoint.encoded(), path: checkpointPath)
        try plan.removeCompactedQueueFiles(store)
    }
}
