import CommitLog
import LedgerModel
import Raft
import Testing

@Suite struct SendTests {
    @Test func firstSendCreatesTheTopicWithDefaultQueuesAndDenseOffsets() throws {
        let machine = CommitLogStateMachine()
        var offsets: [Int32: [Int64]] = [:]
        for i in 0..<12 {
            let result = try machine.send(message("Orders", "m\(i)"))
            offsets[result.queue.queueID, default: []].append(result.queueOffset.rawValue)
        }
        let topics = machine.topicList()
        #expect(topics.map(\.name) == ["Orders"])
        #expect(topics[0].queues.count == 4)
        // Automatic placement fills the emptiest queue, so 12 sends give 3 per queue, offsets 0, 1, 2.
        #expect(offsets == [0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2], 3: [0, 1, 2]])
        #expect(topics[0].queues.allSatisfy { $0.minOffset == .zero && $0.maxOffset == QueueOffset(3) })
    }

    @Test func aProducersUniqueKeyAndCompressedFlagAreStoredAsSent() throws {
        let machine = CommitLogStateMachine()
        var keyed = message("Orders", "zipped")
        keyed.uniqueKey = "7F0000010001"
        keyed.bodyCompressed = true
        let stored = try machine.message(at: try machine.send(keyed).physicalOffset)
        #expect(
            stored.property(MessageProperty.uniqueKey) == "7F0000010001" && stored.sysFlag == MessageSysFlag.compressed)
        let plain = try machine.send(message("Orders", "plain"))
        let assigned = try machine.message(at: plain.physicalOffset)
        #expect(assigned.property(MessageProperty.uniqueKey) == plain.messageID && assigned.sysFlag == 0)
        var spaced = message("Orders", "x")
        spaced.uniqueKey = "has space"
        let refused = try machine.apply(.send(spaced, testStamp))
        #expect(refused == [.rejected(.invalidField(topic: "Orders", field: "unique key", reason: "contains a space"))])
    }

    /// A message's physical offset is where its record lies in the log: the entry's data
    /// position, past the records header, then record after record within a batch.
    @Test func physicalOffsetsAreLogPositions() throws {
        let machine = CommitLogStateMachine(configuration: smallConfiguration(fileSize: 4096))
        let batch = (0..<3).map { message("T", String(repeating: "x", count: 10 + $0), target: .queue(0)) }
        let results = try machine.apply(.sendBatch(MessageBatch(messages: batch), testStamp))
        let stored = results.compactMap(\.sendResult)
        let body = CommitLogStateMachine.testPosition(LogIndex(1))
        #expect(stored.first?.physicalOffset == PhysicalOffset(body + Int64(RecordsEntry.fixedHeaderBytes)))
        for (earlier, later) in zip(stored, stored.dropFirst()) {
            let size = try machine.message(at: earlier.physicalOffset).storeSize
            #expect(later.physicalOffset.rawValue == earlier.physicalOffset.rawValue + Int64(size))
        }
        let record = try machine.log.bytes(at: stored[1].physicalOffset.rawValue, count: 4096)
        #expect(try StoredMessage(decoding: record).body == Array("xxxxxxxxxxx".utf8))
    }

    @Test func queueOutOfRangeIsARecordedRejection() throws {
        let machine = CommitLogStateMachine()
        let before = machine.digest
        let results = try machine.apply(.send(message(target: .queue(4)), testStamp))
        #expect(results == [.rejected(.queueOutOfRange(MessageQueue(topic: "TopicTest", queueID: 4), queueCount: 4))])
        #expect(machine.topicList().isEmpty, "a rejected send creates no topic")
        #expect(machine.appliedIndex == LogIndex(1))
        #expect(machine.digest != before)
        #expect(try machine.apply(.send(message(target: .queue(-1)), testStamp)).first?.sendResult == nil)
    }

    @Test func oversizedBodiesAndBadFieldsAreRejected() throws {
        let machine = CommitLogStateMachine(configuration: CommitLogConfiguration(maxMessageSize: 100))
        let big = try machine.apply(.send(message("TopicTest", String(repeating: "x", count: 101)), testStamp))
        #expect(big == [.rejected(.bodyTooLarge(topic: "TopicTest", bytes: 101, limit: 100))])
        let cases: [ProducerMessage] = [
            message("bad topic"), message(String(repeating: "t", count: 128)), message(""),
            message(keys: ["has space"]), message(tags: "a\u{1}b"), message(properties: ["TAGS": "x"]),
            message(properties: ["k": "v\u{2}"]), message(target: .shardingKey("")),
        ]
        for bad in cases {
            let results = try machine.apply(.send(bad, testStamp))
            guard case .rejected = results.first else {
                Issue.record("\(bad) was not rejected: \(results)")
                continue
            }
        }
        #expect(machine.topicList().isEmpty)
    }

    @Test func recordsThatCannotFitAFileAreRejected() throws {
        let configuration = CommitLogConfiguration(commitLogFileSize: 4096, maxMessageSize: 8192)
        let machine = CommitLogStateMachine(configuration: configuration)
        let results = try machine.apply(.send(message("T", String(repeating: "x", count: 4000)), testStamp))
        guard case .rejected(.recordTooLarge(_, let bytes, 4096)) = results.first else {
            Issue.record("expected recordTooLarge, got \(results)")
            return
        }
        #expect(bytes > 4088)
    }

    @Test func sameShardingKeyGoesToTheSameQueueInSendOrder() throws {
        let machine = CommitLogStateMachine(configuration: CommitLogConfiguration(defaultTopicQueueNums: 8))
        var queues: [String: Set<Int32>] = [:]
        for step in 0..<10 {
            for order in ["order-1", "order-2", "order-3", "order-42"] {
                let result = try machine.send(message("Orders", "\(order):\(step)", target: .shardingKey(order)))
                queues[order, default: []].insert(result.queue.queueID)
            }
        }
        #expect(queues.values.allSatisfy { $0.count == 1 })
        // RocketMQ's SelectMessageQueueByHash: abs(hashCode % 8).
        for (order, queue) in queues {
            let h = JavaHash.hashCode(order) % 8
            #expect(queue == [h < 0 ? -h : h])
        }
        // Within a queue the key's messages come back in send order.
        for (order, queue) in queues {
            let pulled = try machine.pull(topic: "Orders", queueID: queue.first!, offset: .zero, maxCount: 100)
            let bodies = pulled.messages.map { String(decoding: $0.body, as: UTF8.self) }.filter {
                $0.hasPrefix("\(order):")
            }
            #expect(bodies == (0..<10).map { "\(order):\($0)" })
            #expect(pulled.messages.allSatisfy { $0.property("__SHARDINGKEY") != nil })
        }
    }

    @Test func storeTimestampsNeverGoBackwards() throws {
        let machine = CommitLogStateMachine()
        let first = try machine.send(message(), stamp: StoreStamp(storeTimestamp: 5000, storeHost: testStamp.storeHost))
        let second = try machine.send(
            message(), stamp: StoreStamp(storeTimestamp: 4000, storeHost: testStamp.storeHost))
        #expect(first.storeTimestamp == 5000)
        #expect(second.storeTimestamp == 5000)
        #expect(try machine.message(at: second.physicalOffset).storeTimestamp == 5000)
    }

    @Test func noopEntriesApplyNothing() {
        let machine = CommitLogStateMachine()
        #expect(machine.apply(entry: Entry(index: LogIndex(1), term: Term(1), kind: .noop, data: [])).isEmpty)
        #expect(machine.appliedIndex == LogIndex(1))
        // A replayed entry at or below the applied index is skipped.
        #expect(machine.apply(entry: Entry(index: LogIndex(1), term: Term(1), kind: .noop, data: [])).isEmpty)
        #expect(machine.appliedIndex == LogIndex(1))
    }
}

