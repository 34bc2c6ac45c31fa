import Bytes
import CommitLog
import FileIO
import Foundation
import LedgerModel
import Raft
import Synchronization
import TestSupport
import Testing

/// The indexes live in their files and the records in the log: memory keeps only index entries a
/// completed persist has not written, reads go to the files and the log, open reads only the
/// tail, and damage surfaces as a read error naming where.
@Suite struct FileBackedStoreTests {
    static let root = "/data/n0"

    /// Small files and key-index segments, so a few hundred messages cross many boundaries.
    static func configuration(fileSize: Int = 4096) -> CommitLogConfiguration {
        var configuration = smallConfiguration(fileSize: fileSize)
        configuration.keyIndexSegmentEntries = 8
        return configuration
    }

    /// Everything a reader can ask of `machine`: every message through small pulls (so pulls
    /// start and end on every boundary), by physical offset, by id, by key, and by timestamp.
    func everything(_ machine: CommitLogStateMachine) throws -> [String] {
        var lines = try observable(machine)
        for topic in machine.topicList() {
            for (id, range) in topic.queues.enumerated() {
                var offset = range.minOffset
                while offset < range.maxOffset {
                    let result = try machine.pull(topic: topic.name, queueID: Int32(id), offset: offset, maxCount: 3)
                    for message in result.messages {
                        #expect(try machine.message(at: message.physicalOffset) == message)
                        #expect(try machine.message(id: message.messageID) == message)
                        lines.append(
                            "\(message.queueOffset) \(message.physicalOffset) \(message.body.count) \(message.keys)")
                    }
                    offset = result.nextOffset
                }
                for timestamp in stride(from: Int64(900), to: 2_300, by: 97) {
                    let found = try machine.searchOffset(topic: topic.name, queueID: Int32(id), timestamp: timestamp)
                    lines.append("search \(topic.name)/\(id) \(timestamp) → \(found)")
                }
            }
            for key in (0..<7).map({ "k\($0)" }) {
                let found = try machine.messages(topic: topic.name, key: key, maxCount: 5)
                lines.append("key \(key) \(found.map(\.physicalOffset))")
            }
        }
        return lines
    }

