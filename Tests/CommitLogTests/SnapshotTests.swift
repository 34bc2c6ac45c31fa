import CommitLog
import FileIO
import LedgerModel
import Raft
import Testing

/// State snapshots (a follower that installs one holds what the leader held) and what
/// retention does to the queues once the log before a snapshot is gone.
@Suite struct SnapshotTests {
    static let root = "/data/n0"

    /// Twelve sends over two queues, each with a key, three with producer unique keys, and a commit.
    private func fill(_ machine: CommitLogStateMachine) throws {
        for number in 0..<12 {
            var sent = message("TopicTest", "m\(number)", target: .queue(Int32(number % 2)), keys: ["k\(number)"])
            if number % 5 == 0 { sent.uniqueKey = "K\(number)" }
            try machine.send(sent)
        }
        try machine.apply(
            .commitOffset(
                OffsetCommit(group: "G", queue: MessageQueue(topic: "TopicTest", queueID: 0), offset: QueueOffset(3))))
    }

    @Test func anInstalledSnapshotHoldsTheLeadersStateAndItsQueuesStartAfterIt() throws {
        let leaderFS = SimulatedFileSystem(seed: 21)
        let leader = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: leaderFS, configuration: smallConfiguration())
        try fill(leader)
        let continuation = UInt64(CommitLogStateMachine.testPosition(leader.appliedIndex.next))
        leader.takeSnapshot(term: Term(1), logPosition: continuation, logChain: 0xABCD)
        try leader.persist()
        let info = try #require(leader.snapshots.last)
        #expect(info.metadata == SnapshotMetadata(index: leader.appliedIndex, term: Term(1)))
        let bytes = try leader.snapshotBytes(at: info.metadata.index)

