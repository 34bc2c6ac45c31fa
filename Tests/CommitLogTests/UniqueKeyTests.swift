import CommitLog
import FileIO
import LedgerModel
import Raft
import Testing

/// Idempotence by a RocketMQ message's unique key (`UNIQ_KEY`): a retried send is stored once
/// and answered with its original result, on every replica alike, within a bounded table that
/// survives a restart.
@Suite struct UniqueKeyTests {
    func keyed(_ key: String, _ body: String = "hello", topic: String = "Orders") -> ProducerMessage {
        var keyed = message(topic, body, target: .queue(1))
        keyed.uniqueKey = key
        return keyed
    }

    @Test func aRetryWithTheSameUniqueKeyIsStoredOnceAndAnsweredWithTheOriginalResult() throws {
        let machine = CommitLogStateMachine()
        let original = try machine.send(keyed("7F00000100002A9F"))
        // A retry through another leader carries another stamp; the answer is still the original.
        let later = StoreStamp(storeTimestamp: testStamp.storeTimestamp + 5_000, storeHost: testBornHost)
        #expect(try machine.apply(.send(keyed("7F00000100002A9F"), later)) == [.duplicate(original)])
        #expect(machine.topicList()[0].queues[1].maxOffset == QueueOffset(1))
        // Another key is a new message.
        let next = try machine.send(keyed("7F00000100002AA0"))
        #expect(next.queueOffset == QueueOffset(1))
    }

