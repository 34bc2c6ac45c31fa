import Raft
import Testing

@Suite struct ElectionTests {
    @Test func aLeaderIsElectedByTicksAlone() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.tick(25)
        #expect(cluster.leaders.count == 1)
        let leader = try #require(cluster.leaders.first)
        for node in cluster.nodes {
            #expect(node.core.leader == leader)
            #expect(node.core.term == cluster.core(leader.rawValue).term)
        }
    }

    @Test func countersFollowElectionsAndLeaders() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        #expect(cluster.core(1).counters.electionsStarted == 1)
        #expect(cluster.core(1).counters.electionsWon == 1)
        #expect(cluster.core(2).counters.electionsStarted == 0)
        for id: UInt64 in [1, 2, 3] { #expect(cluster.core(id).counters.leaderChanges == 1, "node \(id)") }
        // A pre-vote round that an isolated node never gets past starts no election.
        cluster.isolate(3)
        try cluster.tick(200, only: [3])
        #expect(cluster.core(3).counters.electionsStarted == 0)
        // Cut off the leader: another node wins; n1 learns of it once healed.
        cluster.isolate(1)
        try cluster.tick(100, only: [2, 3])
        let next = try #require(cluster.leaders.first { $0 != NodeID(1) })
        #expect(cluster.core(next.rawValue).counters.electionsWon == 1)
        #expect(cluster.core(next.rawValue).counters.electionsStarted >= 1)
        cluster.heal()
        try cluster.tick(30)
        #expect(cluster.core(1).leader == next)
        #expect(cluster.core(1).counters.leaderChanges == 2, "n1 led, then saw \(next)")
        #expect(cluster.core(1).counters.electionsWon == 1)
    }

    @Test func voteRestrictionKeepsAStaleLogFromWinning() throws {
        // Node 3 lacks entry 2, which nodes 1 and 2 hold: it cannot gather a majority.
        let cluster = try TestCluster(
            [1, 2, 3], logs: [1: [(1, 1), (2, 1)], 2: [(1, 1), (2, 1)], 3: [(1, 1)]],
            terms: [1: 1, 2: 1, 3: 1]
        ) { $0.preVote = false }
        try cluster.elect(3)
        #expect(cluster.core(3).role != .leader)
        #expect(cluster.leaders.isEmpty)
        try cluster.elect(1)
        #expect(cluster.leaders == [NodeID(1)])
    }

    @Test func preVoteStopsAnIsolatedNodeFromBumpingTerms() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        let term = cluster.core(1).term
        cluster.isolate(3)
        try cluster.tick(200, only: [3])
        #expect(cluster.core(3).term == term, "pre-vote must not raise the term of an isolated node")
        cluster.heal()
        try cluster.tick(30)
        #expect(cluster.leaders == [NodeID(1)])
        #expect(cluster.core(1).term == term)
        #expect(cluster.core(3).leader == NodeID(1))
    }

    @Test func withoutPreVoteAnIsolatedNodeDisruptsTheGroup() throws {
        // The counterpart of the test above: the term races ahead and forces a new election.
        let cluster = try TestCluster([1, 2, 3]) {
            $0.preVote = false
            $0.checkQuorum = false
        }
        try cluster.elect(1)
        let term = cluster.core(1).term
        cluster.isolate(3)
        try cluster.tick(200, only: [3])
        #expect(cluster.core(3).term > term)
        cluster.heal()
        try cluster.tick(60)
        #expect(cluster.core(1).term > term)
    }

    @Test func leaderLeaseIgnoresVotesWhileTheLeaderIsAlive() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.preVote = false }
        try cluster.elect(1)
        let term = cluster.core(1).term
        // Node 3 campaigns on its own although the leader is healthy: no one votes for it.
        try cluster.core(3).campaign()
        try cluster.stabilize()
        #expect(cluster.core(3).role == .candidate)
        #expect(cluster.core(2).term == term, "node 2 heard from its leader recently and ignores the vote")
        #expect(cluster.core(2).vote == NodeID(1))
        #expect(cluster.core(1).term == term)
    }

    @Test func aNodeVotesOncePerTermAcrossRestarts() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.preVote = false }
        try cluster.core(1).campaign()
        try cluster.stabilize()
        let term = cluster.core(1).term
        #expect(cluster.node(2).storage.hardState.vote == NodeID(1))
        try cluster.restart(2)
        #expect(cluster.core(2).term == term)
        #expect(cluster.core(2).vote == NodeID(1))
    }

    @Test func configurationErrorsNameTheSetting() throws {
        var config = RaftConfig(id: NodeID(9), voters: [NodeID(1), NodeID(2)])
        #expect(throws: RaftConfigError.self) { try RaftCore(config: config, storage: MemoryStorage()) }
        config = RaftConfig(id: NodeID(1), voters: [NodeID(1), NodeID(2)])
        config.heartbeatIntervalTicks = 50
        do {
            _ = try RaftCore(config: config, storage: MemoryStorage())
            Issue.record("a heartbeat longer than the election timeout was accepted")
        } catch {
            #expect(error.description.contains("heartbeatIntervalTicks"))
        }
    }
}
