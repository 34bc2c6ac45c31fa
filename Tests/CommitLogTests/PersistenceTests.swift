import CommitLog
import FileIO
import Foundation
import LedgerModel
import Raft
import TestSupport
import Testing

@Suite struct PersistenceTests {
    static let root = "/data/n0"
    static let seed: UInt64 = 77

    /// The node's split persist: files written on the loop thread, synced (with the checkpoint)
    /// elsewhere while entries keep applying; a crash afterwards recovers exactly the state at
    /// the begin.
    @Test func aPersistBegunThenSyncedElsewhereSurvivesACrash() throws {
        let fs = SimulatedFileSystem(seed: Self.seed)
        let entries = try DeterminismTests.workload(seed: Self.seed, count: 300)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try feed(machine, entries.prefix(200), persistEvery: 1000)
        let pending = try #require(try machine.beginPersist())
        #expect(pending.appliedIndex == LogIndex(200))
        try feed(machine, entries.dropFirst(200), persistEvery: 1000)
        try pending.perform(on: fs)
        var random = SplitMix64(seed: Self.seed)
        fs.crash(&random)

        let reference = CommitLogStateMachine(configuration: smallConfiguration())
        try feed(reference, entries.prefix(200), persistEvery: 1000)
        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        #expect(reopened.appliedIndex == LogIndex(200))
        #expect(try observable(reopened) == observable(reference))
    }

    @Test func reopenRestoresEverythingInRocketMQLayout() throws {
        let fs = SimulatedFileSystem(seed: Self.seed)
        let entries = try DeterminismTests.workload(seed: Self.seed, count: 300)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try feed(machine, entries)
        let stamped = Command.send(
            message("A", producer: ProducerStamp(producer: ProducerID(99), sequence: 1)), testStamp)
        let original = try machine.apply(stamped)
        try machine.persist()
        let before = try observable(machine)

        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        #expect(try observable(reopened) == before)
        let recovery = try #require(reopened.recovery)
        #expect(recovery.appliedIndex == LogIndex(301))
        #expect(recovery.rebuiltQueues.isEmpty)
        // Messages are stored once, in the log: no commit-log files beside the indexes.
        #expect(try !fs.listDirectory(Self.root).contains("commitlog"))
        #expect(try fs.listDirectory("\(Self.root)/consumequeue").contains("A"))
        #expect(try fs.listDirectory("\(Self.root)/consumequeue/A/0").first == "00000000000000000000")
        // The producer table survived: a retry of the last sequence is a duplicate.
        #expect(try reopened.apply(stamped) == original.compactMap(\.sendResult).map { .duplicate($0) })
    }

