import LedgerModel
import Raft

/// The replicated message store: RocketMQ's CommitLog, consume queues and consumer offsets,
/// driven by committed Raft entries.
///
/// Contract:
/// - ``apply(entry:)`` takes committed entries in log order; the same entries produce the same
///   results, the same ``digest`` and byte-identical files on every replica (no clock, no
///   randomness, no hash-order iteration).
/// - Queries (``pull(topic:queueID:offset:maxCount:filter:)`` and the others in
///   `CommitLogStateMachine+Queries.swift`) read only applied, hence committed, state.
/// - Messages are not stored here: a send's entry body holds its RocketMQ records (written once,
///   in the Raft log) and this machine indexes them: consume queues, the key index, offsets.
///   Records are read back through the ``MessageLog`` it was given.
/// - Memory holds only the index entries applied since the last completed persist (plus one
///   key-index slot table and one read window); older ones are read from the files (see
///   `CommitLogStateMachine+Reads.swift`). A machine without files keeps everything.
/// - Single owner: not thread-safe; the node's apply thread owns it. Only the second half of a
///   persist (``PendingPersist/perform(on:)``) may run on another thread.
public final class CommitLogStateMachine {
    /// The settings it was created with; the same on every replica.
    public let configuration: CommitLogConfiguration
    /// The index of the last applied entry; 0 before any.
    public internal(set) var appliedIndex = LogIndex.zero
    /// Running digest of everything applied (stored records, offset commits, rejections and the
    /// entry indices). Equal digests at equal applied indices mean equal state.
    public var digest: UInt64 { runningDigest.value }

    var runningDigest = Digest()
    /// Where the records are: the one log (its owner adds the entries; apply only reads).
    public let log: any MessageLog
    /// The end of the last record stored (its physical offset plus its size).
    var lastRecordEnd = PhysicalOffset.zero
    /// Messages stored since the last ``beginPersist()``.
    var unpersistedMessages = 0
    var topics: [String: TopicState] = [:]
    var producers: ProducerTable
    /// RocketMQ producers' idempotence: results by message unique key.
    var uniqueKeys: UniqueKeyTable
    var consumerOffsets: [OffsetKey: QueueOffset] = [:]
    /// Deleted topics: the commit-log end when each was last deleted (see
    /// `CommitLogStateMachine+Topics.swift`).
    var deletedTopics: [String: PhysicalOffset] = [:]
    /// Topics deleted since the last persist began; it removes their consume-queue files.
    var topicsToRemove: [String] = []
    /// The topics whose files the persist in flight removes (given back if it is abandoned).
    var topicsHandedForRemoval: [String] = []
    /// Lookup by key: `topic#key` hash → physical offsets.
    var keyIndex: KeyIndex
    /// Delay levels' deliveries, stored send-backs, half messages waiting.
    var kinds: MessageKindsState
    /// The largest store timestamp written; later records never go below it.
    var lastStoreTimestamp: Int64 = 0
    /// Set when the state lives in files (see `CommitLogStateMachine+Persistence.swift`).
    var storage: Storage?
    /// The applied index of the persist begun and not yet completed, if any.
    var persistInFlight: LogIndex?
    /// Log bytes last read, for the next read nearby.
    var window = ReadBuffer(readAhead: CommitLogStateMachine.readAheadBytes)
    /// How much of the log a read fetches at once.
    static let readAheadBytes = 256 << 10
    /// Durable snapshots of the metadata, oldest first (see `CommitLogStateMachine+Snapshots.swift`).
    public internal(set) var snapshots: [SnapshotInfo] = []
    /// Snapshots taken and not yet handed to a persist; those the persist in flight writes.
    var snapshotsToWrite: [StateSnapshot] = []
    var snapshotsHanded: [StateSnapshot] = []
    /// A memory-only machine's snapshots.
    var memorySnapshots: [(index: LogIndex, bytes: [UInt8])] = []
    /// Queues whose first entries retention deleted since the last persist began (their files
    /// before the new first entry go with it), and those the persist in flight handles.
    var queuesCompacted: [MessageQueue] = []
    var queuesCompactedHanded: [MessageQueue] = []
    /// The key index's first segment when a persist last removed the files before it.
    var keyIndexFilesRemovedBefore = 0
    /// What ``open(directory:fileSystem:configuration:)`` found; nil for a memory-only machine.
    public internal(set) var recovery: CommitLogRecoveryReport?

