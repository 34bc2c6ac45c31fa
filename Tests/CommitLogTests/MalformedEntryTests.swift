import CommitLog
import LedgerModel
import Raft
import Testing

/// What the state machine makes of entries that are not well-formed commands.
@Suite struct MalformedEntryTests {
    static let samples: [Command] = [
        .send(
            message(tags: "TagA", keys: ["k1", "k2"], producer: ProducerStamp(producer: ProducerID(9), sequence: 4)),
            testStamp),
        .send(message(target: .queue(3), properties: ["a": "1", "b": ""]), testStamp),
        .send(
            message(target: .shardingKey("order-17"), tags: ""),
            StoreStamp(storeTimestamp: -1, storeHost: HostAddress(ip: Array(repeating: 1, count: 16), port: 65535)!)),
        .sendBatch(
            MessageBatch(
                messages: [message("A", "one"), message("B", "two", target: .queue(0))],
                producer: ProducerStamp(producer: ProducerID(1), sequence: 1)), testStamp),
        .sendBatch(MessageBatch(messages: []), testStamp),
        .commitOffset(OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 2), offset: QueueOffset(17))),
    ]

    /// Seeded fuzz: truncations, bit flips, byte overwrites and random bytes never trap; every
    /// input either decodes or throws `DecodeError`, and the state machine turns the failures
    /// into `rejected(.malformed)` results. Replay with the seed printed on failure.
    @Test func fuzzedBytesNeverTrap() throws {
        let seed: UInt64 = 0xC0FF_EE05
        var rng = SplitMix64(seed: seed)
        let machine = CommitLogStateMachine(configuration: smallConfiguration())
        let valid = try Self.samples.map { try $0.encoded() }
        var malformed = 0
        for round in 0..<3000 {
            var bytes = valid[Int(rng.below(UInt64(valid.count)))]
            switch rng.below(4) {
            case 0: bytes = Array(bytes[..<Int(rng.below(UInt64(bytes.count)))])
            case 1:
                for _ in 0...rng.below(4) { bytes[Int(rng.below(UInt64(bytes.count)))] ^= UInt8(1 << rng.below(8)) }
            case 2:
                for _ in 0...rng.below(4) {
                    bytes[Int(rng.below(UInt64(bytes.count)))] = UInt8(truncatingIfNeeded: rng.next())
                }
            default: bytes = (0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            let payload: EntryPayload?
            do {
                payload = try EntryPayload(decoding: bytes)
            } catch {
                payload = nil
            }
            let results = machine.apply(entry: Entry(index: machine.appliedIndex.next, term: Term(1), data: bytes))
            if case .raw = payload, !results.isEmpty {
                Issue.record("seed \(seed) round \(round): a raw entry gave \(results)")
                return
            }
            if payload == nil {
                malformed += 1
                guard results.count == 1, case .rejected(.malformed) = results[0] else {
                    Issue.record("seed \(seed) round \(round): undecodable bytes gave \(results)")
                    return
                }
            }
        }
        #expect(malformed > 1000, "seed \(seed): the fuzzer should mostly produce malformed input")
        #expect(machine.appliedIndex == LogIndex(3000))
    }

    @Test func aRawEntryAppliesNothing() {
        let machine = CommitLogStateMachine()
        let results = machine.apply(
            entry: Entry(index: LogIndex(1), term: Term(1), data: EntryPayload.encodeRaw([1, 2])))
        #expect(results.isEmpty)
        #expect(machine.appliedIndex == LogIndex(1))
        #expect(machine.topicList().isEmpty)
    }
}