    @Test func recordsAreReadBackFromTheFilesOnceMemoryDroppedThem() throws {
        let fs = SimulatedFileSystem(seed: 1)
        let entries = try DeterminismTests.workload(seed: 41, count: 400)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration())
        let reference = CommitLogStateMachine(configuration: Self.configuration())
        try feed(machine, entries, persistEvery: 37)
        try feed(reference, entries, persistEvery: 1000)
        try machine.persist()
        #expect(machine.retainedBytes <= machine.retainedBytesAfterPersist)
        #expect(machine.unpersistedBytes == 0)
        #expect(try fs.listDirectory("\(Self.root)/keyindex").count > 5)
        #expect(try everything(machine) == everything(reference))
    }

    /// One queue, its records in persisted files, in chunks handed to a persist still under
    /// way, and in chunks not handed yet: pulls across all of those boundaries read the same
    /// messages as a memory-only machine, before and after the persist completes.
    @Test func pullsCrossFileBoundariesAndThePersistedBoundary() throws {
        let fs = SimulatedFileSystem(seed: 2)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration())
        let reference = CommitLogStateMachine(configuration: Self.configuration())
        func send(_ range: Range<Int>) throws {
            for i in range {
                let sent = message(
                    "T", String(repeating: "b", count: 150 + i % 90), target: .queue(0), keys: ["k\(i % 7)"])
                #expect(try machine.send(sent) == reference.send(sent))
            }
        }
        func pulls() throws -> [[StoredMessage]] {
            try (0..<100).map { start in
                try machine.pull(topic: "T", queueID: 0, offset: QueueOffset(Int64(start)), maxCount: 9).messages
            }
        }
        func expected() throws -> [[StoredMessage]] {
            try (0..<100).map { start in
                try reference.pull(topic: "T", queueID: 0, offset: QueueOffset(Int64(start)), maxCount: 9).messages
            }
        }
        try send(0..<60)
        try machine.persist()
        try send(60..<80)
        let pending = try #require(try machine.beginPersist())
        try send(80..<100)
        let all = try machine.pull(topic: "T", queueID: 0, offset: .zero, maxCount: 1024).messages
        #expect(all.count == 100)
        #expect(Set(all.map(\.physicalOffset)).count == 100)
        #expect(try pulls() == expected())
        #expect(try everything(machine) == everything(reference))

        try pending.perform(on: fs)
        machine.completePersist(through: pending.appliedIndex)
        #expect(machine.unpersistedBytes > 0)
        #expect(try pulls() == expected())
        try machine.persist()
        #expect(machine.retainedBytes <= machine.retainedBytesAfterPersist)
        #expect(try pulls() == expected())
    }

    /// A record that leaves exactly the blank's 8 bytes: the blank fills the file to its last
    /// byte, and the next record starts the next file.
    /// Reopening a store whose indexes are intact reads the checkpoint, the last entry of each
    /// index and the records they point at: a small fraction of the log.
    @Test func reopenWithACheckpointVerifiesOnlyTheTail() throws {
        let simulated = SimulatedFileSystem(seed: 4)
        let fs = CountingFileSystem(simulated)
        let configuration = CommitLogConfiguration(
            commitLogFileSize: 64 << 10, consumeQueueFileEntries: 64, keyIndexSegmentEntries: 256)
        let machine = try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: configuration)
        let body = String(repeating: "m", count: 1000)
        var last: SendResult?
        for i in 0..<2000 {
            last = try machine.send(message(["A", "B"][i % 2], body, keys: ["order-\(i)"]))
            if i % 300 == 0 { try machine.persist() }
        }
        try machine.persist()
        let logBytes = Int(try #require(last).physicalOffset.rawValue)
        let before = try everything(machine)

        fs.resetCount()
        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: configuration)
        let recovery = try #require(reopened.recovery)
        #expect(recovery.messages == 2000)
        #expect(recovery.rebuiltQueues.isEmpty && !recovery.rebuiltKeyIndex)
        // The last record of each of the 8 queues, and the key index's last entry's.
        #expect(recovery.verifiedRecords == 9)
        #expect(fs.bytesRead < logBytes / 20, "open read \(fs.bytesRead) bytes of a \(logBytes)-byte log")
        #expect(reopened.retainedBytes <= reopened.retainedBytesAfterPersist)
        #expect(try everything(reopened) == before)

        // Without its key-index files the store starts over: the log's replay rebuilds every index.
        for name in try simulated.listDirectory("\(Self.root)/keyindex") {
            try simulated.unlink("\(Self.root)/keyindex/\(name)")
        }
        let rebuilt = try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: configuration)
        #expect(try #require(rebuilt.recovery).rebuiltKeyIndex)
        #expect(rebuilt.appliedIndex == .zero && rebuilt.topicList().isEmpty)
        #expect(try simulated.listDirectory("\(Self.root)/consumequeue/A/0").isEmpty)
    }

    /// A checkpoint written by a build that stored every message twice (version 3) is refused
    /// with a clear error: there is no migration, the node's store is wiped.
    @Test func aCheckpointOfTheOldLayoutIsRefused() throws {
        let fs = SimulatedFileSystem(seed: 8)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration())
        try feed(machine, try DeterminismTests.workload(seed: 44, count: 50), persistEvery: 40)
        try machine.persist()
        let path = "\(Self.root)/checkpoint"
        var old = Array(try #require(fs.contents(of: path)).dropLast(4))
        old[4] = 3
        let crc = CRC32.checksum(old)
        old += [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        let file = try fs.open(path, create: false)
        try fs.write(file, at: 0, old)
        try fs.close(file)
        #expect {
            try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: Self.configuration())
        } throws: { error in
            guard case .olderLayout(let file, version: 3) = error as? CommitLogError else { return false }
            return file == path && "\(error)".contains("wipe the node's storeBaseDir")
        }
    }

    /// Damage in the log or an index is not looked for at open; the read that meets it fails
    /// with where it is, and the records around it stay readable.
    @Test func damageIsAClearReadError() throws {
        let fs = SimulatedFileSystem(seed: 5)
        let log = DamageableLog()
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration(), log: log)
        var sent: [SendResult] = []
        for i in 0..<30 {
            let message = message("T", "body \(i)", target: .queue(0), keys: ["key\(i)"])
            let position = log.memory.nextPosition
            let data = try machine.entryData(for: .send(message, testStamp), bodyPosition: position)
            log.memory.add(data, at: position)
            let results = machine.apply(
                entry: Entry(index: machine.appliedIndex.next, term: Term(1), data: data), bodyPosition: position)
            sent.append(try #require(results.first?.sendResult))
        }
        try machine.persist()
        let victim = sent[3].physicalOffset
        log.flip(at: victim.rawValue + 88)

        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration(), log: log)
        func isCorruption(_ error: any Error, at offset: PhysicalOffset, _ detail: String) -> Bool {
            guard case .unreadable(.corruptRecord(_, let at, let decode)) = error as? QueryError else { return false }
            return at == offset && "\(decode)".contains(detail) && "\(error)".contains("\(offset)")
        }
        #expect { try reopened.pull(topic: "T", queueID: 0, offset: .zero, maxCount: 10) } throws: {
            isCorruption($0, at: victim, "CRC mismatch")
        }
        #expect { try reopened.message(at: victim) } throws: { isCorruption($0, at: victim, "CRC mismatch") }
        #expect { try reopened.messages(topic: "T", key: "key3") } throws: {
            isCorruption($0, at: victim, "CRC mismatch")
        }
        #expect(try reopened.pull(topic: "T", queueID: 0, offset: QueueOffset(4), maxCount: 30).messages.count == 26)
        #expect(try reopened.message(at: sent[2].physicalOffset).body == Array("body 2".utf8))

        // A broken magic code is not a record at all, yet the consume queue points there.
        let broken = sent[5].physicalOffset
        log.flip(at: broken.rawValue + 4)
        let again = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration(), log: log)
        #expect { try again.pull(topic: "T", queueID: 0, offset: QueueOffset(5), maxCount: 1) } throws: {
            isCorruption($0, at: broken, "magic code")
        }
        #expect(throws: QueryError.noMessage(at: broken)) { try again.message(at: broken) }

        // A consume-queue entry pointing at another (intact) record names the queue's file.
        let queueFile = "\(Self.root)/consumequeue/T/0/00000000000000000000"
        let first = sent[0].physicalOffset.rawValue
        try overwrite(fs, queueFile, at: 20, (0..<8).map { UInt8(truncatingIfNeeded: first >> (56 - 8 * $0)) })
        let misdirected = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration(), log: log)
        #expect { try misdirected.pull(topic: "T", queueID: 0, offset: QueueOffset(1), maxCount: 1) } throws: { error in
            guard case .unreadable(.inconsistent(let file, let detail)) = error as? QueryError else { return false }
            return file == queueFile && detail.contains("entry 1 (byte 20) points at physical offset \(first)")
        }
    }

    /// Applying many MiB keeps memory at what the persists have not completed: after each
    /// persist it is back under a constant, and it never exceeds a few persists' worth.
    @Test func retainedMemoryIsBoundedWhileMegabytesAreApplied() throws {
        let fs = SimulatedFileSystem(seed: 6)
        let configuration = CommitLogConfiguration(commitLogFileSize: 1 << 20, keyIndexSegmentEntries: 4096)
        let machine = try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: configuration)
        let body = [UInt8](repeating: 0x6D, count: 1024)
        let persistEvery = 1 << 20
        let applied = 12 << 20
        var peak = 0
        var pending: PendingPersist?
        var stored = 0
        while stored * 1024 < applied {
            let batch = (0..<16).map { i in
                ProducerMessage(
                    topic: "bench", target: .automatic, tags: "TagA", keys: ["key-\(stored + i)"], body: body,
                    bornTimestamp: 0, bornHost: testBornHost)
            }
            stored += try machine.apply(.sendBatch(MessageBatch(messages: batch), testStamp)).count
            peak = max(peak, machine.retainedBytes)
            // The node's cadence: finish the persist under way, then hand over the next MiB.
            if machine.unpersistedBytes >= persistEvery {
                if let pending {
                    try pending.perform(on: fs)
                    machine.completePersist(through: pending.appliedIndex)
                }
                pending = try machine.beginPersist()
            }
        }
        if let pending {
            try pending.perform(on: fs)
            machine.completePersist(through: pending.appliedIndex)
        }
        try machine.persist()
        #expect(machine.retainedBytes <= machine.retainedBytesAfterPersist)
        // Two persists' worth of commit log (one under way, one accumulating), each in chunks
        // of at most 1 MiB capacity (so up to two chunks' capacity per MiB handed), their
        // index entries, plus the constant part. Measured: 4.33 MB.
        let bound = 4 * persistEvery + machine.retainedBytesAfterPersist
        #expect(peak <= bound, "peak \(peak) bytes retained while applying \(applied)")
        #expect(try machine.messages(topic: "bench", key: "key-17").map(\.queueOffset) == [QueueOffset(4)])
        let first = try machine.pull(topic: "bench", queueID: 0, offset: .zero, maxCount: 4).messages
        #expect(first.map(\.body) == Array(repeating: body, count: 4))
    }

    /// Lookups by key walk the key index newest first across full segments in files, the
    /// segment being filled and entries not yet persisted, before and after a reopen.
    @Test func keyLookupsSpanSegmentsFilesAndMemory() throws {
        let fs = SimulatedFileSystem(seed: 7)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration(fileSize: 64 << 10))
        var hot: [PhysicalOffset] = []
        var unique: [String: PhysicalOffset] = [:]
        for i in 0..<203 {
            let stored = try machine.send(message(["T", "U"][i % 2], "m\(i)", keys: ["hot", "u\(i)"]))
            if i % 2 == 0 { hot.append(stored.physicalOffset) }
            unique["u\(i)"] = stored.physicalOffset
            if i % 41 == 0 { try machine.persist() }
        }
        func check(_ machine: CommitLogStateMachine) throws {
            #expect(try machine.messages(topic: "T", key: "hot", maxCount: 10).map(\.physicalOffset) == hot.suffix(10))
            #expect(try machine.messages(topic: "T", key: "hot", maxCount: 500).map(\.physicalOffset) == hot)
            for i in stride(from: 0, to: 203, by: 17) {
                let topic = ["T", "U"][i % 2]
                #expect(try machine.messages(topic: topic, key: "u\(i)").map(\.physicalOffset) == [unique["u\(i)"]])
                #expect(try machine.messages(topic: topic == "T" ? "U" : "T", key: "u\(i)").isEmpty)
            }
            #expect(try machine.messages(topic: "T", key: "absent").isEmpty)
        }
        try check(machine)
        try machine.persist()
        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: Self.configuration(fileSize: 64 << 10))
        try check(reopened)
    }

    /// The contract of the split persist on real files and threads: the persist thread writes
    /// and syncs what it was handed while the owner keeps applying and reading.
    @Test func aPersistOnAnotherThreadRunsWhileTheOwnerReads() throws {
        let directory = try TemporaryDirectory(prefix: "commitlog-test")
        defer { #expect(throws: Never.self) { try directory.remove() } }
        let fs = RealFileSystem()
        let configuration = Self.configuration(fileSize: 16 << 10)
        let machine = try CommitLogStateMachine.open(
            directory: directory.path, fileSystem: fs, configuration: configuration)
        let reference = CommitLogStateMachine(configuration: configuration)
        let entries = try DeterminismTests.workload(seed: 43, count: 600)
        for round in 0..<6 {
            let slice = entries[(round * 100)..<(round * 100 + 100)]
            try feed(machine, slice.prefix(50), persistEvery: 1000)
            try feed(reference, slice.prefix(50), persistEvery: 1000)
            let pending = try #require(try machine.beginPersist())
            let done = DispatchSemaphore(value: 0)
            let outcome = Outcome()
            Thread.detachNewThread {
                let result = Result { () throws(CommitLogError) in try pending.perform(on: fs) }
                outcome.result.withLock { $0 = result }
                done.signal()
            }
            try feed(machine, slice.suffix(50), persistEvery: 1000)
            try feed(reference, slice.suffix(50), persistEvery: 1000)
            #expect(try everything(machine) == everything(reference), "round \(round)")
            done.wait()
            try #require(outcome.result.withLock { $0 }).get()
            machine.completePersist(through: pending.appliedIndex)
            #expect(try everything(machine) == everything(reference), "round \(round)")
        }
    }
}

/// What a persist on another thread reported.
private final class Outcome: Sendable {
    let result = Mutex<Result<Void, CommitLogError>?>(nil)
}

/// A log in memory whose bytes a test can damage.
final class DamageableLog: MessageLog {
    let memory = MemoryMessageLog()
    private var flipped: Set<Int64> = []

    /// Inverts the byte at `position` in every later read.
    func flip(at position: Int64) { flipped.insert(position) }

    var startPosition: Int64 { memory.startPosition }

    func bytes(at position: Int64, count: Int) throws(CommitLogError) -> [UInt8] {
        var bytes = try memory.bytes(at: position, count: count)
        for (offset, byte) in bytes.enumerated() where flipped.contains(position + Int64(offset)) {
            bytes[offset] = ~byte
        }
        return bytes
    }
}
