import Bytes
import Testing

@Suite struct StreamBufferTests {
    @Test func takesFramesAndCountsTheStreamOffset() {
        var buffer = StreamBuffer()
        buffer.append([0, 0, 0, 2, 0xAA, 0xBB, 0, 0])
        #expect(buffer.count == 8 && buffer.streamOffset == 0)
        #expect(buffer.load(UInt32.self, at: 0) == 2)
        #expect(buffer[4] == 0xAA)
        #expect(buffer.take(6, skipping: 4) == [0xAA, 0xBB])
        #expect(buffer.count == 2 && buffer.streamOffset == 6)
        #expect(buffer.load(UInt16.self, at: 0) == 0)
        buffer.append([0, 1, 7])
        #expect(buffer.streamOffset == 6 && buffer.count == 5)
        #expect(buffer.take(5) == [0, 0, 0, 1, 7])
        #expect(buffer.count == 0 && buffer.streamOffset == 11)
    }

    @Test func givesBackStorageOfALargeFrameOnceDrained() {
        var buffer = StreamBuffer()
        buffer.reserve(frameBytes: 4 << 20)
        buffer.append([UInt8](repeating: 1, count: 4 << 20))
        #expect(buffer.take(4 << 20).count == 4 << 20)
        #expect(buffer.capacity < 1 << 20)
        buffer.append([UInt8](repeating: 1, count: 1000))
        _ = buffer.take(1000)
        #expect(buffer.capacity >= 1000)  // ordinary storage is kept for the next frames
    }
}
