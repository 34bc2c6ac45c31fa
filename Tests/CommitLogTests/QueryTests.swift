import CommitLog
import LedgerModel
import Raft
import Testing

@Suite struct PullTests {
    /// Queue 0 of "T" holds offsets 0..<10 with tags A, B, C, A, B, C, ...
    func filled() throws -> CommitLogStateMachine {
        let machine = CommitLogStateMachine()
        for i in 0..<10 {
            try machine.send(message("T", "m\(i)", target: .queue(0), tags: ["TagA", "TagB", "TagC"][i % 3]))
        }
        return machine
    }

    @Test func foundReturnsMessagesAndAdvances() throws {
        let machine = try filled()
        let result = try machine.pull(topic: "T", queueID: 0, offset: QueueOffset(2), maxCount: 3)
        #expect(result.status == .found)
        #expect(result.messages.map { String(decoding: $0.body, as: UTF8.self) } == ["m2", "m3", "m4"])
        #expect(result.messages.map(\.queueOffset.rawValue) == [2, 3, 4])
        #expect(result.nextOffset == QueueOffset(5))
        #expect(result.minOffset == .zero)
        #expect(result.maxOffset == QueueOffset(10))
    }

    @Test func offsetAtMaxIsNoNewMessage() throws {
        let machine = try filled()
        let result = try machine.pull(topic: "T", queueID: 0, offset: QueueOffset(10), maxCount: 32)
        #expect(result.status == .noNewMessage)
        #expect(result.nextOffset == QueueOffset(10))
        #expect(result.messages.isEmpty)
        // An empty queue at offset 0 is also "no new message".
        #expect(try machine.pull(topic: "T", queueID: 1, offset: .zero, maxCount: 32).status == .noNewMessage)
    }

    @Test func offsetsOutsideTheRangeAreIllegalWithTheValidRange() throws {
        let machine = try filled()
        let beyond = try machine.pull(topic: "T", queueID: 0, offset: QueueOffset(11), maxCount: 32)
        #expect(beyond.status == .offsetIllegal)
        #expect(beyond.nextOffset == QueueOffset(10))
        #expect(beyond.minOffset == .zero && beyond.maxOffset == QueueOffset(10))
        let below = try machine.pull(topic: "T", queueID: 0, offset: QueueOffset(-1), maxCount: 32)
        #expect(below.status == .offsetIllegal)
        #expect(below.nextOffset == .zero)
        let empty = try machine.pull(topic: "T", queueID: 1, offset: QueueOffset(5), maxCount: 32)
        #expect(empty.status == .offsetIllegal)
        #expect(empty.nextOffset == .zero)
    }

    @Test func tagFiltersSkipButAdvance() throws {
        let machine = try filled()
        let filter = TagFilter(expression: "TagA || TagC")
        let result = try machine.pull(topic: "T", queueID: 0, offset: .zero, maxCount: 3, filter: filter)
        #expect(result.status == .found)
        #expect(result.messages.map(\.queueOffset.rawValue) == [0, 2, 3])
        #expect(result.nextOffset == QueueOffset(4))
        // Only TagB at offset 1 → scanning 1..<2 with a TagA filter finds nothing but moves on.
        let machine2 = CommitLogStateMachine()
        for _ in 0..<3 { try machine2.send(message("T", target: .queue(0), tags: "TagB")) }
        let none = try machine2.pull(
            topic: "T", queueID: 0, offset: .zero, maxCount: 32, filter: TagFilter(expression: "TagA"))
        #expect(none.status == .noMatchedMessage)
        #expect(none.nextOffset == QueueOffset(3))
        #expect(none.messages.isEmpty)
    }

    @Test func unknownTopicOrQueueOrCountIsAnError() throws {
        let machine = try filled()
        #expect(throws: QueryError.topicNotFound("Nope")) {
            try machine.pull(topic: "Nope", queueID: 0, offset: .zero, maxCount: 1)
        }
        #expect(throws: QueryError.queueNotFound(MessageQueue(topic: "T", queueID: 4), queueCount: 4)) {
            try machine.pull(topic: "T", queueID: 4, offset: .zero, maxCount: 1)
        }
        #expect(throws: QueryError.self) { try machine.pull(topic: "T", queueID: 0, offset: .zero, maxCount: 0) }
    }

    @Test func maxCountIsCapped() throws {
        let machine = CommitLogStateMachine(configuration: CommitLogConfiguration(maxPullMessages: 4))
        for _ in 0..<10 { try machine.send(message("T", target: .queue(0))) }
        let result = try machine.pull(topic: "T", queueID: 0, offset: .zero, maxCount: 100)
        #expect(result.messages.count == 4)
        #expect(result.nextOffset == QueueOffset(4))
    }
}

