import Bytes
import LedgerModel
import Raft
import Testing
import Wire

/// Seeded random and mutated input for the frame decoder and every payload decoder. Each input
/// must either decode or throw a `WireError` (a `DecodeError` for a bare payload) (typed throws make any other error impossible;
/// a trap would kill the run), and the decoder's memory must stay within its frame limit.
///
/// Replay a failure with the case seed it names: `WireSamples(seed: caseSeed)` rebuilds the
/// input. Change `baseSeed` to explore further.
@Suite struct WireFuzzTests {
    static let baseSeed: UInt64 = 0x5EED_0000_0000_0001
    static let iterations = 20_000
    static let limits = WireLimits(maxFrameBytes: 4096)
    static let maxChunk = 512

    /// Error kinds seen, so the test can show the mutations reach every check.
    struct Tally {
        var decoded = 0
        var kinds: [String: Int] = [:]

        mutating func record(_ error: WireError) {
            let kind =
                switch error {
                case .malformed(.truncated): "truncated"
                case .malformed(.lengthOverLimit): "lengthOverLimit"
                case .frameTooShort: "frameTooShort"
                case .unsupportedVersion: "unsupportedVersion"
                case .unknownOpcode: "unknownOpcode"
                case .reservedFlags: "reservedFlags"
                case .unexpectedFlags: "unexpectedFlags"
                case .malformed(.invalidUTF8): "invalidUTF8"
                case .malformed(.unknownEnumValue): "unknownEnumValue"
                case .malformed(.trailingBytes): "trailingBytes"
                case .malformed(.invalidValue): "invalidValue"
                case .malformed(.unsupportedVersion): "unsupportedFormatVersion"
                }
            kinds[kind, default: 0] += 1
        }
    }

    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        func position() -> Int { bytes.isEmpty ? 0 : Int(random.below(UInt64(bytes.count))) }
        switch random.below(10) {
        case 0:  // flip a few bits
            for _ in 0..<random.int(in: 1...8) where !bytes.isEmpty {
                bytes[position()] ^= 1 << UInt8(random.below(8))
            }
        case 1:  // cut short
            bytes.removeLast(Int(random.below(UInt64(bytes.count) + 1)))
        case 2:  // claim a huge or random frame length
            if bytes.count >= 4 {
                let length =
                    random.chance(1, in: 2)
                    ? UInt32.max - UInt32(random.below(1000)) : UInt32(truncatingIfNeeded: random.next())
                withUnsafeBytes(of: length.bigEndian) { for i in 0..<4 { bytes[i] = $0[i] } }
            }
        case 3:  // another opcode, often a known one
            if bytes.count >= 7 {
                let opcode =
                    random.chance(1, in: 2) ? UInt16(random.below(50)) : UInt16(truncatingIfNeeded: random.next())
                bytes[5] = UInt8(opcode >> 8)
                bytes[6] = UInt8(truncatingIfNeeded: opcode)
            }
        case 4:  // other flags, mostly defined bits
            if bytes.count >= 16 { bytes[15] = UInt8(random.below(random.chance(3, in: 4) ? 8 : 256)) }
        case 5:  // set a 4-byte field inside the payload to a huge length or count
            if bytes.count >= 20 {
                let at = 16 + Int(random.below(UInt64(bytes.count - 19)))
                let value = random.chance(1, in: 2) ? UInt32.max : UInt32(random.below(100_000))
                withUnsafeBytes(of: value.bigEndian) { for i in 0..<4 { bytes[at + i] = $0[i] } }
            }
        case 6:  // insert or delete bytes in the middle
            let at = position()
            if random.chance(1, in: 2) {
                bytes.insert(
                    contentsOf: (0..<random.int(in: 1...8)).map { _ in UInt8(truncatingIfNeeded: random.next()) },
                    at: at)
            } else {
                bytes.removeSubrange(at..<min(bytes.count, at + random.int(in: 1...8)))
            }
        case 7:  // overwrite a run with random bytes
            let at = position()
            for i in at..<min(bytes.count, at + random.int(in: 1...32)) {
                bytes[i] = UInt8(truncatingIfNeeded: random.next())
            }
        case 8:  // pure noise
            bytes = (0..<random.int(in: 0...200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        default:  // valid, as a control
            break
        }
    }

    @Test func mutatedStreamsDecodeOrThrowWithBoundedMemory() throws {
        var seeds = SplitMix64(seed: WireFuzzTests.baseSeed)
        var tally = Tally()
        let limits = WireFuzzTests.limits
        let memoryBound = 4 * (limits.maxFrameBytes + WireFuzzTests.maxChunk)
        for iteration in 0..<WireFuzzTests.iterations {
            let caseSeed = seeds.next()
            var samples = WireSamples(seed: caseSeed)
            var stream: [UInt8] = []
            for _ in 0..<samples.random.int(in: 1...3) {
                var bytes = try WireSamples.encode(samples.wireMessage(), requestID: samples.u64())
                WireFuzzTests.mutate(&bytes, &samples.random)
                stream += bytes
            }

            var decoder = FrameDecoder(maxFrameBytes: limits.maxFrameBytes)
            var cursor = 0
            streaming: while cursor < stream.count {
                let chunk = min(stream.count - cursor, samples.random.int(in: 1...WireFuzzTests.maxChunk))
                decoder.feed(stream[cursor..<cursor + chunk])
                cursor += chunk
                do {
                    while let frame = try decoder.next() {
                        checkFrame(
                            frame, limits: limits, tally: &tally,
                            context: "iteration \(iteration) case seed \(caseSeed)")
                    }
                } catch {
                    tally.record(error)
                    break streaming
                }
                #expect(
                    decoder.bufferCapacity <= memoryBound,
                    "decoder holds \(decoder.bufferCapacity) bytes; iteration \(iteration) case seed \(caseSeed)")
            }
        }
        print(
            "wire fuzz: base seed \(WireFuzzTests.baseSeed), \(tally.decoded) decoded, errors \(tally.kinds.sorted { $0.key < $1.key })"
        )
        #expect(tally.decoded > WireFuzzTests.iterations / 10)
        for kind in [
            "truncated", "lengthOverLimit", "frameTooShort", "unsupportedVersion", "unknownOpcode",
            "reservedFlags", "unexpectedFlags", "invalidUTF8", "unknownEnumValue", "trailingBytes", "invalidValue",
        ] {
            #expect(
                tally.kinds[kind, default: 0] > 0,
                "no \(kind) error in \(WireFuzzTests.iterations) cases from base seed \(WireFuzzTests.baseSeed)")
        }
    }

    /// A frame that survived framing: its message decodes (and then re-encodes to the same
    /// frame) or throws.
    func checkFrame(_ frame: Frame, limits: WireLimits, tally: inout Tally, context: String) {
        #expect(frame.encodedSize <= limits.maxFrameBytes, "\(context)")
        do {
            let message = try WireCodec.decode(frame, limits: limits)
            tally.decoded += 1
            #expect(
                WireCodec.frame(for: message, requestID: frame.requestID) == frame, "re-encoding differs; \(context)")
        } catch {
            tally.record(error)
        }
    }

    @Test func mutatedPayloadsReachEveryPayloadDecoder() {
        var seeds = SplitMix64(seed: WireFuzzTests.baseSeed ^ 0xA5A5)
        var decoded = 0
        var failed = 0
        for _ in 0..<WireFuzzTests.iterations / 4 {
            let caseSeed = seeds.next()
            var samples = WireSamples(seed: caseSeed)
            let frame = WireCodec.frame(for: samples.wireMessage(), requestID: 0)
            var payload = [UInt8](repeating: 0, count: 16) + frame.payload
            WireFuzzTests.mutate(&payload, &samples.random)
            payload.removeFirst(min(16, payload.count))

            // Every decoder sees every payload: most combinations are wrong, none may trap.
            func attempt<T, Failure: Error & CustomStringConvertible>(_ decode: () throws(Failure) -> T) {
                do {
                    _ = try decode()
                    decoded += 1
                } catch {
                    failed += 1
                    #expect(!error.description.isEmpty, "case seed \(caseSeed)")
                }
            }
            let limits = WireFuzzTests.limits
            for opcode in Opcode.raftOpcodes {
                attempt { () throws(WireError) in
                    try RaftMessageCodec.decode(opcode: opcode, payload: payload, limits: limits)
                }
            }
            attempt { () throws(DecodeError) in try PeerHandshake(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try PeerProof(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try StatusResponse(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try ClientAppendRequest(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try ClientAppendResponse(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try GetRequest(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try GetResponse(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try TransferLeaderRequest(payload: payload, limits: limits) }
            attempt { () throws(DecodeError) in try ErrorResponse(payload: payload, limits: limits) }
        }
        #expect(decoded > 0 && failed > 0, "base seed \(WireFuzzTests.baseSeed ^ 0xA5A5)")
    }
}
