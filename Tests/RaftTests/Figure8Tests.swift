import Raft
import Testing

/// Raft paper, Figure 8: a leader must not commit an entry of an earlier term by counting
/// replicas, because a later leader may still overwrite it.
@Suite struct Figure8Tests {
    /// Situation (c) of the figure: S1 leads term 4 and has copied entry 2 (term 2) to a
    /// majority (S1, S2, S3), while S5 holds a competing entry 2 of term 3.
    private func situationC(_ configure: @escaping (inout RaftConfig) -> Void = { _ in }) throws -> TestCluster {
        let cluster = try TestCluster(
            [1, 2, 3, 4, 5],
            logs: [1: [(1, 1), (2, 2)], 2: [(1, 1), (2, 2)], 3: [(1, 1)], 4: [(1, 1)], 5: [(1, 1), (2, 3)]],
            terms: [1: 3, 2: 3, 3: 3, 4: 3, 5: 3]
        ) {
            $0.preVote = false
            $0.maxEntriesPerMessage = 1
            configure(&$0)
        }
        // S4 and S5 hear nothing from S1. S3 gets entry 2 but never entry 3, S1's term-4 no-op
        // (the first probe carrying it goes through: S3 rejects it, lacking entry 2).
        cluster.drop = { [unowned cluster] message in
            guard case .append(let request) = message.body else { return false }
            if message.to.rawValue >= 4 { return true }
            return message.to.rawValue == 3 && request.entries.contains { $0.index == LogIndex(3) }
                && cluster.core(3).term(at: LogIndex(2)) != nil
        }
        try cluster.elect(1)
        #expect(cluster.core(1).role == .leader)
        #expect(cluster.core(1).term == Term(4))
        #expect(cluster.core(3).term(at: LogIndex(2)) == Term(2), "entry 2 reached a majority")
        return cluster
    }

    @Test func anEarlierTermEntryOnAMajorityIsNotCommitted() throws {
        let cluster = try situationC()
        try cluster.tick(3, only: [1])
        #expect(cluster.core(1).commitIndex == LogIndex(0))
        // Once an entry of term 4 reaches a majority, both commit together.
        cluster.heal()
        try cluster.tick(3)
        #expect(cluster.core(1).commitIndex == LogIndex(3))
        #expect(cluster.core(5).term(at: LogIndex(2)) == Term(2))
    }

    @Test func countingEarlierTermReplicasWouldCommitTooEarly() throws {
        // The broken rule, to show the test above detects what it claims to.
        let cluster = try situationC { $0.brokenRules = .commitPriorTermEntries }
        try cluster.tick(3, only: [1])
        #expect(cluster.core(1).commitIndex == LogIndex(2))
    }
}
