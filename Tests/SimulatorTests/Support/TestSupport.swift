import Raft
import Testing

@testable import Simulator

/// Shared helpers for simulator tests.
enum TestSupport {
    /// A quiet three-node cluster (reliable network, no nemesis, no clients).
    static func quietCluster(seed: UInt64 = 1) throws -> Cluster {
        try Cluster(options: SimulationOptions(seed: seed, nodeIDs: [NodeID(1), NodeID(2), NodeID(3)]))
    }

    /// The longest election timeout, in virtual time.
    static func electionTimeout(_ cluster: Cluster) -> VirtualTime {
        .milliseconds(UInt64(cluster.options.raft.electionTimeoutTicks.upperBound) * Cluster.tickMs)
    }

    /// Makes `id` leader and waits for it; fails the test if it does not happen within a second.
    static func elect(_ id: NodeID, in cluster: Cluster) throws {
        try cluster.campaign(id)
        let elected = try cluster.run(until: cluster.now + .seconds(1)) { $0.view(id)?.role == .leader }
        try #require(elected, "n\(id) did not become leader")
    }

    /// Proposes on `id`, requiring acceptance.
    static func propose(on id: NodeID, in cluster: Cluster) throws -> (id: UInt64, proposal: Proposal) {
        switch try cluster.propose(on: id) {
        case .success(let accepted): return accepted
        case .failure(let error):
            Issue.record("n\(id) refused a proposal: \(error)")
            throw error
        }
    }

    /// Runs swarm seeds in order until one fails; returns it.
    static func firstFailure(
        in seeds: ClosedRange<UInt64>, seconds: UInt64, brokenStateMachine: BrokenStateMachine
    ) -> (seed: UInt64, failure: SimulationFailure)? {
        for seed in seeds {
            var options = SimulationOptions.swarm(seed: seed, seconds: seconds)
            options.brokenStateMachine = brokenStateMachine
            if let failure = SwarmRun(options: options).run().failure { return (seed, failure) }
        }
        return nil
    }

    /// Runs a sweep of swarm seeds; returns the failures by seed.
    static func sweep(
        _ seeds: ClosedRange<UInt64>, seconds: UInt64, brokenRules: BrokenRules = []
    ) -> [(seed: UInt64, failure: SimulationFailure)] {
        seeds.compactMap { seed in
            var options = SimulationOptions.swarm(seed: seed, seconds: seconds)
            options.brokenRules = brokenRules
            return SwarmRun(options: options).run().failure.map { (seed, $0) }
        }
    }
}