    /// Bytes a record's entry adds around it: the log store's record header (56) and the
    /// records header (``RecordsEntry``), rounded up.
    static let entryOverheadBytes = 128

    /// An empty state machine without files, reading records from `log`. `configuration` must
    /// pass ``CommitLogConfiguration/validate()``.
    public init(
        configuration: CommitLogConfiguration = CommitLogConfiguration(), log: any MessageLog = MemoryMessageLog()
    ) {
        do {
            try configuration.validate()
        } catch {
            preconditionFailure("\(error); validate the configuration before creating the state machine")
        }
        self.configuration = configuration
        self.log = log
        self.producers = ProducerTable(capacity: configuration.maxProducers)
        self.uniqueKeys = UniqueKeyTable(
            capacity: configuration.maxUniqueKeys, indexSeed: configuration.uniqueKeyIndexSeed)
        self.keyIndex = KeyIndex(segmentEntries: configuration.keyIndexSegmentEntries)
        self.kinds = MessageKindsState(
            levels: configuration.delayLevels.count, sentBackCapacity: configuration.maxUniqueKeys)
    }

    /// Bytes of index data held in memory: consume-queue and key-index entries not yet written
    /// by a completed persist, key-index slot tables, the read window.
    /// After a persist completes it is at most about ``retainedBytesAfterPersist``.
    public var retainedBytes: Int {
        var total = keyIndex.retainedBytes + window.bytes.capacity
        for topic in topics.values {
            for queue in topic.queues { total += queue.retainedBytes }
        }
        return total
    }

    /// The most ``retainedBytes`` can be right after a persist completed (nothing applied
    /// since), whatever was stored before: the active key-index slot table and a read window,
    /// each perhaps rounded up to whole pages by the allocator.
    public var retainedBytesAfterPersist: Int { keyIndex.slotTableBytes + Self.readAheadBytes + 2 * 4096 }

    /// Index bytes applied and not yet handed to a persist (a consume-queue and a key-index
    /// entry per message, about): what the next ``beginPersist()`` hands over. The node persists
    /// when this grows large, which bounds the memory the indexes take.
    public var unpersistedBytes: Int { unpersistedMessages * (ConsumeQueue.entrySize + KeyIndex.entrySize) }

    /// Applies one committed entry, whose data starts at log position `bodyPosition` (where the
    /// entry lies in the one log; it holds the records of a send), and returns the outcome of
    /// its command: one result per stored message (a batch gives one per message), or one
    /// ``ApplyResult/rejected(_:)``. A no-op entry and a raw append (``EntryPayload/raw(_:)``)
    /// apply nothing and return no results. Entries at or below ``appliedIndex`` were applied
    /// already (a replay after restart) and are skipped with no results; an entry beyond
    /// `appliedIndex + 1` is a programmer error.
    public func apply(entry: Entry, bodyPosition: Int64) -> [ApplyResult] {
        if entry.index <= appliedIndex { return [] }
        precondition(entry.index == appliedIndex.next, "entry \(entry.index) applied after \(appliedIndex)")
        appliedIndex = entry.index
        runningDigest.fold(entry.index.rawValue)
        guard entry.kind == .normal else { return [] }
        let results: [ApplyResult]
        do {
            switch try EntryPayload(decoding: entry.data) {
            case .raw:
                results = []
            case .records(let header):
                results = applyRecords(header, entry.data, bodyPosition: bodyPosition, index: entry.index)
            case .command(.send), .command(.sendBatch):
                results = [.rejected(.sendNotAsRecords)]
            case .command(.commitOffset(let commit)):
                results = [applyOffsetCommit(commit)]
            case .command(.updateTopic(let update)):
                results = [applyUpdateTopic(update)]
            case .command(.deleteTopic(let deletion)):
                results = [applyDeleteTopic(deletion)]
            case .command(.rollbackTransaction(let rollback)):
                results = [applyRollback(rollback)]
            case .command(.checkTransaction(let check)):
                results = [applyCheck(check)]
            }
        } catch {
            results = [.rejected(.malformed(error))]
        }
        for case .rejected(let reason) in results { runningDigest.fold(reason.description) }
        return results
    }

