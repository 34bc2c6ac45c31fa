import Bytes
import CommitLog
import Raft
import Testing

@Suite struct CommandCodecTests {
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

    @Test(arguments: samples)
    func roundTrips(command: Command) throws {
        let bytes = try command.encoded()
        #expect(bytes.first == Command.formatVersion)
        #expect(try Command(decoding: bytes) == command)
    }

    @Test func unencodableValuesAreTypedErrors() {
        let long = String(repeating: "x", count: 70_000)
        #expect(throws: EncodeError.self) { try Command.send(message(tags: long), testStamp).encoded() }
    }

    @Test func badVersionKindAndTrailingBytesAreRejected() throws {
        var bytes = try Self.samples[5].encoded()
        #expect(throws: DecodeError.unsupportedVersion(found: 9, supported: 1)) {
            var copy = bytes
            copy[0] = 9
            _ = try Command(decoding: copy)
        }
        var badKind = bytes
        badKind[1] = 77
        #expect(throws: DecodeError.self) { try Command(decoding: badKind) }
        bytes.append(0)
        #expect(throws: DecodeError.trailingBytes(offset: bytes.count - 1, count: 1)) { try Command(decoding: bytes) }
        #expect(throws: DecodeError.self) { try Command(decoding: []) }
    }

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
}

@Suite struct EntryPayloadTests {
    @Test func rawAppendsAndCommandsAreToldApart() throws {
        #expect(try EntryPayload(decoding: EntryPayload.encodeRaw([7, 8])) == .raw([7, 8]))
        #expect(try EntryPayload(decoding: EntryPayload.encodeRaw([])) == .raw([]))
        let command = Command.commitOffset(
            OffsetCommit(group: "g", queue: MessageQueue(topic: "t", queueID: 0), offset: QueueOffset(0)))
        #expect(try EntryPayload(decoding: EntryPayload.encode(command)) == .command(command))
        #expect(throws: DecodeError.self) { try EntryPayload(decoding: []) }
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