    /// Missing or short index files: the machine starts over and the log's replay rebuilds them.
    @Test func consumeQueuesAreRebuiltWhenMissingOrBehind() throws {
        let fs = SimulatedFileSystem(seed: Self.seed)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        let entries = try DeterminismTests.workload(seed: 5, count: 200)
        try feed(machine, entries)
        try machine.persist()
        let original = try snapshot(fs, root: Self.root)
        let before = try observable(machine)

        // Delete queue A/0 entirely and cut B/1's first file short.
        let a0 = "\(Self.root)/consumequeue/A/0"
        for name in try fs.listDirectory(a0) { try fs.unlink("\(a0)/\(name)") }
        let b1 = try fs.open("\(Self.root)/consumequeue/B/1/00000000000000000000", create: false)
        try fs.truncate(b1, to: 20)
        try fs.close(b1)

        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        #expect(
            try #require(reopened.recovery).rebuiltQueues == [
                MessageQueue(topic: "A", queueID: 0), MessageQueue(topic: "B", queueID: 1),
            ])
        #expect(reopened.appliedIndex == .zero)
        try feed(reopened, entries)
        try reopened.persist()
        #expect(try observable(reopened) == before)
        #expect(try snapshot(fs, root: Self.root) == original, "rebuilt files are byte-identical")
    }

    @Test func consumeQueuesAreRebuiltOnRealFiles() throws {
        let directory = try TemporaryDirectory(prefix: "commitlog-test")
        defer { #expect(throws: Never.self) { try directory.remove() } }
        let fs = RealFileSystem()
        let machine = try CommitLogStateMachine.open(
            directory: directory.path, fileSystem: fs, configuration: smallConfiguration())
        let entries = try DeterminismTests.workload(seed: 11, count: 150)
        try feed(machine, entries)
        try machine.persist()
        let before = try observable(machine)
        let rebuilt = machine.topicList().flatMap(\.queues).filter { $0.maxOffset > .zero }.count
        try FileManager.default.removeItem(atPath: "\(directory.path)/consumequeue")

        let reopened = try CommitLogStateMachine.open(
            directory: directory.path, fileSystem: fs, configuration: smallConfiguration())
        let recovery = try #require(reopened.recovery)
        #expect(recovery.rebuiltQueues.count == rebuilt)
        #expect(!recovery.rebuiltQueues.isEmpty)
        try feed(reopened, entries)
        try reopened.persist()
        #expect(try observable(reopened) == before)
        let cq = try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/consumequeue/A/0/00000000000000000000"))
        #expect(cq.count % 20 == 0 && !cq.isEmpty)
    }

    /// `conf/` names a relative `storeBaseDir` (`run/data/n0`): the store is created and reopened
    /// under the working directory, never under `/` (where `/run` exists on Linux).
    @Test func aRelativeDirectoryIsCreatedUnderTheWorkingDirectory() throws {
        let relative = ".build/commitlog-relative-\(getpid())/run/data/n0/messages"
        let top = ".build/commitlog-relative-\(getpid())"
        defer { #expect(throws: Never.self) { try FileManager.default.removeItem(atPath: top) } }
        let machine = try CommitLogStateMachine.open(
            directory: relative, fileSystem: RealFileSystem(), configuration: smallConfiguration())
        try machine.apply(.send(message(), testStamp))
        try machine.persist()
        let cwd = FileManager.default.currentDirectoryPath
        #expect(FileManager.default.fileExists(atPath: "\(cwd)/\(relative)/consumequeue"))
        let reopened = try CommitLogStateMachine.open(
            directory: relative, fileSystem: RealFileSystem(), configuration: smallConfiguration())
        #expect(reopened.digest == machine.digest && reopened.appliedIndex == machine.appliedIndex)
    }

    /// A crash after a failed persist loses nothing that Raft cannot replay: reopening gives the
    /// last checkpoint, replaying the later entries gives the same digest and the same files as
    /// a machine that never crashed.
    @Test(arguments: [FileOperation.rename, .sync, .write])
    func crashDuringPersistRecoversToTheCheckpoint(failing operation: FileOperation) throws {
        let entries = try DeterminismTests.workload(seed: Self.seed, count: 240)
        let reference = CommitLogStateMachine(configuration: smallConfiguration())
        for entry in entries { _ = reference.apply(entry: entry) }

        let fs = SimulatedFileSystem(seed: Self.seed)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try feed(machine, entries.prefix(120), persistEvery: 120)
        try feed(machine, entries[120..<200], persistEvery: 1000)
        fs.failNext(operation, pathContaining: operation == .rename ? "checkpoint" : "consumequeue")
        #expect(throws: CommitLogError.self) { try machine.persist() }
        var rng = SplitMix64(seed: Self.seed)
        fs.crash(&rng)

        let reopened = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        // The checkpoint's state, or (index files damaged by the failed write) an empty one that
        // the whole log rebuilds.
        let resumed = reopened.appliedIndex
        #expect(resumed == LogIndex(120) || resumed == .zero, "seed \(Self.seed)")
        try feed(reopened, entries[Int(resumed.rawValue)...], persistEvery: 1000)
        try reopened.persist()
        #expect(reopened.digest == reference.digest, "seed \(Self.seed)")

        let cleanFS = SimulatedFileSystem(seed: Self.seed)
        let clean = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: cleanFS, configuration: smallConfiguration())
        try feed(clean, entries, persistEvery: 1000)
        try clean.persist()
        #expect(try snapshot(fs, root: Self.root) == snapshot(cleanFS, root: Self.root), "seed \(Self.seed)")
    }

    @Test func replicasWriteByteIdenticalFilesWhateverTheirPersistCadence() throws {
        let entries = try DeterminismTests.workload(seed: 99, count: 300)
        let fsA = SimulatedFileSystem(seed: 1)
        let fsB = SimulatedFileSystem(seed: 2)
        let a = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fsA, configuration: smallConfiguration())
        let b = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fsB, configuration: smallConfiguration())
        try feed(a, entries, persistEvery: 7)
        try feed(b, entries, persistEvery: 100)
        try a.persist()
        try b.persist()
        #expect(a.digest == b.digest)
        let filesA = try snapshot(fsA, root: Self.root)
        #expect(filesA.count > 10)
        #expect(filesA == (try snapshot(fsB, root: Self.root)))
    }

    @Test func aCorruptCheckpointAndAMismatchedConfigurationAreTypedErrors() throws {
        let fs = SimulatedFileSystem(seed: 3)
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try feed(machine, try DeterminismTests.workload(seed: 3, count: 100))
        try machine.persist()

        #expect(
            throws: CommitLogError.invalidConfiguration(
                InvalidConfiguration(
                    key: "dataFileSize", value: "8192",
                    expected: "4096, the size the existing files in /data/n0 were written with"))
        ) {
            try CommitLogStateMachine.open(
                directory: Self.root, fileSystem: fs, configuration: smallConfiguration(fileSize: 8192))
        }

        let checkpoint = try fs.open("\(Self.root)/checkpoint", create: false)
        try fs.write(checkpoint, at: 10, [0xFF, 0xFF])
        try fs.close(checkpoint)
        #expect {
            try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        } throws: { error in
            guard case .corruptCheckpoint = error as? CommitLogError else { return false }
            return "\(error)".contains("/data/n0/checkpoint")
        }
    }
}