        let followerFS = SimulatedFileSystem(seed: 22)
        var follower = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: followerFS, configuration: smallConfiguration())
        let installed = try follower.install(bytes)
        #expect(installed.logPosition == continuation && installed.logChain == 0xABCD)
        // As the node resets its log to start where the leader's continues.
        try #require(follower.log as? MemoryMessageLog).dropBodies(before: Int64(continuation))
        #expect(follower.appliedIndex == leader.appliedIndex && follower.digest == leader.digest)
        for queueID in Int32(0)...1 {
            let range = try follower.offsetRange(topic: "TopicTest", queueID: queueID)
            #expect(range.minOffset == QueueOffset(6) && range.maxOffset == QueueOffset(6))
        }
        #expect(
            follower.consumerOffset(group: "G", queue: MessageQueue(topic: "TopicTest", queueID: 0)) == QueueOffset(3))
        #expect(follower.snapshots.map(\.metadata) == [info.metadata])

        // The same entries after it give the same results on both: a retried unique key is a
        // duplicate on the follower too, though its record is not in the follower's log.
        var retry = message("TopicTest", "m5", target: .queue(1))
        retry.uniqueKey = "K5"
        let fresh = message("TopicTest", "m12", target: .queue(0))
        for command in [Command.send(retry, testStamp), .send(fresh, testStamp)] {
            #expect(try follower.apply(command) == leader.apply(command))
        }
        #expect(follower.digest == leader.digest)
        let pulled = try follower.pull(topic: "TopicTest", queueID: 0, offset: QueueOffset(6), maxCount: 8)
        #expect(pulled.messages.map(\.body) == [Array("m12".utf8)])

        try follower.persist()
        follower = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: followerFS, configuration: smallConfiguration())
        #expect(follower.digest == leader.digest)
        #expect(try follower.offsetRange(topic: "TopicTest", queueID: 0).minOffset == QueueOffset(6))
        #expect(
            try follower.pull(topic: "TopicTest", queueID: 0, offset: QueueOffset(6), maxCount: 8).messages.count == 1)
    }

    @Test func retentionMovesQueueStartsPastTheSnapshotAndThatSurvivesAReopen() throws {
        let fs = SimulatedFileSystem(seed: 23)
        var machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try fill(machine)  // 6 messages a queue: with 8 entries a file, one file each
        for number in 12..<32 {
            try machine.send(message("TopicTest", "m\(number)", target: .queue(Int32(number % 2))))
        }
        let base = machine.appliedIndex
        machine.takeSnapshot(term: Term(1), logPosition: 1, logChain: 0)
        try machine.persist()
        for number in 32..<36 {
            try machine.send(message("TopicTest", "m\(number)", target: .queue(Int32(number % 2))))
        }
        try machine.persist()
        #expect(try fs.listDirectory("\(Self.root)/consumequeue/TopicTest/0").count == 3)

        // Retention deleted the log through `base`.
        let log = try #require(machine.log as? MemoryMessageLog)
        log.dropBodies(before: CommitLogStateMachine.testPosition(base.next))
        try machine.logCompacted(before: base.next)
        let range = try machine.offsetRange(topic: "TopicTest", queueID: 0)
        #expect(range.minOffset == QueueOffset(16) && range.maxOffset == QueueOffset(18))
        let below = try machine.pull(topic: "TopicTest", queueID: 0, offset: QueueOffset(3), maxCount: 4)
        #expect(below.status == .offsetIllegal && below.nextOffset == QueueOffset(16))
        let kept = try machine.pull(topic: "TopicTest", queueID: 0, offset: QueueOffset(16), maxCount: 4)
        #expect(kept.messages.map(\.body) == [Array("m32".utf8), Array("m34".utf8)])
        #expect(try machine.messages(topic: "TopicTest", key: "k0").isEmpty, "a deleted record's key finds nothing")

        try machine.persist()
        #expect(
            try fs.listDirectory("\(Self.root)/consumequeue/TopicTest/0") == [SegmentedFileName.name(start: 16 * 20)],
            "the files wholly before the queue's start are gone")
        machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        #expect(machine.recovery?.rebuiltQueues == [] && machine.recovery?.rebuiltKeyIndex == false)
        #expect(try machine.offsetRange(topic: "TopicTest", queueID: 0) == range)
        #expect(
            try machine.pull(topic: "TopicTest", queueID: 0, offset: QueueOffset(16), maxCount: 4).messages.count == 2)
        #expect(machine.snapshots.map(\.metadata.index) == [base])
    }

    /// A node restarted on a full disk with its state machine behind the log's start installs
    /// its own kept snapshot: nothing is written again (the snapshot is durable), a checkpoint
    /// the disk has no room for stays the old one, and a later open does the same again.
    @Test func installingTheKeptSnapshotNeedsNoSpace() throws {
        let fs = SimulatedFileSystem(seed: 29)
        var machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try fill(machine)
        let base = machine.appliedIndex
        machine.takeSnapshot(term: Term(1), logPosition: 1, logChain: 0)
        try machine.persist()
        let digest = machine.digest
        let bytes = try machine.snapshotBytes(at: base)

        fs.isFull = true
        let installed = try machine.install(bytes)
        #expect(installed.metadata.index == base && machine.appliedIndex == base && machine.digest == digest)
        #expect(machine.snapshots.map(\.metadata.index) == [base])
        machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: fs, configuration: smallConfiguration())
        try machine.install(try machine.snapshotBytes(at: base))
        #expect(machine.appliedIndex == base && machine.digest == digest)
    }

    @Test func keyIndexSegmentsGoWithTheRecordsTheyPointAt() throws {
        let fs = SimulatedFileSystem(seed: 25)
        var configuration = smallConfiguration()
        configuration.keyIndexSegmentEntries = 4
        var machine = try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: configuration)
        for number in 0..<10 { try machine.send(message("TopicTest", "m\(number)", keys: ["k\(number)"])) }
        let base = machine.appliedIndex
        machine.takeSnapshot(term: Term(1), logPosition: 1, logChain: 0)
        try machine.persist()
        for number in 10..<14 { try machine.send(message("TopicTest", "m\(number)", keys: ["k\(number)"])) }
        try machine.persist()
        let directory = "\(Self.root)/keyindex"
        #expect(try fs.listDirectory(directory).count == 4)  // 14 keys, 4 a segment

        try #require(machine.log as? MemoryMessageLog).dropBodies(
            before: CommitLogStateMachine.testPosition(base.next))
        try machine.logCompacted(before: base.next)
        try machine.persist()
        // Segments 0 and 1 (keys 0–7) point only at deleted records; segment 2 holds k8 to k11.
        #expect(try fs.listDirectory(directory) == [8, 12].map { SegmentedFileName.name(start: Int64($0)) })
        #expect(try machine.messages(topic: "TopicTest", key: "k12").map(\.body) == [Array("m12".utf8)])
        #expect(try machine.messages(topic: "TopicTest", key: "k3").isEmpty)
        // A snapshot taken now holds no key index, whatever segment the node's own starts at.
        machine.takeSnapshot(term: Term(1), logPosition: 2, logChain: 0)
        try machine.persist()
        #expect(try StateSnapshot(decoding: machine.snapshotBytes(at: machine.appliedIndex)).digest == machine.digest)

        machine = try CommitLogStateMachine.open(directory: Self.root, fileSystem: fs, configuration: configuration)
        #expect(machine.recovery?.rebuiltKeyIndex == false)
        #expect(try machine.messages(topic: "TopicTest", key: "k13").map(\.body) == [Array("m13".utf8)])
        #expect(try machine.messages(topic: "TopicTest", key: "k1").isEmpty)
    }

    @Test func aDamagedSnapshotIsRefusedWithWhere() throws {
        let machine = try CommitLogStateMachine.open(
            directory: Self.root, fileSystem: SimulatedFileSystem(seed: 24), configuration: smallConfiguration())
        try fill(machine)
        machine.takeSnapshot(term: Term(1), logPosition: 1, logChain: 0)
        try machine.persist()
        var bytes = try machine.snapshotBytes(at: machine.appliedIndex)
        bytes[60] ^= 0xFF
        #expect {
            try machine.install(bytes)
        } throws: { error in
            "\(error)".contains("corrupt state snapshot a leader's snapshot") && "\(error)".contains("CRC")
        }
    }
}
