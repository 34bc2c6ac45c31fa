import CommitLog
import Raft
import Testing

/// ``FingerprintIndex`` on its own, against a plain list: mixes drawn so that many share a
/// slot's 31 bits or a home (the unique-key table's fingerprints almost never do), insertions,
/// removals that close gaps across the end of the array, growth, and numbers past 2³².
@Suite struct FingerprintIndexTests {
    @Test(arguments: [(1 as UInt64, 40), (2, 400), (3, 5000)])
    func agreesWithAPlainList(seed: UInt64, live: Int) {
        var random = SplitMix64(seed: seed)
        var index = FingerprintIndex()
        var model: [(mixed: UInt64, number: Int)] = []
        // Few distinct top bits, so homes and 31-bit tags repeat; numbers start near 2³² so
        // they wrap in their 32-bit slots.
        func drawMixed() -> UInt64 {
            let top = random.next() % 64
            return top << 58 | (random.next() % 3) << 33 | random.next() % (1 << 33)
        }
        var next = (1 << 32) - 3000
        for step in 0..<30_000 {
            if model.count >= live || (model.count > 0 && random.next() % 3 == 0) {
                let victim = Int(random.next() % UInt64(model.count))
                let (mixed, number) = model.remove(at: victim)
                let removed = index.remove(mixed, number)
                let again = index.remove(mixed, number)
                #expect(removed && !again, "step \(step)")
            } else {
                let mixed = drawMixed()
                index.insert(mixed, next)
                model.append((mixed, next))
                next += 1
            }
            if step % 97 == 0 {
                for (mixed, number) in model {
                    #expect(index.first(mixed, near: next - 1) { $0 == number } == number, "step \(step)")
                }
                // Every number under a slot's 31 bits is offered, and only those.
                let probe = drawMixed()
                let sharing = model.filter { $0.mixed >> 33 == probe >> 33 }.map(\.number)
                var offered: [Int] = []
                _ = index.first(probe, near: next - 1) { number in
                    offered.append(number)
                    return false
                }
                #expect(offered.sorted() == sharing.sorted(), "step \(step)")
            }
        }
        #expect(index.count == model.count)
        for (mixed, number) in model {
            let removed = index.remove(mixed, number)
            #expect(removed)
        }
        #expect(index.count == 0)
    }

    @Test func numbersWidenBackFromTheirLow32Bits() {
        let newest = (5 << 32) + 10
        #expect(FingerprintIndex.widen(UInt32(10), near: newest) == newest)
        #expect(FingerprintIndex.widen(UInt32(0), near: newest) == newest - 10)
        #expect(FingerprintIndex.widen(UInt32.max, near: newest) == newest - 11)
        #expect(FingerprintIndex.widen(UInt32(11), near: newest) == newest - (1 << 32) + 1)
    }
}