@Suite struct BatchTests {
    @Test func aBatchIsStoredWithConsecutiveQueueOffsets() throws {
        let machine = CommitLogStateMachine()
        try machine.send(message("B", "before", target: .queue(2)))
        let batch = MessageBatch(messages: (0..<5).map { message("B", "b\($0)", target: .queue(2)) })
        let results = try machine.apply(.sendBatch(batch, testStamp))
        #expect(results.count == 5)
        let offsets = results.compactMap { $0.sendResult?.queueOffset.rawValue }
        #expect(offsets == [1, 2, 3, 4, 5])
        #expect(machine.appliedIndex == LogIndex(2), "one entry")
    }

    @Test func aBatchWithOneBadMessageStoresNone() throws {
        let machine = CommitLogStateMachine()
        let before = try machine.send(message("B", "x", target: .queue(0)))
        var messages = (0..<4).map { message("B", "b\($0)", target: .queue(0)) }
        messages.insert(message("B", "bad", target: .queue(9)), at: 2)
        let results = try machine.apply(.sendBatch(MessageBatch(messages: messages), testStamp))
        #expect(
            results == [
                .rejected(
                    .batchMessageRejected(
                        index: 2, .queueOutOfRange(MessageQueue(topic: "B", queueID: 9), queueCount: 4)))
            ])
        #expect(try machine.offsetRange(topic: "B", queueID: 0).maxOffset == before.queueOffset.next)
        // A batch that would auto-create a topic creates nothing when rejected.
        let rejected = try machine.apply(
            .sendBatch(MessageBatch(messages: [message("New"), message("bad topic")]), testStamp))
        #expect(rejected.count == 1)
        #expect(machine.topicList().map(\.name) == ["B"])
        #expect(try machine.apply(.sendBatch(MessageBatch(messages: []), testStamp)) == [.rejected(.emptyBatch)])
        let stamped = MessageBatch(messages: [message(producer: ProducerStamp(producer: ProducerID(1), sequence: 1))])
        #expect(try machine.apply(.sendBatch(stamped, testStamp)) == [.rejected(.stampInsideBatch(index: 0))])
    }
}

