import Bytes
import Testing

@testable import Server

/// A connection's two lanes: heartbeats, votes and answers leave ahead of bulk appends queued
/// earlier, frames never interleave, and a lane that never quite drains does not keep what it
/// already sent.
@Suite struct OutboundQueueTests {
    /// Drains `queue` through a socket that takes at most `chunk` bytes per write and `budget`
    /// bytes in all; returns what it took.
    private func drain(_ queue: inout OutboundQueue, chunk: Int, budget: Int = .max) -> [UInt8] {
        var taken: [UInt8] = []
        _ = queue.drain { (bytes: UnsafeRawBufferPointer) -> Int in
            let count = min(bytes.count, chunk, budget - taken.count)
            taken += bytes.prefix(count)
            return count
        }
        return taken
    }

    private func frame(_ byte: UInt8, _ count: Int) -> [UInt8] { Array(repeating: byte, count: count) }

    @Test func controlFramesOvertakeQueuedBulkFrames() {
        var queue = OutboundQueue()
        queue.append(.bulk) { $0.writeRawBytes(frame(1, 100)) }
        queue.append(.bulk) { $0.writeRawBytes(frame(2, 100)) }
        queue.append(.control) { $0.writeRawBytes(frame(9, 10)) }
        #expect(drain(&queue, chunk: 1000) == frame(9, 10) + frame(1, 100) + frame(2, 100))
        #expect(queue.isEmpty)
    }

    @Test func aBulkFrameBegunIsFinishedBeforeAControlFrame() {
        var queue = OutboundQueue()
        queue.append(.bulk) { $0.writeRawBytes(frame(1, 100)) }
        queue.append(.bulk) { $0.writeRawBytes(frame(2, 100)) }
        // The socket takes 30 bytes of the first frame, then a heartbeat is queued.
        #expect(drain(&queue, chunk: 30, budget: 30) == frame(1, 30))
        queue.append(.control) { $0.writeRawBytes(frame(9, 10)) }
        #expect(drain(&queue, chunk: 1000) == frame(1, 70) + frame(9, 10) + frame(2, 100))
    }

    @Test func aLaneThatNeverDrainsDropsWhatItSent() {
        var queue = OutboundQueue()
        var sent: [UInt8] = []
        var expected: [UInt8] = []
        // Each round queues a 512 KiB frame and the socket takes all but 1 KiB of what waits:
        // the lane is never empty, yet it must not keep everything it ever sent.
        for round in 0..<24 {
            let next = frame(UInt8(round), 512 << 10)
            queue.append(.bulk) { $0.writeRawBytes(next) }
            expected += next
            sent += drain(&queue, chunk: .max, budget: queue.pendingBytes - 1024)
            #expect(queue.retainedBytes < 3 << 20, "round \(round): \(queue.retainedBytes) bytes retained")
        }
        sent += drain(&queue, chunk: .max)
        #expect(sent == expected)
    }
}
