import Bytes
import Testing
import Wire

@Suite struct FrameTests {
    /// A status request, id 0x0102, as the protocol document draws it.
    let statusRequestBytes: [UInt8] = [
        0, 0, 0, 12,  // length of the rest
        1,  // version
        0, 32,  // opcode: status
        0, 0, 0, 0, 0, 0, 1, 2,  // request id
        0,  // flags
    ]

    func frameBytes(opcode: UInt16 = 33, flags: UInt8 = 0, payload: [UInt8]) throws -> [UInt8] {
        var writer = ByteWriter()
        try writer.writeFrame(
            Frame(opcode: Opcode(rawValue: opcode), requestID: 7, flags: FrameFlags(rawValue: flags), payload: payload))
        return writer.bytes
    }

    @Test func headerLayout() throws {
        var writer = ByteWriter()
        try WireCodec.encode(.statusRequest, requestID: 0x0102, into: &writer)
        #expect(writer.bytes == statusRequestBytes)
        let frame = try Frame.decode(statusRequestBytes)
        #expect(frame == Frame(opcode: .status, requestID: 0x0102, flags: [], payload: []))
    }

    @Test func decoderReassemblesByteByByte() throws {
        let one = try frameBytes(payload: [1, 2, 3])
        let two = try frameBytes(opcode: 34, flags: 1, payload: Array(repeating: 9, count: 300))
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        for byte in one + two {
            decoder.feed([byte])
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(frames.map(\.payload.count) == [3, 300])
        #expect(frames[1].flags == .response)
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.streamOffset == one.count + two.count)
    }

    @Test func decoderSplitsFramesFromOneChunk() throws {
        var chunk: [UInt8] = []
        for size in [0, 5, 1000] { chunk += try frameBytes(payload: Array(repeating: 1, count: size)) }
        chunk += [0, 0]  // the start of a fourth frame
        var decoder = FrameDecoder()
        decoder.feed(chunk)
        var sizes: [Int] = []
        while let frame = try decoder.next() { sizes.append(frame.payload.count) }
        #expect(sizes == [0, 5, 1000])
        #expect(decoder.bufferedByteCount == 2)
    }

    @Test func lengthOverLimitIsRejectedFromFourBytes() {
        var decoder = FrameDecoder(maxFrameBytes: 1024)
        decoder.feed([0xFF, 0xFF, 0xFF, 0xF0])
        let error = WireError.malformed(
            .lengthOverLimit(field: "frame length", offset: 0, length: 0xFFFF_FFF0, limit: 1020))
        #expect(throws: error) { try decoder.next() }
        #expect(decoder.bufferCapacity < 1024)
        #expect(error.description == "frame length at byte 0 is 4294967280, over the limit of 1020")
    }

    @Test func errorsNameTheStreamOffsetAndStick() throws {
        var decoder = FrameDecoder()
        decoder.feed(statusRequestBytes)
        decoder.feed([0, 0, 0, 12, 2])  // a second frame claiming version 2
        #expect(try decoder.next() != nil)
        let error = WireError.unsupportedVersion(2, offset: 20)
        #expect(throws: error) { try decoder.next() }
        decoder.feed(statusRequestBytes)
        #expect(throws: error) { try decoder.next() }
        #expect(error.description == "unsupported protocol version 2 at byte 20 (this build speaks version 1)")
    }

    @Test func tooShortLengthAndReservedFlags() {
        var short = FrameDecoder()
        short.feed([0, 0, 0, 11])
        #expect(throws: WireError.frameTooShort(offset: 0, length: 11, minimum: 12)) { try short.next() }

        var flagged = FrameDecoder()
        var bytes = statusRequestBytes
        bytes[15] = 0x10
        flagged.feed(bytes)
        #expect(throws: WireError.reservedFlags(0x10, offset: 15)) { try flagged.next() }
        #expect(WireError.reservedFlags(0x10, offset: 15).description == "flags 0x10 at byte 15 set reserved bits")
    }

    @Test func singleFrameDecodeRejectsShortAndLongInput() {
        #expect(throws: WireError.malformed(.truncated(field: "frame", offset: 0, needed: 16, available: 15))) {
            try Frame.decode(Array(statusRequestBytes.dropLast()))
        }
        #expect(throws: WireError.malformed(.trailingBytes(offset: 16, count: 1))) {
            try Frame.decode(statusRequestBytes + [0])
        }
    }

    @Test func encoderRefusesAnOversizedFrameAndLeavesTheBufferAlone() throws {
        var writer = ByteWriter()
        writer.writeUInt8(42)
        let big = Frame(opcode: .append, requestID: 1, flags: [], payload: Array(repeating: 0, count: 100))
        #expect(throws: WireError.malformed(.lengthOverLimit(field: "frame length", offset: 1, length: 116, limit: 64)))
        {
            try writer.writeFrame(big, maxFrameBytes: 64)
        }
        #expect(writer.bytes == [42])
        try writer.writeFrame(big, maxFrameBytes: 116)
        #expect(writer.count == 117)
    }

    @Test func frameAtExactlyTheLimitIsAccepted() throws {
        let bytes = try frameBytes(payload: Array(repeating: 3, count: 48))
        var decoder = FrameDecoder(maxFrameBytes: 64)
        decoder.feed(bytes)
        #expect(try decoder.next()?.payload.count == 48)
        var tighter = FrameDecoder(maxFrameBytes: 63)
        tighter.feed(bytes.prefix(4))
        #expect(throws: WireError.malformed(.lengthOverLimit(field: "frame length", offset: 0, length: 60, limit: 59)))
        {
            try tighter.next()
        }
    }
}
