import Raft
import Testing

/// The fuzz and simulation tests replay from a seed only if the generator is the published
/// SplitMix64 and its bounded draws stay in range.
@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // Reference outputs of SplitMix64 for seed 0 (Steele, Lea, Flood 2014; as in Java's SplittableRandom).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func boundedDrawsStayInRange() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<10_000 {
            #expect(generator.below(7) < 7)
            #expect((3...9).contains(generator.int(in: 3...9)))
        }
    }
}
