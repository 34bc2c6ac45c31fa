import Raft
import Testing

@testable import Simulator

@Suite struct PartitionTests {
    /// An old leader cut off in the minority cannot commit, steps down through check-quorum, and
    /// when it rejoins its uncommitted suffix is replaced by the majority's log.
    @Test func isolatedLeaderCannotCommitStepsDownAndIsTruncated() throws {
        let cluster = try TestSupport.quietCluster(seed: 7)
        let (n1, n2, n3) = (NodeID(1), NodeID(2), NodeID(3))
        try TestSupport.elect(n1, in: cluster)
        for _ in 0..<3 { _ = try TestSupport.propose(on: n1, in: cluster) }
        try cluster.run(for: .milliseconds(300))
        let committedBefore = try #require(cluster.view(n1)).commitIndex
        #expect(committedBefore >= LogIndex(4))
        let oldTerm = try #require(cluster.view(n1)).term

        cluster.partition([n1])
        let stale = try TestSupport.propose(on: n1, in: cluster)
        let timeout = TestSupport.electionTimeout(cluster)
        let steppedDown = try cluster.run(until: cluster.now + timeout + timeout) { $0.view(n1)?.role != .leader }
        #expect(steppedDown, "the isolated leader still leads after two election timeouts")
        let committedAlone = try cluster.run(until: cluster.now + .seconds(3)) {
            ($0.view(n1)?.commitIndex ?? .zero) >= stale.proposal.index
        }
        #expect(!committedAlone, "the isolated leader committed its own entry")
        let newLeader = try #require(cluster.leader)
        #expect(newLeader != n1)
        #expect(try #require(cluster.view(newLeader)).term > oldTerm)
        let fresh = try TestSupport.propose(on: newLeader, in: cluster)
        try cluster.run(for: .milliseconds(300))
        #expect(try #require(cluster.view(newLeader)).commitIndex >= fresh.proposal.index)

        cluster.heal()
        let converged = try cluster.runUntilConverged(within: .seconds(5))
        #expect(converged, "logs did not converge after the heal")
        let log = try cluster.entries(of: n1)
        let position = Int(stale.proposal.index.rawValue) - 1
        #expect(position < log.count && log[position].term != stale.proposal.term, "the stale entry survived")
        #expect(!log.contains { Cluster.proposalID(of: $0) == stale.id }, "the stale proposal was kept")
        #expect(log.contains { Cluster.proposalID(of: $0) == fresh.id })
        #expect(cluster.view(n2)?.lastIndex == cluster.view(n3)?.lastIndex)
    }

    /// A follower cut off for many election timeouts rejoins without disturbing the leader:
    /// pre-vote keeps its term, so the leader's term and leadership stay unchanged.
    @Test func longIsolatedFollowerRejoinsWithoutDisruption() throws {
        let cluster = try TestSupport.quietCluster(seed: 11)
        let (n1, n3) = (NodeID(1), NodeID(3))
        try TestSupport.elect(n1, in: cluster)
        let term = try #require(cluster.view(n1)).term
        cluster.partition([n3])
        for _ in 0..<5 {
            _ = try TestSupport.propose(on: n1, in: cluster)
            try cluster.run(for: .seconds(2))
        }
        #expect(cluster.view(n3)?.term == term, "the isolated follower bumped its term")
        cluster.heal()
        let converged = try cluster.runUntilConverged(within: .seconds(3))
        #expect(converged, "the follower did not catch up")
        #expect(cluster.leader == n1)
        #expect(cluster.view(n1)?.term == term, "the leader's term changed")
        #expect(cluster.leaderTerms == 1, "another leader was elected")
    }
}