    func applyOffsetCommit(_ commit: OffsetCommit) -> ApplyResult {
        if let problem = offsetCommitProblem(commit) { return .rejected(problem) }
        consumerOffsets[OffsetKey(group: commit.group, queue: commit.queue)] = commit.offset
        runningDigest.fold(commit.group)
        runningDigest.fold(commit.queue.topic)
        runningDigest.fold(commit.queue.queueID)
        runningDigest.fold(commit.offset.rawValue)
        return .offsetCommitted(commit)
    }

    /// Why an offset commit would be rejected in the current state, or nil.
    func offsetCommitProblem(_ commit: OffsetCommit) -> CommandRejection? {
        guard !commit.group.isEmpty, commit.group.utf8.count <= 255 else { return .invalidGroup(commit.group) }
        guard let topic = topics[commit.queue.topic] else { return .topicNotFound(commit.queue.topic) }
        guard let queue = topic.queue(commit.queue.queueID) else {
            return .queueOutOfRange(commit.queue, queueCount: topic.queueCount)
        }
        guard commit.offset >= .zero, commit.offset <= queue.maxOffset else {
            return .offsetOutOfRange(commit.queue, offset: commit.offset, maxOffset: queue.maxOffset)
        }
        return nil
    }

    /// What ``apply(entry:)`` would reject `command` for if it applied now, or nil. The node
    /// calls it before proposing so bad input (a body over `maxMessageSize`, a queue out of
    /// range) never reaches the log; apply still checks, since state may change before commit.
    /// Idempotence is not checked here: a retry is not an error.
    public func precheck(_ command: Command) -> CommandRejection? {
        switch command {
        case .send(let message, let stamp):
            if case .failure(let reason) = prepare(message, stamp: stamp) { return reason }
            return nil
        case .sendBatch(let batch, let stamp):
            if batch.messages.isEmpty { return .emptyBatch }
            for (position, message) in batch.messages.enumerated() {
                if message.producer != nil { return .stampInsideBatch(index: position) }
                if case .failure(let reason) = prepare(message, stamp: stamp) {
                    return .batchMessageRejected(index: position, reason)
                }
            }
            return nil
        case .commitOffset(let commit):
            return offsetCommitProblem(commit)
        case .updateTopic(let update):
            return topicUpdateProblem(update)
        case .deleteTopic(let deletion):
            return topicDeletionProblem(deletion)
        case .rollbackTransaction(let rollback):
            return kinds.pending[rollback.half] == nil ? .transactionNotPending(rollback.half) : nil
        case .checkTransaction(let check):
            return kinds.pending[check.half] == nil ? .transactionNotPending(check.half) : nil
        }
    }
}

/// A topic's queues.
struct TopicState {
    var queues: [ConsumeQueue]

    init(queueCount: Int32) { queues = Array(repeating: ConsumeQueue(), count: Int(queueCount)) }

    var queueCount: Int32 { Int32(queues.count) }

    func queue(_ id: Int32) -> ConsumeQueue? { id >= 0 && Int(id) < queues.count ? queues[Int(id)] : nil }
}

/// A consumer group's position on one queue.
struct OffsetKey: Hashable, Comparable {
    var group: String
    var queue: MessageQueue

    static func < (lhs: OffsetKey, rhs: OffsetKey) -> Bool {
        if lhs.group != rhs.group { return utf8Precedes(lhs.group, rhs.group) }
        return lhs.queue < rhs.queue
    }
}
