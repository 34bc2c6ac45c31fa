import LogStore
import Raft

/// Restores a state machine from its files (see ``CommitLogStateMachine/open(directory:fileSystem:configuration:)``):
/// reads the commit log up to the checkpoint's end, CRC-checks and re-dispatches every record
/// (as RocketMQ's abnormal recovery does), and makes the consume-queue files match.
struct Recovery {
    let machine: CommitLogStateMachine
    let storage: Storage
    let checkpoint: Checkpoint
    private(set) var report: CommitLogRecoveryReport
    /// Consume-queue entries durable in files once recovery is done.
    private(set) var durableEntries: [MessageQueue: Int] = [:]

    private var files: StoreFiles { storage.files }
    private var fileSize: Int { machine.configuration.commitLogFileSize }
    private var queueCounts: [String: Int32] = [:]

    init(machine: CommitLogStateMachine, storage: Storage, checkpoint: Checkpoint) {
        self.machine = machine
        self.storage = storage
        self.checkpoint = checkpoint
        report = CommitLogRecoveryReport(
            appliedIndex: checkpoint.appliedIndex, commitLogEnd: checkpoint.commitLogEnd, messages: 0,
            rebuiltQueues: [],
            discardedBytes: 0)
        for topic in checkpoint.topics { queueCounts[topic.name] = Int32(topic.queues.count) }
    }

    mutating func run() throws(CommitLogError) {
        let files = try loadCommitLog()
        for name in checkpoint.topics.map(\.name) {
            machine.topics[name] = TopicState(queueCount: queueCounts[name, default: 0])
        }
        var prefixes: [[UInt8]] = []
        for (index, bytes) in files.enumerated() {
            prefixes.append(try scan(file: index, bytes: bytes, isLast: index == files.count - 1))
        }
        machine.commitLog.load(prefixes)
        try checkQueueCounts()
        try reconcileConsumeQueues()
        machine.appliedIndex = checkpoint.appliedIndex
        machine.runningDigest = Digest(value: checkpoint.digest)
        machine.lastStoreTimestamp = checkpoint.lastStoreTimestamp
        for (id, record) in checkpoint.producers { machine.producers.restore(id, record) }
        for (key, offset) in checkpoint.offsets { machine.consumerOffsets[key] = offset }
    }

    /// Reads the files covering `0..<commitLogEnd`, deleting files and bytes past it.
    private mutating func loadCommitLog() throws(CommitLogError) -> [[UInt8]] {
        let directory = storage.commitLogDirectory
        let end = checkpoint.commitLogEnd.rawValue
        let needed = end == 0 ? 0 : Int((end - 1) / Int64(fileSize)) + 1
        var present = Set<Int64>()
        var removed = false
        for name in try files.list(directory) {
            guard let start = Storage.offset(fileName: name), start % Int64(fileSize) == 0 else {
                throw .unexpectedFile(
                    path: "\(directory)/\(name)",
                    reason: "not a commit-log file (20 digits, a multiple of the file size \(fileSize))")
            }
            if start >= end {
                report.discardedBytes += try files.size(ofPath: "\(directory)/\(name)")
                try files.unlink("\(directory)/\(name)")
                removed = true
            } else {
                present.insert(start)
            }
        }
        if removed { try files.syncDirectory(directory) }
        var contents: [[UInt8]] = []
        for index in 0..<needed {
            let start = Int64(index) * Int64(fileSize)
            let path = "\(directory)/\(Storage.fileName(start))"
            let isLast = index == needed - 1
            let expected = isLast ? end - start : Int64(fileSize)
            guard present.contains(start) else {
                throw .missingData(file: path, expectedBytes: expected, foundBytes: 0)
            }
            let file = try files.open(path, create: false)
            let found = try files.size(of: file)
            if isLast && found < expected {
                throw .missingData(file: path, expectedBytes: expected, foundBytes: found)
            }
            if isLast && found > expected {
                report.discardedBytes += found - expected
                try files.truncate(file, to: expected)
                try files.sync(file)
            }
            contents.append(try files.read(file, at: 0, count: Int(min(found, expected))))
            try files.close(file)
        }
        return contents
    }

    /// Walks the records of one file, dispatching each to its consume queue and the key index,
    /// and returns the file's written prefix (through the blank of a full file).
    private mutating func scan(file index: Int, bytes: [UInt8], isLast: Bool) throws(CommitLogError) -> [UInt8] {
        let start = Int64(index) * Int64(fileSize)
        let path = "\(storage.commitLogDirectory)/\(Storage.fileName(start))"
        var position = 0
        while position < bytes.count {
            let physical = PhysicalOffset(start + Int64(position))
            do throws(DecodeError) {
                switch try MessageRecord.slot(in: bytes, at: position) {
                case .blank:
                    guard !isLast else {
                        throw DecodeError.invalidValue(
                            field: "magic code", offset: 4, reason: "a blank before the checkpoint's end")
                    }
                    return Array(bytes[..<(position + MessageRecord.blankLength)])
                case .record(let size):
                    let message = try StoredMessage(decoding: bytes, at: position)
                    guard message.physicalOffset == physical else {
                        throw DecodeError.invalidValue(
                            field: "physical offset", offset: 28,
                            reason: "\(message.physicalOffset), expected \(physical)")
                    }
                    try dispatch(message, size: size)
                    position += size
                }
            } catch {
                throw .corruptRecord(file: path, offset: physical, error)
            }
        }
        guard isLast else {
            throw .corruptRecord(
                file: path, offset: PhysicalOffset(start + Int64(position)),
                .truncated(field: "end-of-file blank", offset: 0, needed: MessageRecord.blankLength, available: 0))
        }
        return bytes
    }