@Suite struct IdempotenceTests {
    let producer = ProducerID(0xABCD)

    @Test func aRetryReturnsTheOriginalResultAndStoresOnce() throws {
        let machine = CommitLogStateMachine()
        let stamped = message("Idem", "once", producer: ProducerStamp(producer: producer, sequence: 1))
        let original = try machine.send(stamped)
        // The retry comes through a new leader with a new stamp: still the original result.
        let retryStamp = StoreStamp(
            storeTimestamp: testStamp.storeTimestamp + 10, storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40912))
        let retry = try machine.apply(.send(stamped, retryStamp))
        #expect(retry == [.duplicate(original)])
        let range = try machine.offsetRange(topic: "Idem", queueID: original.queue.queueID)
        #expect(range.maxOffset == QueueOffset(1))
        // The next sequence is new.
        let next = try machine.send(message("Idem", "twice", producer: ProducerStamp(producer: producer, sequence: 2)))
        #expect(next.physicalOffset > original.physicalOffset)
    }

    @Test func anOlderSequenceIsRejected() throws {
        let machine = CommitLogStateMachine()
        try machine.send(message(producer: ProducerStamp(producer: producer, sequence: 5)))
        let stale = try machine.apply(
            .send(message(producer: ProducerStamp(producer: producer, sequence: 3)), testStamp))
        #expect(stale == [.rejected(.staleSequence(ProducerStamp(producer: producer, sequence: 3), lastApplied: 5))])
    }

    @Test func aRetriedBatchReturnsAllOriginalResults() throws {
        let machine = CommitLogStateMachine()
        let batch = MessageBatch(
            messages: (0..<3).map { message("Idem", "b\($0)") },
            producer: ProducerStamp(producer: producer, sequence: 1))
        let first = try machine.apply(.sendBatch(batch, testStamp))
        let second = try machine.apply(.sendBatch(batch, testStamp))
        #expect(second == first.compactMap { $0.sendResult }.map { .duplicate($0) })
        #expect(machine.topicList()[0].queues.map(\.maxOffset.rawValue).reduce(0, +) == 3)
    }

    @Test func theTableIsBoundedAndEvictsTheLeastRecentProducer() throws {
        let machine = CommitLogStateMachine(configuration: CommitLogConfiguration(maxProducers: 2))
        for id in [1, 2, 3] as [UInt64] {
            try machine.send(message(producer: ProducerStamp(producer: ProducerID(id), sequence: 1)))
        }
        // Producer 1 was evicted: its retry is stored again (documented); 3 is still known.
        #expect(
            try machine.apply(.send(message(producer: ProducerStamp(producer: ProducerID(3), sequence: 1)), testStamp))
                .first?.isDuplicate == true)
        #expect(
            try machine.apply(.send(message(producer: ProducerStamp(producer: ProducerID(1), sequence: 1)), testStamp))
                .first?.isDuplicate == false)
    }
}

