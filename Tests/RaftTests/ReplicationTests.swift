import Raft
import Testing

@Suite struct ReplicationTests {
    @Test func proposalsCommitAndApplyEverywhereInOrder() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        var proposals: [Proposal] = []
        for i in 0..<10 { proposals.append(try cluster.core(1).propose(Array("m\(i)".utf8))) }
        try cluster.stabilize()
        try cluster.tick(2)
        let expected = (0..<10).map { "m\($0)" }
        for raw in [1, 2, 3] as [UInt64] {
            #expect(cluster.appliedData(raw) == expected, "node \(raw)")
        }
        #expect(cluster.core(1).commitIndex == proposals.last!.index)
    }

    @Test func proposalsToAFollowerNameTheLeader() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        #expect(throws: RaftError.notLeader(leader: NodeID(1))) { try cluster.core(2).propose([1]) }
    }

    @Test func oversizedProposalsAreRefused() throws {
        let cluster = try TestCluster([1]) { $0.maxEntryBytes = 8 }
        try cluster.elect(1)
        #expect(throws: RaftError.entryTooLarge(bytes: 9, limit: 8)) {
            try cluster.core(1).propose(Array(repeating: 0, count: 9))
        }
    }

    @Test func staleTermMessagesAreIgnoredAndDeposeTheOldLeader() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.isolate(1)
        try cluster.tick(40, only: [2, 3])
        let newLeader = try #require(cluster.leaders.first { $0 != NodeID(1) })
        let newTerm = cluster.core(newLeader.rawValue).term
        // The old leader still believes it leads; its append carries a stale term.
        _ = try cluster.core(1).propose(Array("stale".utf8))
        cluster.heal()
        let before = cluster.core(3).lastIndex
        try cluster.stabilize()
        try cluster.tick(3)
        #expect(cluster.core(1).role == .follower)
        #expect(cluster.core(1).term == newTerm)
        #expect(!cluster.appliedData(3).contains("stale"))
        #expect(cluster.core(3).lastIndex >= before)
    }

    @Test func aConflictingUncommittedSuffixIsOverwritten() throws {
        // Node 3 holds entries 2 and 3 of term 1 that were never committed.
        let cluster = try TestCluster(
            [1, 2, 3], logs: [1: [(1, 1)], 2: [(1, 1)], 3: [(1, 1), (2, 1), (3, 1)]],
            terms: [1: 1, 2: 1, 3: 1]
        ) { $0.preVote = false }
        try cluster.elect(1)
        _ = try cluster.core(1).propose(Array("new".utf8))
        try cluster.stabilize()
        try cluster.tick(2)
        #expect(cluster.core(3).term(at: LogIndex(2)) == cluster.core(1).term)
        #expect(cluster.appliedData(3) == cluster.appliedData(1))
        #expect(cluster.node(3).storage.allEntries == cluster.node(1).storage.allEntries)
    }

    @Test func aCommittedEntryIsNeverOverwritten() throws {
        // A leader's append that reaches back before the follower's commit index is answered
        // with that commit index; the committed entry stays.
        let storage = MemoryStorage(
            hardState: HardState(term: Term(2), commit: LogIndex(2)),
            entries: [TestCluster.entry(1, 1), TestCluster.entry(2, 1)])
        let voters = [NodeID(1), NodeID(2), NodeID(3)]
        let core = try RaftCore(config: RaftConfig(id: NodeID(2), voters: voters), storage: storage)
        let request = AppendRequest(
            prevIndex: LogIndex(1), prevTerm: Term(1), entries: [TestCluster.entry(2, 2)], commit: LogIndex(2))
        try core.step(Message(from: NodeID(1), to: NodeID(2), term: Term(2), body: .append(request)))
        #expect(core.term(at: LogIndex(2)) == Term(1))
        try core.checkInvariants()
        let ready = try core.ready()
        #expect(ready.messagesAfterPersist.map(\.body) == [.appendResponse(AppendResponse(index: LogIndex(2)))])
    }

    @Test func fastBacktrackingSkipsWholeTerms() throws {
        // Node 3 has 50 divergent entries of term 2; the leader's log has 50 of term 3.
        let shared: [(UInt64, UInt64)] = [(1, 1)]
        let divergent = shared + (2...51).map { ($0, 2) }
        let leaderLog = shared + (2...51).map { ($0, 3) }
        let cluster = try TestCluster(
            [1, 2, 3], logs: [1: leaderLog, 2: leaderLog, 3: divergent], terms: [1: 3, 2: 3, 3: 3]
        ) { $0.preVote = false }
        try cluster.elect(1)
        try cluster.tick(2)
        let rejections = cluster.delivered.filter {
            if case .appendResponse(let r) = $0.body { return r.reject && $0.from == NodeID(3) }
            return false
        }
        #expect(rejections.count <= 2, "took \(rejections.count) rejections; one per term is the bound")
        #expect(cluster.node(3).storage.allEntries == cluster.node(1).storage.allEntries)
    }

    @Test func followersCatchUpAfterARestart() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.isolate(3)
        for i in 0..<20 { _ = try cluster.core(1).propose(Array("m\(i)".utf8)) }
        try cluster.stabilize()
        try cluster.restart(3)
        cluster.heal()
        try cluster.tick(5)
        #expect(cluster.appliedData(3) == (0..<20).map { "m\($0)" })
    }

    @Test func batchingRespectsTheMessageLimits() throws {
        let cluster = try TestCluster([1, 2]) {
            $0.maxEntriesPerMessage = 4
            $0.maxBytesPerMessage = 1 << 20
        }
        try cluster.elect(1)
        for i in 0..<20 { _ = try cluster.core(1).propose(Array("m\(i)".utf8)) }
        try cluster.stabilize()
        let sizes = cluster.delivered.compactMap { message -> Int? in
            if case .append(let a) = message.body { return a.entries.count }
            return nil
        }
        #expect(sizes.allSatisfy { $0 <= 4 })
        #expect(cluster.appliedData(2).count == 20)
    }
}

@Suite struct StaleMessageTests {
    @Test func answersQueuedUnderAnOlderTermAreDroppedOnATermChange() throws {
        // A follower acknowledges an append at term 2; before its ready is taken, a term-3
        // leader's append arrives. The term-2 acknowledgement must not leave.
        let voters = [NodeID(1), NodeID(2), NodeID(3)]
        let core = try RaftCore(config: RaftConfig(id: NodeID(2), voters: voters), storage: MemoryStorage())
        let first = AppendRequest(prevIndex: .zero, prevTerm: .zero, entries: [TestCluster.entry(1, 2)], commit: .zero)
        try core.step(Message(from: NodeID(1), to: NodeID(2), term: Term(2), body: .append(first)))
        let second = AppendRequest(prevIndex: .zero, prevTerm: .zero, entries: [TestCluster.entry(1, 3)], commit: .zero)
        try core.step(Message(from: NodeID(3), to: NodeID(2), term: Term(3), body: .append(second)))
        let ready = try core.ready()
        #expect(ready.messagesAfterPersist.allSatisfy { $0.term == Term(3) })
        #expect(ready.messagesAfterPersist.map(\.to) == [NodeID(3)])
        #expect(ready.entries == [TestCluster.entry(1, 3)])
    }
}
