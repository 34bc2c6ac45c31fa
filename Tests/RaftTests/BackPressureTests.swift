import Raft
import Testing

/// A leader that cannot commit stops taking proposals once `maxUncommittedBytes` wait, instead
/// of growing its log without bound; commits make room again.
@Suite struct BackPressureTests {
    @Test func proposalsBeyondTheUncommittedLimitAreRefusedUntilCommitsMakeRoom() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.maxUncommittedBytes = 100 }
        try cluster.elect(1)
        let leader = cluster.core(1)
        cluster.isolate(1)  // Nothing commits now.
        for _ in 0..<5 { _ = try leader.propose(Array(repeating: 1, count: 20)) }
        #expect(throws: RaftError.overloaded(uncommittedBytes: 100, limit: 100)) {
            try leader.propose([1])
        }
        #expect(leader.counters.proposalsRefusedOverloaded == 1)
        cluster.heal()
        try cluster.tick(3)
        #expect(leader.commitIndex == leader.lastIndex)
        _ = try leader.propose(Array(repeating: 2, count: 100))
        try cluster.stabilize()
        #expect(cluster.appliedData(2).count == 6)
    }

    @Test func oneProposalLargerThanTheLimitIsAcceptedWhenNothingWaits() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.maxUncommittedBytes = 10 }
        try cluster.elect(1)
        cluster.isolate(1)
        _ = try cluster.core(1).propose(Array(repeating: 1, count: 50))
        #expect(throws: RaftError.overloaded(uncommittedBytes: 50, limit: 10)) {
            try cluster.core(1).propose([1])
        }
    }

    @Test func aNewLeaderStartsWithNothingUncommitted() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.maxUncommittedBytes = 10 }
        try cluster.elect(1)
        cluster.isolate(1)
        _ = try cluster.core(1).propose(Array(repeating: 1, count: 10))
        try cluster.tick(40, only: [2, 3])
        let leader = try #require(cluster.leaders.first { $0 != NodeID(1) })
        _ = try cluster.core(leader.rawValue).propose(Array(repeating: 3, count: 10))
    }

    @Test func theLimitMustBePositive() throws {
        var config = RaftConfig(id: NodeID(1), voters: [NodeID(1)])
        config.maxUncommittedBytes = 0
        #expect(throws: RaftConfigError.self) { try config.validate() }
    }
}