extension ApplyResult {
    var isDuplicate: Bool {
        if case .duplicate = self { return true }
        return false
    }
}

@Suite struct OffsetTests {
    @Test func commitAndQueryOffsetsWithLag() throws {
        let machine = CommitLogStateMachine()
        for i in 0..<10 { try machine.send(message("T", "m\(i)", target: .queue(1))) }
        let queue = MessageQueue(topic: "T", queueID: 1)
        #expect(machine.consumerOffset(group: "G", queue: queue) == nil)
        let commit = OffsetCommit(group: "G", queue: queue, offset: QueueOffset(4))
        #expect(try machine.apply(.commitOffset(commit)) == [.offsetCommitted(commit)])
        #expect(machine.consumerOffset(group: "G", queue: queue) == QueueOffset(4))
        try machine.apply(.commitOffset(OffsetCommit(group: "G", queue: queue, offset: QueueOffset(7))))
        #expect(machine.consumerOffset(group: "G", queue: queue) == QueueOffset(7))
        let progress = machine.consumerProgress(group: "G")
        #expect(progress.count == 1)
        #expect(progress[0].lag == 3)
        #expect(machine.consumerGroups() == ["G"])
    }

    @Test func everyGroupsProgressInOnePass() throws {
        let machine = CommitLogStateMachine()
        for i in 0..<6 { try machine.send(message("T", "m\(i)", target: .queue(Int32(i % 2)))) }
        for (group, queue, offset) in [("B", 1, 1), ("A", 1, 3), ("B", 0, 0), ("A", 0, 2)] {
            let commit = OffsetCommit(
                group: group, queue: MessageQueue(topic: "T", queueID: Int32(queue)), offset: QueueOffset(Int64(offset))
            )
            try machine.apply(.commitOffset(commit))
        }
        let all = machine.allConsumerProgress()
        #expect(all.map { "\($0.group)/\($0.queue.queueID)" } == ["A/0", "A/1", "B/0", "B/1"])
        #expect(all.map(\.lag) == [1, 0, 3, 2])
        #expect(all == machine.consumerGroups().flatMap { machine.consumerProgress(group: $0) })
    }

    @Test func badCommitsAreRejected() throws {
        let machine = CommitLogStateMachine()
        try machine.send(message("T", target: .queue(0)))
        let cases: [(OffsetCommit, CommandRejection)] = [
            (
                OffsetCommit(group: "G", queue: MessageQueue(topic: "None", queueID: 0), offset: .zero),
                .topicNotFound("None")
            ),
            (
                OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 5), offset: .zero),
                .queueOutOfRange(MessageQueue(topic: "T", queueID: 5), queueCount: 4)
            ),
            (
                OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 0), offset: QueueOffset(2)),
                .offsetOutOfRange(
                    MessageQueue(topic: "T", queueID: 0), offset: QueueOffset(2), maxOffset: QueueOffset(1))
            ),
            (OffsetCommit(group: "", queue: MessageQueue(topic: "T", queueID: 0), offset: .zero), .invalidGroup("")),
        ]
        for (commit, expected) in cases {
            #expect(try machine.apply(.commitOffset(commit)) == [.rejected(expected)])
        }
    }
}

