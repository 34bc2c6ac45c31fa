import Raft
import Testing

@testable import Simulator

@Suite struct DeterminismTests {
    @Test func sameSeedSameTraceHash() {
        let first = SwarmRun(options: .swarm(seed: 42, seconds: 3)).run()
        let second = SwarmRun(options: .swarm(seed: 42, seconds: 3)).run()
        #expect(first.failure == nil, "seed 42: \(first.failure.map(String.init(describing:)) ?? "")")
        #expect(first.traceHash == second.traceHash, "seed 42 replayed differently")
        #expect(first.events == second.events)
        #expect(first.events > 1000)
    }

    @Test func differentSeedsDifferentTraceHashes() {
        let hashes = (43...46).map { SwarmRun(options: .swarm(seed: UInt64($0), seconds: 2)).run().traceHash }
        #expect(Set(hashes).count == hashes.count, "seeds 43-46 gave \(hashes)")
    }
}
