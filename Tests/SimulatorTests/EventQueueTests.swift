import Raft
import Testing

@testable import Simulator

@Suite struct EventQueueTests {
    @Test func ordersByTimeThenSchedulingOrder() {
        var queue = EventQueue<Int>()
        queue.schedule(1, at: .milliseconds(20))
        queue.schedule(2, at: .milliseconds(10))
        queue.schedule(3, at: .milliseconds(10))
        queue.schedule(4, at: .milliseconds(5))
        var order: [Int] = []
        while let item = queue.pop() { order.append(item.event) }
        #expect(order == [4, 2, 3, 1])
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomSchedulesComeOutSorted(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var queue = EventQueue<UInt64>()
        var expected: [(time: UInt64, sequence: UInt64)] = []
        for _ in 0..<2000 {
            if rng.chance(1, in: 4), let item = queue.pop() {
                let first = expected.min { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
                #expect(first?.sequence == item.sequence, "seed \(seed)")
                expected.removeAll { $0.sequence == item.sequence }
            } else {
                let time = rng.below(50)
                let sequence = queue.schedule(time, at: .milliseconds(time))
                expected.append((time, sequence))
            }
        }
        var last: (UInt64, UInt64) = (0, 0)
        while let item = queue.pop() {
            #expect((item.time.milliseconds, item.sequence) >= last, "seed \(seed)")
            last = (item.time.milliseconds, item.sequence)
        }
    }

    @Test func traceHashIsFNV1a() {
        var hash = TraceHash()
        hash.mix(Array("a".utf8))
        // FNV-1a of the 8-byte length prefix 1 followed by "a", computed independently.
        var reference: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in [1, 0, 0, 0, 0, 0, 0, 0, 0x61] as [UInt8] {
            reference = (reference ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        #expect(hash.value == reference)
        #expect(hash.description.count == 16)
    }
}
