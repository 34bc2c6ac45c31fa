import Testing

@testable import Simulator

/// Seeds that once failed stay fixed: each full swarm run (10 s of faults, then liveness) passes.
@Suite struct RegressionSeedTests {
    @Test(arguments: RegressionSeeds.all)
    func seedPasses(_ seed: UInt64) {
        let result = SwarmRun(options: .swarm(seed: seed)).run()
        #expect(result.failure == nil, "seed \(seed): \(result.failure.map(String.init(describing:)) ?? "")")
    }
}
