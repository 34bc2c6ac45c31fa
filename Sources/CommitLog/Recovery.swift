import FileIO
import LedgerModel
import Raft

/// Restores a state machine from its files (see ``CommitLogStateMachine/open(directory:fileSystem:configuration:log:)``).
///
/// The checkpoint was written after every index file it covers was synced (and after the log
/// held every entry it covers durably), so the files are trusted up to it and recovery reads as
/// little as it can: it cuts what was written after the checkpoint, checks sizes, and reads
/// back the last entry of each consume queue and of the key index with the record each points
/// at in the log (CRC-checked; together they must end exactly where the checkpoint says the
/// last record ends). When an index's files are missing, behind or fail these checks, every
/// index file and the checkpoint go and the state machine starts empty: the Raft log replays
/// from its first entry and rebuilds them.
struct Recovery {
    let machine: CommitLogStateMachine
    let storage: Storage
    let checkpoint: Checkpoint
    private(set) var report: CommitLogRecoveryReport

    private var files: StoreFiles { storage.files }

    init(machine: CommitLogStateMachine, storage: Storage, checkpoint: Checkpoint) {
        self.machine = machine
        self.storage = storage
        self.checkpoint = checkpoint
        report = CommitLogRecoveryReport(
            appliedIndex: checkpoint.appliedIndex, lastRecordEnd: checkpoint.lastRecordEnd, messages: 0,
            verifiedRecords: 0, rebuiltQueues: [], rebuiltKeyIndex: false)
    }

    mutating func run() throws(CommitLogError) {
        // Reads below check records up to where the checkpoint says they end.
        machine.lastRecordEnd = checkpoint.lastRecordEnd
        for topic in checkpoint.topics {
            var state = TopicState(queueCount: Int32(topic.queues.count))
            state.queues = topic.queues.map { ConsumeQueue(minOffset: $0.minOffset, maxOffset: $0.maxOffset) }
            machine.topics[topic.name] = state
        }
        for (topic, end) in checkpoint.deletedTopics { machine.deletedTopics[topic] = end }
        try removeStaleTopics()
        var lastRecordEnd: Int64 = 0
        for topic in checkpoint.topics {
            for (id, range) in topic.queues.enumerated() {
                let key = MessageQueue(topic: topic.name, queueID: Int32(id))
                if let recordEnd = try checkQueue(
                    key, from: range.minOffset.rawValue, entries: range.maxOffset.rawValue)
                {
                    lastRecordEnd = max(lastRecordEnd, recordEnd)
                } else {
                    report.rebuiltQueues.append(key)
                }
            }
        }
        report.rebuiltKeyIndex = try !checkKeyIndex()
        if !report.rebuiltQueues.isEmpty || report.rebuiltKeyIndex {
            return try startOver()
        }
        // The last records may have been those of a topic deleted since.
        let deletedEnd = checkpoint.deletedTopics.map(\.1.rawValue).max() ?? 0
        // ... or lie before the log's start, deleted by retention with every entry of their queue.
        let found = max(lastRecordEnd, deletedEnd)
        guard
            found == checkpoint.lastRecordEnd.rawValue
                || (found < checkpoint.lastRecordEnd.rawValue
                    && checkpoint.lastRecordEnd.rawValue <= machine.log.startPosition)
        else {
            throw .inconsistent(
                file: storage.checkpointPath,
                detail: "the consume queues' last records end at log position \(lastRecordEnd), "
                    + "the checkpoint says the last record ends at \(checkpoint.lastRecordEnd)")
        }
        machine.appliedIndex = checkpoint.appliedIndex
        machine.runningDigest = Digest(value: checkpoint.digest)
        machine.lastStoreTimestamp = checkpoint.lastStoreTimestamp
        for (id, record) in checkpoint.producers { machine.producers.restore(id, record) }
        for (key, offset) in checkpoint.offsets { machine.consumerOffsets[key] = offset }
        try machine.restoreKinds(checkpoint.kindsSection, file: storage.checkpointPath)
        try machine.restoreUniqueKeys(checkpoint.uniqueKeyResults, file: storage.checkpointPath)
        try machine.restoreUniqueKeys(at: checkpoint.uniqueKeyOffsets, checkpointPath: storage.checkpointPath)
        report.messages = checkpoint.topics.reduce(0) { total, topic in
            total + topic.queues.reduce(0) { $0 + Int($1.maxOffset.rawValue - $1.minOffset.rawValue) }
        }
    }

