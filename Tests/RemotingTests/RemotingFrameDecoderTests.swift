import Bytes
import Remoting
import Testing

@Suite struct RemotingFrameDecoderTests {
    let sendFrame = RemotingSamples.frame(json: RemotingSamples.cppSendMessageHeader, body: Array("Hello".utf8))
    let responseFrame = RemotingSamples.frame(json: RemotingSamples.minimalResponseHeader)

    @Test func cutsTheClientsSendFrame() throws {
        var decoder = RemotingFrameDecoder()
        decoder.feed(sendFrame)
        let frame = try #require(try decoder.next())
        #expect(frame.serializeType == .json)
        #expect(frame.streamOffset == 0)
        #expect(Array(frame.header) == Array(RemotingSamples.cppSendMessageHeader.utf8))
        #expect(Array(frame.body) == Array("Hello".utf8))
        #expect(frame.encodedSize == sendFrame.count)
        #expect(try decoder.next() == nil)
        #expect(decoder.streamOffset == sendFrame.count)
    }

    @Test func reassemblesFramesSplitAtEveryByte() throws {
        let stream = sendFrame + responseFrame + sendFrame
        for cut in 0...stream.count {
            var decoder = RemotingFrameDecoder()
            var commands: [RemotingCommand] = []
            for chunk in [stream[..<cut], stream[cut...]] {
                decoder.feed(chunk)
                while let frame = try decoder.next() { commands.append(try RemotingCommand(frame)) }
            }
            #expect(commands.map(\.code) == [10, 0, 10], "cut at \(cut)")
            #expect(commands.map(\.opaque) == [1, 1, 1], "cut at \(cut)")
            #expect(decoder.bufferedByteCount == 0, "cut at \(cut)")
        }
    }

    @Test func reassemblesByteByByte() throws {
        var decoder = RemotingFrameDecoder()
        var frames: [RemotingFrame] = []
        for byte in sendFrame + responseFrame {
            decoder.feed([byte])
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(frames.map(\.streamOffset) == [0, sendFrame.count])
        #expect(frames.map(\.body.count) == [5, 0])
    }

    @Test func manyFramesInOneRead() throws {
        var decoder = RemotingFrameDecoder()
        decoder.feed(Array([[UInt8]](repeating: responseFrame, count: 50).joined()) + [0, 0])
        var count = 0
        while try decoder.next() != nil { count += 1 }
        #expect(count == 50)
        #expect(decoder.bufferedByteCount == 2)
    }

    @Test func oversizedFrameIsRefusedFromItsLengthField() {
        var decoder = RemotingFrameDecoder(limits: RemotingLimits(maxFrameBytes: 1024))
        decoder.feed([0x7F, 0xFF, 0xFF, 0xF0])
        let error = RemotingError.frameOverLimit(length: 0x7FFF_FFF0, limit: 1024, offset: 0)
        #expect(throws: error) { try decoder.next() }
        #expect(decoder.bufferCapacity < 1024)
        #expect(error.description == "frame length at byte 0 is 2147483632, over the limit of 1020")
    }

    @Test func defaultFrameLimitIsRocketMQs16MiB() throws {
        #expect(RemotingLimits.default.maxFrameBytes == 16 * 1024 * 1024)
        var atLimit = RemotingFrameDecoder()
        atLimit.feed(RemotingSamples.bigEndian(16 * 1024 * 1024 - 4) + [0, 0, 0, 2])
        #expect(try atLimit.next() == nil)  // accepted, waiting for the rest
        var overLimit = RemotingFrameDecoder()
        overLimit.feed(RemotingSamples.bigEndian(16 * 1024 * 1024 - 3))
        #expect(throws: RemotingError.frameOverLimit(length: 16 * 1024 * 1024 - 3, limit: 16 << 20, offset: 0)) {
            try overLimit.next()
        }
    }

    @Test func lengthTooShortForTheHeaderLengthField() throws {
        var decoder = RemotingFrameDecoder()
        decoder.feed(responseFrame + [0, 0, 0, 3])
        #expect(try decoder.next() != nil)
        let error = RemotingError.frameTooShort(length: 3, offset: responseFrame.count)
        #expect(throws: error) { try decoder.next() }
        #expect(error.description == "frame length at byte \(responseFrame.count) is 3, below the minimum of 4")
    }

    @Test func unknownSerializeTypeIsRefusedFromItsByte() {
        var decoder = RemotingFrameDecoder()
        decoder.feed([0, 0, 0, 20, 2])
        let error = RemotingError.unknownSerializeType(2, offset: 4)
        #expect(throws: error) { try decoder.next() }
        #expect(error.description == "unknown serialize type 2 at byte 4 (0 = JSON, 1 = ROCKETMQ)")
    }

    @Test func headerLengthOverTheLimit() {
        var decoder = RemotingFrameDecoder(limits: RemotingLimits(maxHeaderBytes: 100))
        decoder.feed([0, 0, 1, 0, 0, 0, 0, 101])
        let error = RemotingError.headerOverLimit(length: 101, limit: 100, offset: 4)
        #expect(throws: error) { try decoder.next() }
        #expect(error.description == "header length at byte 4 is 101, over the limit of 100")
    }

    @Test func headerLongerThanTheFrame() {
        var decoder = RemotingFrameDecoder()
        decoder.feed([0, 0, 0, 10, 0, 0, 0, 7])
        let error = RemotingError.headerBeyondFrame(headerLength: 7, room: 6, offset: 4)
        #expect(throws: error) { try decoder.next() }
        #expect(error.description == "header length at byte 4 is 7, but the frame holds only 6 bytes after it")
    }

    @Test func failuresStickAndNameTheStreamOffset() throws {
        var decoder = RemotingFrameDecoder()
        decoder.feed(sendFrame)
        decoder.feed([0, 0, 0, 9, 0x10])
        #expect(try decoder.next() != nil)
        let error = RemotingError.unknownSerializeType(0x10, offset: sendFrame.count + 4)
        #expect(throws: error) { try decoder.next() }
        decoder.feed(responseFrame)
        #expect(throws: error) { try decoder.next() }
    }

    @Test func bufferShrinksAfterALargeFrame() throws {
        var decoder = RemotingFrameDecoder()
        decoder.feed(
            RemotingSamples.frame(
                json: RemotingSamples.minimalResponseHeader, body: [UInt8](repeating: 7, count: 3 << 20)))
        #expect(try decoder.next()?.body.count == 3 << 20)
        decoder.feed(responseFrame)
        #expect(try decoder.next() != nil)
        #expect(decoder.bufferCapacity < 2 << 20)
    }

    @Test func singleFrameDecodeRefusesShortAndTrailingBytes() throws {
        #expect(try RemotingCommand.decode(responseFrame).opaque == 1)
        #expect(
            throws: RemotingError.malformed(
                .truncated(field: "frame", offset: 0, needed: responseFrame.count, available: 10))
        ) {
            try RemotingCommand.decode(Array(responseFrame[..<10]))
        }
        #expect(throws: RemotingError.malformed(.trailingBytes(offset: responseFrame.count, count: 1))) {
            try RemotingCommand.decode(responseFrame + [0])
        }
    }
}
