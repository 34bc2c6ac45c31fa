import CommitLog
import FileIO
import LedgerModel
import Raft
import Testing

/// Topic administration through the log: create, alter (grow only), delete; a deleted topic's
/// queues, offsets and files go, its old records stay hidden after the name is used again, and
/// a restart or an index rebuild agrees.
@Suite struct TopicAdminTests {
    func update(_ topic: String, _ queues: Int32, _ mode: TopicUpdate.Mode) -> Command {
        .updateTopic(TopicUpdate(topic: topic, queueCount: queues, mode: mode))
    }

    @Test func createAlterAndTheirRefusals() throws {
        let machine = CommitLogStateMachine()
        let created = try machine.apply(update("Orders", 2, .create))
        #expect(
            created == [
                .topicUpdated(
                    TopicInfo(
                        name: "Orders",
                        queues: Array(repeating: QueueOffsetRange(minOffset: .zero, maxOffset: .zero), count: 2)))
            ])
        #expect(try machine.apply(update("Orders", 3, .create)) == [.rejected(.topicExists("Orders", queueCount: 2))])
        #expect(try machine.apply(update("Missing", 3, .alter)) == [.rejected(.topicNotFound("Missing"))])
        #expect(try machine.apply(update("Orders", 0, .alter)) == [.rejected(.invalidQueueCount(topic: "Orders", 0))])
        #expect(
            try machine.apply(update("Orders", 1025, .alter)) == [.rejected(.invalidQueueCount(topic: "Orders", 1025))])
        #expect(
            try machine.apply(update("bad topic", 1, .create)).first
                == .rejected(.invalidTopic("bad topic", reason: "only letters, digits and %|_- are allowed")))
        try machine.send(message("Orders", "m0", target: .queue(1)))
        // Growing keeps the old queues' messages and adds empty ones.
        #expect(try machine.apply(update("Orders", 4, .alter)).first?.isTopicUpdate == true)
        #expect(machine.topicList()[0].queues.map(\.maxOffset.rawValue) == [0, 1, 0, 0])
        try machine.send(message("Orders", "m1", target: .queue(3)))
        #expect(
            try machine.apply(update("Orders", 2, .alter))
                == [.rejected(.queuesCannotShrink(topic: "Orders", from: 4, to: 2))])
        // RocketMQ's UPDATE_AND_CREATE_TOPIC: create when absent, same count is fine, never shrink.
        #expect(try machine.apply(update("Orders", 4, .createOrAlter)).first?.isTopicUpdate == true)
        #expect(try machine.apply(update("Fresh", 8, .createOrAlter)).first?.isTopicUpdate == true)
        #expect(machine.queueCount(topic: "Fresh") == 8)
        #expect(
            machine.precheck(update("Orders", 3, .createOrAlter))
                == .queuesCannotShrink(topic: "Orders", from: 4, to: 3))
        // The topics that hold delayed and half messages are the store's own.
        for topic in [SystemTopic.schedule, SystemTopic.transactionHalf] {
            guard case .invalidTopic(topic, let reason)? = machine.precheck(update(topic, 4, .createOrAlter)) else {
                Issue.record("topic admin of \(topic) was not refused")
                continue
            }
            #expect(reason.hasPrefix("a system topic"))
            #expect(machine.precheck(.deleteTopic(TopicDeletion(topic: topic))) != nil)
        }
    }

    @Test func deleteDropsQueuesAndOffsetsAndHidesOldRecordsFromTheNextIncarnation() throws {
        let machine = CommitLogStateMachine()
        let old = try machine.send(message("Orders", "old", target: .queue(0), keys: ["k1"]))
        try machine.send(message("Other", "kept", keys: ["k1"]))
        let queue = MessageQueue(topic: "Orders", queueID: 0)
        try machine.apply(.commitOffset(OffsetCommit(group: "G", queue: queue, offset: QueueOffset(1))))
        #expect(
            try machine.apply(.deleteTopic(TopicDeletion(topic: "Orders"))) == [
                .topicDeleted(TopicDeletion(topic: "Orders"))
            ])
        #expect(machine.topicList().map(\.name) == ["Other"])
        #expect(machine.consumerOffset(group: "G", queue: queue) == nil)
        #expect(
            try machine.apply(.deleteTopic(TopicDeletion(topic: "Orders"))) == [.rejected(.topicNotFound("Orders"))])
        // The name is free again; its queues start empty and its old message stays hidden.
        let fresh = try machine.send(message("Orders", "new", target: .queue(0), keys: ["k1"]))
        #expect(fresh.queueOffset == .zero && fresh.physicalOffset > old.physicalOffset)
        #expect(try machine.messages(topic: "Orders", key: "k1").map(\.physicalOffset) == [fresh.physicalOffset])
        #expect(try machine.messages(topic: "Other", key: "k1").count == 1)
        #expect(try machine.message(at: old.physicalOffset).body == Array("old".utf8), "the record itself stays")
    }

    @Test func describeGivesEachQueuesOffsetsAndStoreTimes() throws {
        let machine = CommitLogStateMachine()
        try machine.apply(update("T", 3, .create))
        let early = StoreStamp(storeTimestamp: 1_000, storeHost: testStamp.storeHost)
        let late = StoreStamp(storeTimestamp: 2_000, storeHost: testStamp.storeHost)
        try machine.send(message("T", "a", target: .queue(1)), stamp: early)
        try machine.send(message("T", "b", target: .queue(1)), stamp: late)
        let description = try machine.describeTopic("T")
        #expect(description.queues.count == 3)
        #expect(
            description.queues[0]
                == QueueDescription(
                    range: QueueOffsetRange(minOffset: .zero, maxOffset: .zero), earliestStoreTimestamp: nil,
                    latestStoreTimestamp: nil))
        #expect(
            description.queues[1].earliestStoreTimestamp == 1_000 && description.queues[1].latestStoreTimestamp == 2_000
        )
        #expect(throws: QueryError.topicNotFound("Nope")) { try machine.describeTopic("Nope") }
    }

    /// The last records of the log belong to a deleted topic: a restart must accept that and
    /// remove its files, and replaying the log after an index went missing must keep the
    /// re-created topic's queue free of its old records.
    @Test func deletionSurvivesRestartAndIndexRebuild() throws {
        let fs = SimulatedFileSystem(seed: 9)
        let root = "/n0"
        let machine = try CommitLogStateMachine.open(
            directory: root, fileSystem: fs, configuration: smallConfiguration())
        var commands: [Command] = []
        for i in 0..<5 { commands.append(.send(message("Keep", "k\(i)", target: .queue(0)), testStamp)) }
        for i in 0..<5 { commands.append(.send(message("Gone", "g\(i)", target: .queue(1), keys: ["k"]), testStamp)) }
        for command in commands { try machine.apply(command) }
        try machine.persist()
        #expect(try fs.listDirectory("\(root)/consumequeue/Gone/1").isEmpty == false)
        commands.append(.deleteTopic(TopicDeletion(topic: "Gone")))
        try machine.apply(commands.last!)
        try machine.persist()
        #expect(try fs.listDirectory("\(root)/consumequeue/Gone/1").isEmpty, "the persist removed its files")

        let reopened = try CommitLogStateMachine.open(
            directory: root, fileSystem: fs, configuration: smallConfiguration())
        #expect(reopened.topicList().map(\.name) == ["Keep"] && reopened.digest == machine.digest)

        // Created again, with one new message; then its consume queue goes missing.
        commands.append(.send(message("Gone", "again", target: .queue(1), keys: ["k"]), testStamp))
        let fresh = try #require(try reopened.apply(commands.last!).first?.sendResult)
        try reopened.persist()
        for name in try fs.listDirectory("\(root)/consumequeue/Gone/1") {
            try fs.unlink("\(root)/consumequeue/Gone/1/\(name)")
        }
        for name in try fs.listDirectory("\(root)/keyindex") { try fs.unlink("\(root)/keyindex/\(name)") }
        let rebuilt = try CommitLogStateMachine.open(
            directory: root, fileSystem: fs, configuration: smallConfiguration())
        let report = try #require(rebuilt.recovery)
        #expect(report.rebuiltQueues == [MessageQueue(topic: "Gone", queueID: 1)] && report.rebuiltKeyIndex)
        #expect(rebuilt.appliedIndex == .zero, "the indexes are rebuilt by replaying the log")
        for command in commands { try rebuilt.apply(command) }
        try rebuilt.persist()
        #expect(
            try rebuilt.offsetRange(topic: "Gone", queueID: 1)
                == QueueOffsetRange(minOffset: .zero, maxOffset: QueueOffset(1)))
        #expect(try rebuilt.messages(topic: "Gone", key: "k").map(\.physicalOffset) == [fresh.physicalOffset])
        #expect(try observable(rebuilt) == observable(reopened))
    }
}

extension ApplyResult {
    var isTopicUpdate: Bool {
        if case .topicUpdated = self { return true }
        return false
    }
}