    /// Removes every index file and the checkpoint, leaving the machine empty at applied index
    /// 0: the log replays every entry and the indexes are built again as they apply.
    private mutating func startOver() throws(CommitLogError) {
        let root = storage.consumeQueueDirectory
        for topicName in try files.list(root) {
            for queueName in try files.list("\(root)/\(topicName)") {
                try files.removeFiles(in: "\(root)/\(topicName)/\(queueName)")
            }
        }
        try files.removeFiles(in: storage.keyIndexDirectory)
        if try files.exists("checkpoint", in: storage.root) {
            try files.unlink(storage.checkpointPath)
            try files.syncDirectory(storage.root)
        }
        machine.topics = [:]
        machine.deletedTopics = [:]
        machine.lastRecordEnd = .zero
        machine.keyIndex = KeyIndex(segmentEntries: machine.configuration.keyIndexSegmentEntries)
        report.appliedIndex = .zero
        report.lastRecordEnd = .zero
    }

    /// Removes the consume-queue files of topics the checkpoint does not know (created after it).
    private func removeStaleTopics() throws(CommitLogError) {
        let root = storage.consumeQueueDirectory
        for topicName in try files.list(root) where machine.topics[topicName] == nil {
            for queueName in try files.list("\(root)/\(topicName)") {
                try files.removeFiles(in: "\(root)/\(topicName)/\(queueName)")
            }
        }
    }

    /// Checks that the files of `key` hold its entries `first..<entries` (cutting entries
    /// written after the checkpoint, removing files retention left before `first`) and that the
    /// last one points at the queue's last record. Returns where that record ends (0 for an
    /// empty queue), or nil if the queue must be rebuilt.
    private mutating func checkQueue(_ key: MessageQueue, from first: Int64, entries: Int64) throws(CommitLogError)
        -> Int64?
    {
        let root = storage.consumeQueueDirectory
        guard try files.exists(key.topic, in: root), try files.exists(String(key.queueID), in: "\(root)/\(key.topic)")
        else { return entries == first ? 0 : nil }
        let perFile = Int64(machine.configuration.consumeQueueFileEntries)
        let entrySize = Int64(ConsumeQueue.entrySize)
        let firstFile = entries == first ? Int(entries / perFile) : Int(first / perFile)
        let needed = entries == first ? 0 : Int((entries - 1) / perFile) + 1 - firstFile
        let cut = try cutFiles(
            in: storage.queueDirectory(key), stride: perFile * entrySize, first: firstFile, needed: needed,
            expectedSize: { index in min(perFile, entries - Int64(index) * perFile) * entrySize })
        guard cut, entries > first else { return cut ? 0 : nil }
        let last = QueueOffset(entries - 1)
        let queue = machine.topics[key.topic, default: TopicState(queueCount: 0)].queues[Int(key.queueID)]
        let entry: ConsumeQueueEntry
        let message: StoredMessage
        do {
            entry = ConsumeQueueEntry(packed: try machine.queueEntries(key, queue, last..<last.next), at: 0)
            message = try machine.indexedMessage(at: entry.physicalOffset)
        } catch {
            return nil
        }
        report.verifiedRecords += 1
        guard message.topic == key.topic, message.queueID == key.queueID, message.queueOffset == last,
            Int(entry.size) == message.storeSize
        else { return nil }
        return entry.physicalOffset.rawValue + Int64(entry.size)
    }