    private mutating func dispatch(_ message: StoredMessage, size: Int) throws(DecodeError) {
        guard let count = queueCounts[message.topic] else {
            throw .invalidValue(field: "topic", offset: 0, reason: "\(message.topic) is not in the checkpoint")
        }
        guard message.queueID >= 0, message.queueID < count else {
            throw .invalidValue(field: "queue id", offset: 12, reason: "\(message.queueID) of \(count) queues")
        }
        let expected = machine.topics[message.topic, default: TopicState(queueCount: 0)].queues[Int(message.queueID)]
            .maxOffset
        guard message.queueOffset == expected else {
            throw .invalidValue(
                field: "queue offset", offset: 20, reason: "\(message.queueOffset), expected \(expected)")
        }
        machine.topics[message.topic, default: TopicState(queueCount: 0)].queues[Int(message.queueID)].append(
            ConsumeQueueEntry(
                physicalOffset: message.physicalOffset, size: Int32(size), tagsCode: JavaHash.tagsCode(message.tags)))
        for key in message.keys {
            machine.keyIndex["\(message.topic)#\(key)", default: []].append(message.physicalOffset)
        }
        report.messages += 1
    }

    private func checkQueueCounts() throws(CommitLogError) {
        for topic in checkpoint.topics {
            let queues = machine.topics[topic.name, default: TopicState(queueCount: 0)].queues
            for (id, range) in topic.queues.enumerated() where queues[id].maxOffset != range.maxOffset {
                throw .inconsistent(
                    file: storage.checkpointPath,
                    detail: "queue \(topic.name)/\(id) has \(queues[id].maxOffset) messages in the commit log, "
                        + "the checkpoint says \(range.maxOffset)")
            }
        }
    }

    /// Makes every consume-queue file hold exactly the entries rebuilt from the commit log:
    /// stale entries past them (written after the checkpoint) are cut, and queues whose files
    /// are missing, short or wrong are rewritten and reported.
    private mutating func reconcileConsumeQueues() throws(CommitLogError) {
        let root = storage.consumeQueueDirectory
        for topicName in try files.list(root) where machine.topics[topicName] == nil {
            for queueName in try files.list("\(root)/\(topicName)") {
                try files.removeFiles(in: "\(root)/\(topicName)/\(queueName)")
            }
        }
        for name in machine.topics.keys.sorted(by: utf8Precedes) {
            let queues = machine.topics[name, default: TopicState(queueCount: 0)].queues
            for (id, queue) in queues.enumerated() {
                let key = MessageQueue(topic: name, queueID: Int32(id))
                let existing = try existingEntries(of: key)
                let expected = queue.bytes(for: queue.minOffset..<queue.maxOffset)
                if let existing, existing.count == expected.count, existing[...] == expected {
                    durableEntries[key] = queue.count
                    continue
                }
                // Longer files with the right prefix only hold entries from after the checkpoint.
                let onlyStaleTail =
                    existing.map { $0.count > expected.count && $0[..<expected.count] == expected } ?? false
                if !onlyStaleTail && queue.count > 0 { report.rebuiltQueues.append(key) }
                try rewrite(queue, key: key)
            }
        }
    }

    /// The concatenated entries of a queue's files, or nil if the directory is missing or its
    /// files are not the consecutive run `0, fileBytes, 2 × fileBytes, ...`.
    private func existingEntries(of key: MessageQueue) throws(CommitLogError) -> [UInt8]? {
        let root = storage.consumeQueueDirectory
        guard try files.exists(key.topic, in: root), try files.exists(String(key.queueID), in: "\(root)/\(key.topic)")
        else {
            return nil
        }
        let directory = storage.queueDirectory(key)
        let fileBytes = machine.configuration.consumeQueueFileEntries * ConsumeQueue.entrySize
        var bytes: [UInt8] = []
        for (index, name) in try files.list(directory).enumerated() {
            guard Storage.offset(fileName: name) == Int64(index * fileBytes) else { return nil }
            bytes += try files.readAll("\(directory)/\(name)")
        }
        return bytes
    }

    /// Replaces a queue's files with its entries.
    private mutating func rewrite(_ queue: ConsumeQueue, key: MessageQueue) throws(CommitLogError) {
        let directory = storage.queueDirectory(key)
        try files.makeDirectories(directory)
        try files.removeFiles(in: directory)
        try CommitLogStateMachine.writeQueueEntries(
            queue, from: 0, perFile: machine.configuration.consumeQueueFileEntries, directory: directory, files)
        durableEntries[key] = queue.count
    }
}