@Suite struct LookupTests {
    @Test func searchOffsetByStoreTimestamp() throws {
        let machine = CommitLogStateMachine()
        for i in 0..<10 {
            try machine.send(
                message("T", target: .queue(0)),
                stamp: StoreStamp(storeTimestamp: 1000 + Int64(i / 2) * 100, storeHost: testStamp.storeHost))
        }
        // Timestamps: 1000 1000 1100 1100 1200 1200 1300 1300 1400 1400.
        #expect(try machine.searchOffset(topic: "T", queueID: 0, timestamp: 0) == .zero)
        #expect(try machine.searchOffset(topic: "T", queueID: 0, timestamp: 1100) == QueueOffset(2))
        #expect(try machine.searchOffset(topic: "T", queueID: 0, timestamp: 1150) == QueueOffset(4))
        #expect(try machine.searchOffset(topic: "T", queueID: 0, timestamp: 1400) == QueueOffset(8))
        #expect(try machine.searchOffset(topic: "T", queueID: 0, timestamp: 9999) == QueueOffset(10))
        #expect(try machine.searchOffset(topic: "T", queueID: 1, timestamp: 0) == .zero)
    }

    @Test func lookupByKeyAndById() throws {
        let machine = CommitLogStateMachine()
        let a = try machine.send(message("T", "a", keys: ["order-1", "user-1"]))
        try machine.send(message("T", "b", keys: ["order-2"]))
        let c = try machine.send(message("T", "c", keys: ["order-1"]))
        try machine.send(message("U", "other topic", keys: ["order-1"]))
        let found = try machine.messages(topic: "T", key: "order-1")
        #expect(found.map(\.physicalOffset) == [a.physicalOffset, c.physicalOffset])
        #expect(
            try machine.messages(topic: "T", key: "order-1", maxCount: 1).map(\.physicalOffset) == [c.physicalOffset])
        #expect(try machine.messages(topic: "T", key: "missing").isEmpty)
        #expect(throws: QueryError.topicNotFound("Z")) { try machine.messages(topic: "Z", key: "order-1") }
        #expect(try machine.message(id: a.messageID).body == Array("a".utf8))
        #expect(try machine.message(id: a.messageID.lowercased()).physicalOffset == a.physicalOffset)
        #expect(throws: QueryError.invalidMessageID("nope")) { try machine.message(id: "nope") }
    }

    /// Keys are indexed from the bytes of an ASCII `KEYS` property and from its split otherwise;
    /// both find every key, and a key (not a prefix or a run of two) finds its message.
    @Test func lookupByKeyFindsASCIIAndOtherKeys() throws {
        let machine = CommitLogStateMachine()
        let ascii = try machine.send(message("T", "a", keys: ["k1", "k22", "k333"]))
        let other = try machine.send(message("T", "b", keys: ["ключ", "k1", "é"]))
        #expect(
            try machine.messages(topic: "T", key: "k1").map(\.physicalOffset) == [
                ascii.physicalOffset, other.physicalOffset,
            ])
        for key in ["k22", "k333"] {
            #expect(try machine.messages(topic: "T", key: key).map(\.physicalOffset) == [ascii.physicalOffset])
        }
        for key in ["ключ", "é"] {
            #expect(try machine.messages(topic: "T", key: key).map(\.physicalOffset) == [other.physicalOffset])
        }
        for key in ["k", "k3", "k1 k22", "ключ k1"] { #expect(try machine.messages(topic: "T", key: key).isEmpty) }
    }

    @Test func readByPhysicalOffsetRejectsOffsetsInsideARecord() throws {
        let machine = CommitLogStateMachine()
        let a = try machine.send(message("T", "a"))
        #expect(try machine.message(at: a.physicalOffset).body == Array("a".utf8))
        for bad in [1, 50, 100_000, -3] as [Int64] {
            #expect(throws: QueryError.noMessage(at: PhysicalOffset(bad))) {
                try machine.message(at: PhysicalOffset(bad))
            }
        }
    }
}