    @Test func aRetriedBatchStoresOnlyItsMessagesNotStoredYet() throws {
        let machine = CommitLogStateMachine()
        let first = try machine.send(keyed("K1", "one"))
        let batch = MessageBatch(messages: [keyed("K1", "one"), keyed("K2", "two"), keyed("K2", "two again")])
        let results = try machine.apply(.sendBatch(batch, testStamp))
        #expect(results.count == 3)
        #expect(results[0] == .duplicate(first))
        guard case .stored(let second) = results[1] else {
            Issue.record("K2 should be stored: \(results)")
            return
        }
        #expect(results[2] == .duplicate(second), "a key repeated inside a batch is stored once")
        #expect(
            try machine.apply(.sendBatch(batch, testStamp)) == [
                .duplicate(first), .duplicate(second), .duplicate(second),
            ])
        #expect(machine.topicList()[0].queues[1].maxOffset == QueueOffset(2))
    }

    @Test func theTableIsBoundedAndForgetsTheOldestKeyFirst() throws {
        let machine = CommitLogStateMachine(configuration: CommitLogConfiguration(maxUniqueKeys: 2))
        let one = try machine.send(keyed("K1"))
        _ = try machine.send(keyed("K2"))
        // K1 is remembered: a retry does not refresh its age.
        #expect(try machine.apply(.send(keyed("K1"), testStamp)) == [.duplicate(one)])
        let three = try machine.send(keyed("K3"))
        // K1 was the oldest: its retry is stored again (documented); K3 is still known.
        #expect(try machine.apply(.send(keyed("K3"), testStamp)) == [.duplicate(three)])
        #expect(try machine.apply(.send(keyed("K1"), testStamp)).first?.isDuplicate == false)
        // K2 went when K1 came back.
        #expect(try machine.apply(.send(keyed("K2"), testStamp)).first?.isDuplicate == false)
    }

    @Test func replicasDecideAlikeAndTheDecisionIsInTheDigest() throws {
        let commands: [Command] = [
            .send(keyed("A"), testStamp), .send(keyed("B"), testStamp), .send(keyed("A"), testStamp),
            .send(keyed("C"), testStamp), .send(keyed("A"), testStamp),
        ]
        let configuration = CommitLogConfiguration(maxUniqueKeys: 2)
        let left = CommitLogStateMachine(configuration: configuration)
        let right = CommitLogStateMachine(configuration: configuration)
        let leftResults = try commands.map { try left.apply($0) }
        let rightResults = try commands.map { try right.apply($0) }
        #expect(leftResults == rightResults && left.digest == right.digest)
        // Without the dedup the same entries give another digest.
        let bigger = CommitLogStateMachine(configuration: CommitLogConfiguration(maxUniqueKeys: 1))
        for command in commands { try bigger.apply(command) }
        #expect(bigger.digest != left.digest)
    }

    @Test func aKeyThatIsTheMessagesOwnOffsetIDIsNotRemembered() throws {
        let machine = CommitLogStateMachine()
        // The first record lies just after the first entry's records header: its offset id is
        // known in advance.
        let offset = PhysicalOffset(
            CommitLogStateMachine.testPosition(LogIndex(1)) + Int64(RecordsEntry.fixedHeaderBytes))
        let ownID = MessageID.make(storeHost: testStamp.storeHost, physicalOffset: offset)
        let first = try machine.send(keyed(ownID))
        #expect(first.messageID == ownID && first.physicalOffset == offset)
        #expect(try machine.apply(.send(keyed(ownID), testStamp)).first?.isDuplicate == false)
    }

    @Test func theTableSurvivesARestartInRecordingOrder() throws {
        let fs = SimulatedFileSystem(seed: 5)
        var configuration = smallConfiguration()
        configuration.maxUniqueKeys = 3
        let machine = try CommitLogStateMachine.open(directory: "/n0", fileSystem: fs, configuration: configuration)
        var results: [String: SendResult] = [:]
        for key in ["K1", "K2", "K3"] { results[key] = try machine.send(keyed(key)) }
        try machine.persist()

        let reopened = try CommitLogStateMachine.open(directory: "/n0", fileSystem: fs, configuration: configuration)
        #expect(reopened.digest == machine.digest)
        #expect(try reopened.apply(.send(keyed("K2"), testStamp)) == [.duplicate(results["K2"]!)])
        // The restored order is the recorded one: a new key evicts K1, not another.
        _ = try reopened.send(keyed("K4"))
        #expect(try reopened.apply(.send(keyed("K3"), testStamp)) == [.duplicate(results["K3"]!)])
        #expect(try reopened.apply(.send(keyed("K1"), testStamp)).first?.isDuplicate == false)
        // The checkpoint names the keys' records (8 bytes each), not the keys and results.
        try reopened.persist()
        let again = try CommitLogStateMachine.open(directory: "/n0", fileSystem: fs, configuration: configuration)
        #expect(again.digest == reopened.digest)
        #expect(try again.apply(.send(keyed("K4"), testStamp)).first?.isDuplicate == true)
        #expect(try again.apply(.send(keyed("K2"), testStamp)).first?.isDuplicate == false, "K2 was evicted")
    }

    @Test func aTailRolledBackToAMarkIsAsItWasBeforeThePlacementsAfterIt() throws {
        let machine = CommitLogStateMachine()
        func plan(_ key: String, at index: UInt64, into tail: inout ProposalTail) throws -> [UInt8] {
            try machine.planSend(
                [keyed(key)], producer: nil, stamp: testStamp, tail: &tail, index: LogIndex(index),
                bodyPosition: { _ in 0 }
            ).get()
        }
        var straight = ProposalTail()
        _ = try plan("K1", at: 1, into: &straight)
        let k2 = try plan("K2", at: 2, into: &straight)
        let k3 = try plan("K3", at: 3, into: &straight)

        // The log refused K2's entry: its queue offset and its key are free again.
        var tail = ProposalTail()
        _ = try plan("K1", at: 1, into: &tail)
        let mark = tail.mark()
        _ = try plan("K2", at: 2, into: &tail)
        tail.rollBack(to: mark)
        #expect(try plan("K2", at: 2, into: &tail) == k2)
        #expect(try plan("K3", at: 3, into: &tail) == k3, "K2 placed once more counts as new, not as a retry")
    }
}
