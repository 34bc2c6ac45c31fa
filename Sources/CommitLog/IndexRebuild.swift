import Bytes
import FileIO
import LedgerModel
import Raft

/// Rebuilds consume queues and the key index from the commit log (RocketMQ's dispatch on
/// abnormal recovery): one pass over the records before the checkpoint's end, each CRC-checked
/// and checked to sit where the checkpoint says, written out a few MiB at a time so memory
/// stays bounded however long the log is.
struct IndexRebuild {
    let machine: CommitLogStateMachine
    let storage: Storage
    let checkpoint: Checkpoint
    /// Queues to rebuild; every queue's offsets are checked.
    let queues: [MessageQueue]
    let keyIndex: Bool
    /// Records read and checked.
    private(set) var records = 0

    /// Rebuilt entries are written out once they hold this many bytes.
    static let flushBytes = 4 << 20
    /// Commit-log bytes read at once.
    static let readBytes = 4 << 20

    private var files: StoreFiles { storage.files }
    private var fileSize: Int { machine.configuration.commitLogFileSize }
    /// The next queue offset expected per topic and queue id.
    private var nextOffsets: [String: [Int64]] = [:]
    private var rebuilding: [String: [Bool]] = [:]
    private var buffer = ReadBuffer(readAhead: IndexRebuild.readBytes)

    init(
        machine: CommitLogStateMachine, storage: Storage, checkpoint: Checkpoint, queues: [MessageQueue],
        keyIndex: Bool
    ) {
        self.machine = machine
        self.storage = storage
        self.checkpoint = checkpoint
        self.queues = queues
        self.keyIndex = keyIndex
        for topic in checkpoint.topics {
            nextOffsets[topic.name] = Array(repeating: 0, count: topic.queues.count)
            rebuilding[topic.name] = Array(repeating: false, count: topic.queues.count)
        }
        for queue in queues { rebuilding[queue.topic, default: []][Int(queue.queueID)] = true }
    }

    mutating func run() throws(CommitLogError) {
        for queue in queues {
            let directory = storage.queueDirectory(queue)
            try files.makeDirectories(directory)
            try files.removeFiles(in: directory)
            machine.topics[queue.topic, default: TopicState(queueCount: 0)].queues[Int(queue.queueID)] = ConsumeQueue()
        }
        if keyIndex {
            try files.removeFiles(in: storage.keyIndexDirectory)
            machine.keyIndex = KeyIndex(segmentEntries: machine.configuration.keyIndexSegmentEntries)
        }
        let end = checkpoint.commitLogEnd.rawValue
        let fileCount = end == 0 ? 0 : Int((end - 1) / Int64(fileSize)) + 1
        for file in 0..<fileCount {
            let isLast = file == fileCount - 1
            let readable = isLast ? Int(end - Int64(file) * Int64(fileSize)) : fileSize
            try scan(file: file, readable: readable, isLast: isLast)
        }
        try flush()
        try checkCounts()
    }

    /// Walks the records of one commit-log file up to `readable`.
    private mutating func scan(file: Int, readable: Int, isLast: Bool) throws(CommitLogError) {
        let start = Int64(file) * Int64(fileSize)
        let path = storage.commitLogPath(file: file)
        var position = 0
        while position < readable {
            let physical = PhysicalOffset(start + Int64(position))
            let slot = try buffer.slot(at: position, of: path, readable: readable, files)
            do throws(DecodeError) {
                switch try slot.get() {
                case (_, .blank):
                    guard !isLast else {
                        throw .invalidValue(
                            field: "magic code", offset: 4, reason: "a blank before the checkpoint's end")
                    }
                    return
                case (let at, .record(let size)):
                    let message = try StoredMessage(decoding: buffer.bytes, at: at)
                    guard message.physicalOffset == physical else {
                        throw .invalidValue(
                            field: "physical offset", offset: 28,
                            reason: "\(message.physicalOffset), expected \(physical)")
                    }
                    try dispatch(message, size: size)
                    records += 1
                    position += size
                }
            } catch {
                throw .corruptRecord(file: path, offset: physical, error)
            }
            if records % 1024 == 0 && machine.retainedBytes >= Self.flushBytes { try flush() }
        }
        guard isLast else {
            throw .corruptRecord(
                file: path, offset: PhysicalOffset(start + Int64(position)),
                .truncated(field: "end-of-file blank", offset: 0, needed: MessageRecord.blankLength, available: 0))
        }
    }

    private mutating func dispatch(_ message: StoredMessage, size: Int) throws(DecodeError) {
        // A deleted topic's keys stay in the key index (lookups skip them), its queues are gone.
        if machine.isDeleted(topic: message.topic, at: message.physicalOffset) { return indexKeys(of: message) }
        guard var expected = nextOffsets[message.topic] else {
            throw .invalidValue(field: "topic", offset: 0, reason: "\(message.topic) is not in the checkpoint")
        }
        guard message.queueID >= 0, Int(message.queueID) < expected.count else {
            throw .invalidValue(field: "queue id", offset: 12, reason: "\(message.queueID) of \(expected.count) queues")
        }
        let id = Int(message.queueID)
        guard message.queueOffset.rawValue == expected[id] else {
            throw .invalidValue(
                field: "queue offset", offset: 20, reason: "\(message.queueOffset), expected \(expected[id])")
        }
        expected[id] += 1
        nextOffsets[message.topic] = expected
        if rebuilding[message.topic, default: []][id] {
            machine.topics[message.topic, default: TopicState(queueCount: 0)].queues[id].append(
                ConsumeQueueEntry(
                    physicalOffset: message.physicalOffset, size: Int32(size),
                    tagsCode: JavaHash.tagsCode(message.tags)))
        }
        indexKeys(of: message)
    }

    private func indexKeys(of message: StoredMessage) {
        guard keyIndex else { return }
        for key in message.keys {
            machine.keyIndex.insert(hash: KeyIndex.hash(topic: message.topic, key: key), offset: message.physicalOffset)
        }
    }

    /// Writes and syncs the rebuilt entries held in memory, then drops them.
    private func flush() throws(CommitLogError) {
        var plan = PersistPlan()
        machine.planConsumeQueues(storage, &plan)
        machine.planKeyIndex(storage, &plan)
        try plan.perform(files)
        for queue in queues {
            machine.topics[queue.topic, default: TopicState(queueCount: 0)].queues[Int(queue.queueID)].releaseHanded()
        }
        machine.keyIndex.releaseHanded()
    }

    /// Every queue must end where the checkpoint says, and the key index hold as many entries.
    private func checkCounts() throws(CommitLogError) {
        for topic in checkpoint.topics {
            let found = nextOffsets[topic.name, default: []]
            for (id, range) in topic.queues.enumerated() where found[id] != range.maxOffset.rawValue {
                throw .inconsistent(
                    file: storage.checkpointPath,
                    detail: "queue \(topic.name)/\(id) has \(found[id]) messages in the commit log, "
                        + "the checkpoint says \(range.maxOffset)")
            }
        }
        if keyIndex, let expected = checkpoint.keyIndexEntries,
            checkpoint.keyIndexSegmentEntries == machine.keyIndex.segmentEntries,
            machine.keyIndex.count != expected
        {
            throw .inconsistent(
                file: storage.checkpointPath,
                detail: "the commit log holds \(machine.keyIndex.count) keys, the checkpoint says \(expected)")
        }
    }
}