@Suite struct DeterminismTests {
    /// A mixed workload from a seed: sends, batches, retries, offset commits, bad commands, no-ops.
    static func workload(seed: UInt64, count: Int) throws -> [Entry] {
        var rng = SplitMix64(seed: seed)
        var entries: [Entry] = []
        var sequences: [UInt64] = [0, 0, 0]
        for index in 1...count {
            let stamp = StoreStamp(
                storeTimestamp: 1_000 + Int64(index) * 3 - Int64(rng.below(5)), storeHost: testStamp.storeHost)
            let topic = ["A", "B", "C"][Int(rng.below(3))]
            let data: [UInt8]
            var kind = EntryKind.normal
            switch rng.below(10) {
            case 0: kind = .noop; data = []
            case 1: data = (0..<rng.below(20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 2:
                let messages = (0..<(1 + rng.below(4))).map { message(topic, "batch \(index) \($0)", tags: "TagB") }
                data = try Command.sendBatch(MessageBatch(messages: messages), stamp).encoded()
            case 3:
                let offset = QueueOffset(Int64(rng.below(3)))
                data = try Command.commitOffset(
                    OffsetCommit(group: "G", queue: MessageQueue(topic: topic, queueID: 0), offset: offset)
                ).encoded()
            default:
                let p = Int(rng.below(3))
                if !rng.chance(1, in: 4) { sequences[p] += 1 }  // else: a retry of the last sequence
                let stamped = ProducerStamp(producer: ProducerID(UInt64(p + 1)), sequence: max(1, sequences[p]))
                let target: QueueTarget = rng.chance(1, in: 2) ? .shardingKey("key\(rng.below(5))") : .automatic
                data = try Command.send(
                    message(
                        topic, String(repeating: "p", count: Int(rng.below(300))), target: target,
                        tags: rng.chance(1, in: 2) ? "TagA" : nil, keys: ["k\(index % 7)"], producer: stamped),
                    stamp
                ).encoded()
            }
            entries.append(Entry(index: LogIndex(UInt64(index)), term: Term(1), kind: kind, data: data))
        }
        return entries
    }

    @Test func twoMachinesFedTheSameEntriesAgree() throws {
        let seed: UInt64 = 20_251_123
        let entries = try Self.workload(seed: seed, count: 400)
        let a = CommitLogStateMachine(configuration: smallConfiguration())
        let b = CommitLogStateMachine(configuration: smallConfiguration())
        var resultsA: [[ApplyResult]] = []
        var resultsB: [[ApplyResult]] = []
        for entry in entries { resultsA.append(a.apply(entry: entry)) }
        for entry in entries { resultsB.append(b.apply(entry: entry)) }
        #expect(resultsA == resultsB, "seed \(seed)")
        #expect(a.digest == b.digest, "seed \(seed)")
        #expect(a.topicList() == b.topicList(), "seed \(seed)")
        // A different history gives a different digest.
        let c = CommitLogStateMachine(configuration: smallConfiguration())
        for entry in entries.dropLast() { _ = c.apply(entry: entry) }
        #expect(c.digest != a.digest)
    }
}

@Suite struct PrecheckTests {
    @Test func precheckPredictsApplyWithoutChangingState() throws {
        let machine = CommitLogStateMachine(configuration: CommitLogConfiguration(maxMessageSize: 10))
        let big = Command.send(message("T", String(repeating: "x", count: 11)), testStamp)
        let good = Command.send(message("T", "ok"), testStamp)
        let badBatch = Command.sendBatch(
            MessageBatch(messages: [message("T"), message("T", target: .queue(7))]), testStamp)
        let commit = Command.commitOffset(
            OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 0), offset: .zero))
        let digest = machine.digest
        #expect(machine.precheck(big) == .bodyTooLarge(topic: "T", bytes: 11, limit: 10))
        #expect(machine.precheck(good) == nil)
        #expect(
            machine.precheck(badBatch)
                == .batchMessageRejected(
                    index: 1, .queueOutOfRange(MessageQueue(topic: "T", queueID: 7), queueCount: 4)))
        #expect(machine.precheck(commit) == .topicNotFound("T"))
        #expect(machine.digest == digest)
        #expect(machine.topicList().isEmpty)
        for command in [big, badBatch, commit] {
            #expect(try machine.apply(command) == [.rejected(try #require(machine.precheck(command)))])
        }
    }
}