    /// Checks the key-index files against the checkpoint's entry count (cutting later entries),
    /// rebuilds the slot table of the segment being filled from its entries, and reads back the
    /// last entry's record. Installs the index and returns true, or returns false if the index
    /// must be rebuilt (also when the segment size changed).
    private mutating func checkKeyIndex() throws(CommitLogError) -> Bool {
        let perSegment = machine.configuration.keyIndexSegmentEntries
        let count = checkpoint.keyIndexEntries
        guard checkpoint.keyIndexSegmentEntries == perSegment else { return false }
        var index = KeyIndex(segmentEntries: perSegment)
        let tableBytes = Int64(index.slotTableBytes)
        let entrySize = Int64(KeyIndex.entrySize)
        let first = checkpoint.keyIndexFirstSegment
        let needed = count == 0 ? 0 : (count - 1) / perSegment + 1 - first
        let cut = try cutFiles(
            in: storage.keyIndexDirectory, stride: Int64(perSegment), first: first, needed: needed,
            expectedSize: { segment in tableBytes + Int64(min(perSegment, count - segment * perSegment)) * entrySize })
        guard cut else { return false }
        var slots: [UInt32] = []
        let filling = count % perSegment
        if filling > 0 {
            let segment = count / perSegment
            let bytes = try files.readExactly(
                storage.keyIndexPath(segment: segment), at: tableBytes, count: filling * KeyIndex.entrySize)
            slots = Array(repeating: 0, count: index.slotCount)
            for position in 0..<filling {
                let entry = KeyIndex.entry(in: bytes, at: position * KeyIndex.entrySize)
                let slot = index.slot(of: entry.hash)
                guard entry.previous == slots[slot] else { return false }
                slots[slot] = UInt32(position + 1)
            }
        }
        index = KeyIndex(segmentEntries: perSegment, count: count, activeSlots: slots)
        index.firstSegment = first
        machine.keyIndex = index
        guard count > first * perSegment else { return true }
        let segment = (count - 1) / perSegment
        let position = (count - 1) - segment * perSegment
        let last = KeyIndex.entry(
            in: try files.readExactly(
                storage.keyIndexPath(segment: segment), at: tableBytes + Int64(position) * entrySize,
                count: KeyIndex.entrySize), at: 0)
        // Retention deleted the record: nothing to read back (lookups skip such entries).
        if last.offset.rawValue < machine.log.startPosition { return true }
        let message: StoredMessage
        do {
            message = try machine.indexedMessage(at: last.offset)
        } catch {
            return false
        }
        report.verifiedRecords += 1
        return message.keys.contains { KeyIndex.hash(topic: message.topic, key: $0) == last.hash }
    }

    /// Makes `directory` hold exactly the `needed` files `first × stride, (first + 1) × stride,
    /// ...`, file number `i` at least `expectedSize(i)` bytes: longer files are cut to it and
    /// later files removed (both were written after the checkpoint), earlier ones too (retention
    /// left them). Returns false, leaving the files for the caller to rebuild, when one is
    /// missing, short or misnamed.
    private func cutFiles(
        in directory: String, stride: Int64, first: Int, needed: Int, expectedSize: (Int) -> Int64
    ) throws(CommitLogError) -> Bool {
        var removed = false
        var kept = 0
        for name in try files.list(directory) {
            guard let start = SegmentedFileName.start(of: name, as: Int64.self), start % stride == 0 else {
                return false
            }
            let index = Int(start / stride)
            let path = "\(directory)/\(name)"
            if index < first {
                try files.unlink(path)
                removed = true
                continue
            }
            guard index == first + kept else { return false }
            kept += 1
            if index >= first + needed {
                try files.unlink(path)
                removed = true
                continue
            }
            let expected = expectedSize(index)
            let complete = try files.withFile(path) { (file) throws(CommitLogError) -> Bool in
                let found = try files.size(of: file)
                guard found >= expected else { return false }
                if found > expected {
                    try files.truncate(file, to: expected)
                    try files.sync(file)
                }
                return true
            }
            guard complete else { return false }
        }
        if removed { try files.syncDirectory(directory) }
        return try files.list(directory).count == needed
    }
}
