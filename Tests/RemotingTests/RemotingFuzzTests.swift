import Bytes
import LedgerModel
import Raft
import Remoting
import Testing

/// Seeded mutations of client-like frames through the whole decoding path: framing, the header
/// (JSON or binary), the send header and a batch body. Every input must decode or throw a
/// `RemotingError` (typed throws rule out anything else; a trap would kill the run), and the
/// decoder's memory must stay within its limits.
///
/// A failure names its case seed; `RemotingFuzzTests.stream(caseSeed:)` rebuilds that input.
@Suite struct RemotingFuzzTests {
    static let baseSeed: UInt64 = 0x5EED_0000_0000_0013
    static let iterations = 5_000
    static let limits = RemotingLimits(maxFrameBytes: 8192, maxHeaderBytes: 2048)
    static let maxChunk = 700

    /// A valid frame: a C++-style send (JSON, V1 or V2 names, sometimes a batch) or a command
    /// with random fields in either header type.
    static func validFrame(_ random: inout SplitMix64) throws -> [UInt8] {
        switch random.below(3) {
        case 0:
            return RemotingSamples.frame(json: RemotingSamples.cppSendMessageHeader, body: Array("Hello".utf8))
        case 1:
            let batch = random.below(2) == 0
            let header = SendMessageRequestHeader(
                producerGroup: "PG", topic: "T\(random.below(9))", queueID: Int32(random.below(8)),
                bornTimestamp: Int64(random.below(1 << 40)),
                properties: [MessagePropertyPair("TAGS", "t"), MessagePropertyPair("KEYS", "k \(random.below(99))")],
                batch: batch)
            let body: [UInt8] =
                batch
                ? try BatchMessage.encode([
                    BatchMessage(body: [1, 2, 3], properties: [MessagePropertyPair("TAGS", "a")]),
                    BatchMessage(body: [], properties: []),
                ]) : [9, 9]
            let v2 = random.below(2) == 0
            let command = RemotingCommand(
                code: v2 ? 310 : 10, language: .cpp, version: 333, opaque: Int32(random.below(1000)),
                extFields: header.extFields(v2: v2), body: body[...])
            return try command.encoded(as: random.below(2) == 0 ? .json : .rocketMQ)
        default:
            var fields = ExtFields()
            for index in 0..<random.below(4) { fields["f\(index)"] = String(random.below(1_000_000)) }
            let command = RemotingCommand(
                code: Int32(random.below(400)), language: LanguageCode(rawValue: UInt8(random.below(13))) ?? .java,
                version: Int32(random.below(500)), opaque: Int32(truncatingIfNeeded: random.next()),
                flags: RemotingFlags(rawValue: Int32(random.below(4))),
                remark: random.below(2) == 0 ? nil : "r\u{1}\(random.below(10))", extFields: fields,
                body: Array(repeating: 7, count: Int(random.below(64)))[...])
            return try command.encoded(as: random.below(2) == 0 ? .json : .rocketMQ)
        }
    }

    /// Damages `bytes` in one of several ways that aim at each check; sometimes leaves them whole.
    static func damage(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let at = Int(random.below(UInt64(bytes.count)))
        switch random.below(9) {
        case 0:
            bytes[at] ^= 1 << UInt8(random.below(8))
        case 1:
            bytes.removeLast(Int(random.below(UInt64(bytes.count))))
        case 2:  // a length field (frame or header) set to something else
            let field = random.below(2) == 0 ? 0 : 4
            if bytes.count >= field + 4 {
                for i in 0..<4 { bytes[field + i] = UInt8(truncatingIfNeeded: random.next()) }
            }
        case 3:  // a serialize type other than 0 and 1 now and then
            if bytes.count > 4 { bytes[4] = UInt8(random.below(4)) }
        case 4:  // a structural JSON character or a binary length byte replaced
            let replacements = Array(#"{}[]":,\"0-e"#.utf8) + [0, 0xFF, 0x01]
            bytes[at] = replacements[Int(random.below(UInt64(replacements.count)))]
        case 5:
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.below(6))))
        case 6:
            bytes.insert(
                contentsOf: (0..<1 + random.below(6)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
        case 7:
            bytes = (0..<random.below(120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        default:
            break
        }
    }

    /// The stream of case `caseSeed`, and the generator positioned to choose its chunking.
    static func stream(caseSeed: UInt64) throws -> ([UInt8], SplitMix64) {
        var random = SplitMix64(seed: caseSeed)
        var stream: [UInt8] = []
        for _ in 0..<1 + random.below(3) {
            var frame = try validFrame(&random)
            damage(&frame, &random)
            stream += frame
        }
        return (stream, random)
    }

    static func kind(_ error: RemotingError) -> String {
        switch error {
        case .frameTooShort: "frameTooShort"
        case .frameOverLimit: "frameOverLimit"
        case .unknownSerializeType: "unknownSerializeType"
        case .headerOverLimit: "headerOverLimit"
        case .headerBeyondFrame: "headerBeyondFrame"
        case .json: "json"
        case .malformed(.truncated): "truncated"
        case .malformed(.invalidValue): "invalidValue"
        case .malformed: "otherMalformed"
        }
    }

    @Test func damagedStreamsDecodeOrThrowWithBoundedMemory() throws {
        var seeds = SplitMix64(seed: RemotingFuzzTests.baseSeed)
        var kinds: [String: Int] = [:]
        var commands = 0
        let limits = RemotingFuzzTests.limits
        let memoryBound = 4 * (limits.maxFrameBytes + RemotingFuzzTests.maxChunk)
        for iteration in 0..<RemotingFuzzTests.iterations {
            let caseSeed = seeds.next()
            var (stream, random) = try RemotingFuzzTests.stream(caseSeed: caseSeed)
            var decoder = RemotingFrameDecoder(limits: limits)
            var cursor = 0
            streaming: while cursor < stream.count {
                let chunk = min(stream.count - cursor, 1 + Int(random.below(UInt64(RemotingFuzzTests.maxChunk))))
                decoder.feed(stream[cursor..<cursor + chunk])
                cursor += chunk
                do {
                    while let frame = try decoder.next() {
                        #expect(
                            frame.encodedSize <= limits.maxFrameBytes && frame.header.count <= limits.maxHeaderBytes)
                        do {
                            let command = try RemotingCommand(frame, limits: limits)
                            commands += 1
                            if [10, 310, 320].contains(command.code) {
                                let header = try SendMessageRequestHeader(command)
                                if header.batch { _ = try BatchMessage.decode(command.body, bodyOffset: 0) }
                            }
                        } catch {
                            kinds[RemotingFuzzTests.kind(error), default: 0] += 1
                        }
                    }
                } catch {
                    kinds[RemotingFuzzTests.kind(error), default: 0] += 1
                    break streaming
                }
                #expect(
                    decoder.bufferCapacity <= memoryBound,
                    "decoder holds \(decoder.bufferCapacity) bytes; iteration \(iteration) case seed \(caseSeed)")
            }
        }
        print(
            "remoting fuzz: base seed \(RemotingFuzzTests.baseSeed), \(commands) commands, errors \(kinds.sorted { $0.key < $1.key })"
        )
        #expect(commands > RemotingFuzzTests.iterations / 4)
        for kind in [
            "frameTooShort", "frameOverLimit", "unknownSerializeType", "headerOverLimit", "headerBeyondFrame", "json",
            "truncated", "invalidValue",
        ] {
            #expect(kinds[kind, default: 0] > 0, "no \(kind) error in \(RemotingFuzzTests.iterations) cases")
        }
    }
}
