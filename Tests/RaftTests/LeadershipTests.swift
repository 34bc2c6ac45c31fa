import Raft
import Testing

@Suite struct LeadershipTests {
    @Test func checkQuorumStepsDownAnIsolatedLeaderAndFailsItsProposals() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.isolate(1)
        let proposal = try cluster.core(1).propose(Array("lost".utf8))
        try cluster.tick(30, only: [1])
        #expect(cluster.core(1).role == .follower)
        #expect(cluster.node(1).failed.map(\.index) == [proposal.index])
        guard case .noQuorum = cluster.node(1).failed.first?.error else {
            Issue.record("expected a no-quorum failure, got \(cluster.node(1).failed)")
            return
        }
    }

    @Test func aLoneSurvivorNeverLeadsAndRefusesWrites() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.drop = { $0.from.rawValue != 3 || $0.to.rawValue != 3 }  // 1 and 2 are gone
        try cluster.tick(500, only: [3])
        #expect(cluster.core(3).role != .leader)
        do {
            _ = try cluster.core(3).propose([1])
            Issue.record("a lone node accepted a write")
        } catch {
            #expect(error.description.hasPrefix("no quorum"))
        }
    }

    @Test func proposalsTimeOutWithoutAMajority() throws {
        let cluster = try TestCluster([1, 2, 3]) {
            $0.checkQuorum = false
            $0.proposalTimeoutTicks = 25
        }
        try cluster.elect(1)
        cluster.isolate(1)
        let proposal = try cluster.core(1).propose([7])
        try cluster.tick(24, only: [1])
        #expect(cluster.node(1).failed.isEmpty)
        try cluster.tick(1, only: [1])
        #expect(cluster.node(1).failed.map(\.error) == [.noQuorum(index: proposal.index, ticks: 25)])
    }

    @Test func leadershipTransferMovesTheLeaderAndRefusesWritesMeanwhile() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.drop = { $0.to.rawValue == 3 }  // node 3 falls behind
        for i in 0..<5 { _ = try cluster.core(1).propose(Array("m\(i)".utf8)) }
        try cluster.stabilize()
        cluster.heal()
        try cluster.core(1).transferLeadership(to: NodeID(3))
        #expect(throws: RaftError.transferInProgress(target: NodeID(3))) { try cluster.core(1).propose([1]) }
        try cluster.stabilize()
        try cluster.tick(3)
        #expect(cluster.leaders == [NodeID(3)])
        #expect(cluster.appliedData(3) == (0..<5).map { "m\($0)" })
        _ = try cluster.core(3).propose(Array("after".utf8))
        try cluster.stabilize()
        try cluster.tick(2)
        #expect(cluster.appliedData(1).last == "after")
    }

    @Test func aFailedTransferIsAbandonedAfterAnElectionTimeout() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.drop = { $0.to.rawValue == 3 || $0.from.rawValue == 3 }
        try cluster.core(1).transferLeadership(to: NodeID(3))
        try cluster.tick(12, only: [1, 2])
        #expect(cluster.core(1).role == .leader)
        #expect(cluster.core(1).status.transferTarget == nil)
        _ = try cluster.core(1).propose([1])
    }

    @Test func thePreferredLeaderTakesOverWhenCaughtUp() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.preferredLeader = NodeID(2) }
        try cluster.elect(1)
        try cluster.tick(40)
        #expect(cluster.leaders == [NodeID(2)])
        try cluster.tick(60)
        #expect(cluster.leaders == [NodeID(2)], "leadership stays with the preferred node")
    }

    @Test func readIndexConfirmsLeadershipBeforeAnswering() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        _ = try cluster.core(1).propose(Array("x".utf8))
        try cluster.stabilize()
        cluster.drop = { $0.from.rawValue == 1 }
        try cluster.core(1).readIndex(context: [42])
        try cluster.stabilize()
        #expect(cluster.node(1).reads.isEmpty, "no read without a majority's heartbeat answers")
        cluster.heal()
        try cluster.tick(1)
        #expect(cluster.node(1).reads == [ReadState(index: cluster.core(1).commitIndex, context: [42])])
        #expect(throws: RaftError.notLeader(leader: NodeID(1))) { try cluster.core(2).readIndex(context: []) }
    }

    @Test func statusReportsFollowerProgress() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        _ = try cluster.core(1).propose([1])
        try cluster.stabilize()
        let status = cluster.core(1).status
        #expect(status.role == .leader)
        #expect(status.followers.map(\.id) == [NodeID(2), NodeID(3)])
        #expect(status.followers.allSatisfy { $0.match == status.lastIndex })
    }
}
