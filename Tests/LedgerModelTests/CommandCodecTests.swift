import Bytes
import LedgerModel
import Testing

@Suite struct CommandCodecTests {
    static let stamp = StoreStamp(
        storeTimestamp: 1_700_000_000_000, storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40911))
    static let born = HostAddress(ipv4: 10, 0, 0, 7, port: 50000)

    /// Every shape of command: each target, with and without tags, keys, properties and
    /// producer stamps, both host sizes, an empty batch.
    static let samples: [Command] = [
        .send(
            ProducerMessage(
                topic: "TopicTest", tags: "TagA", keys: ["k1", "k2"], body: Array("hello".utf8),
                bornTimestamp: 1_699_999_999_000, bornHost: born,
                producer: ProducerStamp(producer: ProducerID(9), sequence: 4)),
            stamp),
        .send(
            ProducerMessage(
                topic: "TopicTest", target: .queue(3), body: Array("hello".utf8), properties: ["a": "1", "b": ""],
                bornTimestamp: 1_699_999_999_000, bornHost: born),
            stamp),
        .send(
            ProducerMessage(
                topic: "TopicTest", target: .shardingKey("order-17"), tags: "", body: Array("hello".utf8),
                bornTimestamp: 1_699_999_999_000, bornHost: born),
            StoreStamp(storeTimestamp: -1, storeHost: HostAddress(ip: Array(repeating: 1, count: 16), port: 65535)!)),
        .sendBatch(
            MessageBatch(
                messages: [
                    ProducerMessage(topic: "A", body: Array("one".utf8), bornHost: born),
                    ProducerMessage(topic: "B", target: .queue(0), body: Array("two".utf8), bornHost: born),
                ],
                producer: ProducerStamp(producer: ProducerID(1), sequence: 1)), stamp),
        .sendBatch(MessageBatch(messages: []), stamp),
        .commitOffset(OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 2), offset: QueueOffset(17))),
        .updateTopic(TopicUpdate(topic: "Orders", queueCount: 8, mode: .create)),
        .updateTopic(TopicUpdate(topic: "Orders", queueCount: 16, mode: .alter)),
        .updateTopic(TopicUpdate(topic: "Orders", queueCount: -1, mode: .createOrAlter)),
        .deleteTopic(TopicDeletion(topic: "Orders")),
    ]

    @Test(arguments: samples)
    func roundTrips(command: Command) throws {
        let bytes = try command.encoded()
        #expect(bytes.first == Command.baseFormatVersion)
        #expect(try Command(decoding: bytes) == command)
    }

    @Test func aCompressedBodyOrUniqueKeyIsWrittenAsVersion2AndOnlyThen() throws {
        var message = ProducerMessage(topic: "T", target: .queue(1), body: [0x78, 0x9C, 1], bornHost: Self.born)
        let plain = try Command.send(message, Self.stamp).encoded()
        message.bodyCompressed = true
        let compressed = try Command.send(message, Self.stamp).encoded()
        #expect(compressed.first == Command.formatVersion && plain.first == Command.baseFormatVersion)
        #expect(
            compressed.count == plain.count + 5 && Array(compressed.dropFirst().dropLast(5)) == Array(plain.dropFirst())
        )
        #expect(try Command(decoding: compressed) == .send(message, Self.stamp))
        let batch = Command.sendBatch(
            MessageBatch(messages: [ProducerMessage(topic: "T", body: []), message]), Self.stamp)
        #expect(try Command(decoding: try batch.encoded()) == batch)
        message.uniqueKey = "7F000001ABCD"
        let keyed = try Command.send(message, Self.stamp).encoded()
        #expect(keyed.first == Command.formatVersion)
        #expect(try Command(decoding: keyed) == .send(message, Self.stamp))
        var unknownBits = compressed
        unknownBits[unknownBits.count - 2] = 0x3
        #expect(throws: DecodeError.self) { try Command(decoding: unknownBits) }
    }

    @Test func unencodableValuesAreTypedErrors() {
        let long = String(repeating: "x", count: 70_000)
        let message = ProducerMessage(topic: "TopicTest", tags: long, body: Array("hello".utf8), bornHost: Self.born)
        #expect(throws: EncodeError.self) { try Command.send(message, Self.stamp).encoded() }
    }

    @Test func anUnknownTopicUpdateModeIsRejected() throws {
        var bytes = try Command.updateTopic(TopicUpdate(topic: "T", queueCount: 4, mode: .alter)).encoded()
        bytes[bytes.count - 1] = 9
        #expect(throws: DecodeError.invalidValue(field: "topic update mode", offset: 9, reason: "unknown mode 9")) {
            try Command(decoding: bytes)
        }
    }

    @Test func badVersionKindAndTrailingBytesAreRejected() throws {
        var bytes = try Self.samples[5].encoded()
        #expect(throws: DecodeError.unsupportedVersion(found: 9, supported: Command.formatVersion)) {
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
}
