import Raft
import Testing

/// Log compaction and InstallSnapshot (Raft §7): a follower that needs entries the leader no
/// longer holds gets the snapshot, then the entries after it.
@Suite struct SnapshotTests {
    private let voters = [NodeID(1), NodeID(2), NodeID(3)]

    /// Node 2 of three, started from `log` (`(index, term)` pairs) with `term` and `commit`.
    private func follower(term: UInt64, commit: UInt64 = 0, log: [(UInt64, UInt64)]) throws -> (RaftCore, MemoryStorage)
    {
        let storage = MemoryStorage(
            hardState: HardState(term: Term(term), commit: LogIndex(commit)), entries: log.map(TestCluster.entry))
        return (try RaftCore(config: RaftConfig(id: NodeID(2), voters: voters), storage: storage), storage)
    }

    /// Node 1's offer of `snapshot` to `core` (node 2), sent in `term`.
    private func deliver(_ snapshot: SnapshotMetadata, to core: RaftCore, term: UInt64) throws {
        try core.step(Message(from: NodeID(1), to: NodeID(2), term: Term(term), body: .installSnapshot(snapshot)))
    }

    private func propose(_ cluster: TestCluster, _ raw: UInt64, _ names: [String]) throws {
        for name in names { _ = try cluster.core(raw).propose(Array(name.utf8)) }
        try cluster.stabilize()
    }

    @Test func aFollowerBehindTheFirstIndexInstallsTheSnapshotThenReplicates() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        try propose(cluster, 1, ["a", "b"])
        cluster.isolate(3)
        try propose(cluster, 1, ["c", "d", "e"])
        try cluster.tick(2, only: [1, 2])
        let applied = cluster.core(1).appliedIndex
        cluster.compact(1, through: applied.rawValue)
        #expect(cluster.node(1).storage.firstIndex == applied.next)
        try propose(cluster, 1, ["f"])
        cluster.heal()
        try cluster.tick(3)

        let offers = cluster.delivered.filter {
            if case .installSnapshot = $0.body { $0.to == NodeID(3) } else { false }
        }
        #expect(offers.count == 1)
        #expect(cluster.node(3).installed == [SnapshotMetadata(index: applied, term: cluster.core(1).term)])
        #expect(cluster.node(3).storage.firstIndex == applied.next)
        #expect(cluster.appliedData(3) == ["a", "b", "c", "d", "e", "f"])
        #expect(cluster.appliedData(3) == cluster.appliedData(1))
        #expect(cluster.core(3).lastIndex == cluster.core(1).lastIndex)
        #expect(cluster.core(3).commitIndex == cluster.core(1).commitIndex)
        // Node 2 never fell behind the first index: it got entries, no snapshot.
        #expect(cluster.node(2).installed.isEmpty)
    }

    @Test func aFollowerAtTheFirstIndexGetsEntriesMatchedOnTheSnapshotTerm() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        try propose(cluster, 1, ["a", "b"])
        try cluster.tick(2)
        cluster.compact(1, through: cluster.core(1).appliedIndex.rawValue)
        try propose(cluster, 1, ["c"])
        try cluster.tick(2)
        #expect(cluster.node(2).installed.isEmpty && cluster.node(3).installed.isEmpty)
        #expect(cluster.appliedData(2) == ["a", "b", "c"])
        #expect(cluster.appliedData(3) == ["a", "b", "c"])
    }

    @Test func aLostSnapshotIsOfferedAgain() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.isolate(3)
        try propose(cluster, 1, ["a", "b", "c"])
        try cluster.tick(2, only: [1, 2])
        cluster.compact(1, through: cluster.core(1).appliedIndex.rawValue)
        // Every offer to node 3 is lost; the leader's owner reports each transfer as failed.
        let three = NodeID(3)
        cluster.drop = {
            if case .installSnapshot = $0.body { return $0.to == three }
            return false
        }
        try cluster.tick(3)
        let firstOffers = cluster.delivered.count { $0.to == three && $0.body.isSnapshotOffer }
        #expect(firstOffers == 0)
        #expect(cluster.node(3).installed.isEmpty)
        cluster.core(1).reportSnapshot(to: three, delivered: false)
        cluster.heal()
        try cluster.tick(3)
        #expect(cluster.node(3).installed.count == 1)
        #expect(cluster.appliedData(3) == ["a", "b", "c"])
    }

    @Test func aDeliveredSnapshotIsFollowedByEntriesFromItsIndex() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        cluster.isolate(3)
        try propose(cluster, 1, ["a", "b"])
        try cluster.tick(2, only: [1, 2])
        cluster.compact(1, through: cluster.core(1).appliedIndex.rawValue)
        try propose(cluster, 1, ["c"])
        cluster.heal()
        try cluster.tick(1)
        cluster.core(1).reportSnapshot(to: NodeID(3), delivered: true)
        try propose(cluster, 1, ["d"])
        try cluster.tick(2)
        #expect(cluster.node(3).installed.count == 1)
        #expect(cluster.appliedData(3) == ["a", "b", "c", "d"])
    }

    @Test func aSnapshotNotNewerThanTheCommitIndexIsAnsweredWithIt() throws {
        let (core, _) = try follower(term: 2, commit: 3, log: [(1, 1), (2, 1), (3, 2)])
        let offer = SnapshotMetadata(index: LogIndex(2), term: Term(1))
        try deliver(offer, to: core, term: 2)
        let ready = try core.ready()
        #expect(ready.snapshot == nil)
        #expect(ready.messagesAfterPersist.map(\.body) == [.appendResponse(AppendResponse(index: LogIndex(3)))])
        core.advance(ready)
        #expect(core.lastIndex == LogIndex(3))
        try core.checkInvariants()
    }

    @Test func aSnapshotWhoseLastEntryTheLogHoldsOnlyMovesTheCommitIndex() throws {
        let (core, _) = try follower(term: 2, commit: 1, log: [(1, 1), (2, 1), (3, 2)])
        let offer = SnapshotMetadata(index: LogIndex(2), term: Term(1))
        try deliver(offer, to: core, term: 2)
        let ready = try core.ready()
        #expect(ready.snapshot == nil)
        #expect(ready.hardState?.commit == LogIndex(2))
        #expect(ready.committedEntries.map(\.index) == [LogIndex(1), LogIndex(2)])
        #expect(ready.messagesAfterPersist.map(\.body) == [.appendResponse(AppendResponse(index: LogIndex(2)))])
        core.advance(ready)
        #expect(core.lastIndex == LogIndex(3))
        try core.checkInvariants()
    }

    @Test func aConflictingLogIsReplacedByTheSnapshotAndAnsweredOnlyAfterInstalling() throws {
        // Node 2 holds an uncommitted entry 3 of term 1; the leader's snapshot ends at 5, term 3.
        let (core, storage) = try follower(term: 3, commit: 2, log: [(1, 1), (2, 1), (3, 1)])
        let offer = SnapshotMetadata(index: LogIndex(5), term: Term(3))
        try deliver(offer, to: core, term: 3)
        #expect(core.lastIndex == LogIndex(5))
        #expect(core.term(at: LogIndex(5)) == Term(3))
        #expect(core.term(at: LogIndex(3)) == nil, "the replaced log no longer counts")
        try core.checkInvariants()

        let ready = try core.ready()
        #expect(ready.snapshot == offer)
        #expect(ready.mustSync)
        #expect(ready.messages.isEmpty)
        #expect(ready.committedEntries.isEmpty, "the snapshot replaces the state machine")
        #expect(ready.hardState?.commit == LogIndex(5))
        #expect(ready.messagesAfterPersist.map(\.body) == [.appendResponse(AppendResponse(index: LogIndex(5)))])
        storage.install(offer)
        if let hardState = ready.hardState { storage.setHardState(hardState) }
        core.advance(ready)
        #expect(core.appliedIndex == LogIndex(5))

        // The next append matches on the snapshot's term and applies from index 6.
        let append = AppendRequest(
            prevIndex: LogIndex(5), prevTerm: Term(3), entries: [TestCluster.entry(6, 3)], commit: LogIndex(6))
        try core.step(Message(from: NodeID(1), to: NodeID(2), term: Term(3), body: .append(append)))
        let next = try core.ready()
        #expect(next.snapshot == nil)
        #expect(next.entries.map(\.index) == [LogIndex(6)])
        storage.append(next.entries)
        core.advance(next)
        let third = try core.ready()
        #expect(third.committedEntries.map(\.index) == [LogIndex(6)])
        core.advance(third)
        try core.checkInvariants()
    }

    @Test func aSnapshotFromAnOlderTermIsRefused() throws {
        let (core, _) = try follower(term: 4, log: [(1, 1)])
        let offer = SnapshotMetadata(index: LogIndex(9), term: Term(3))
        try deliver(offer, to: core, term: 3)
        let ready = try core.ready()
        #expect(ready.snapshot == nil)
        #expect(core.lastIndex == LogIndex(1))
        let answer = try #require(ready.messagesAfterPersist.first)
        #expect(answer.term == Term(4), "the deposed leader learns the new term")
    }

    @Test func aNodeRestartedFromACompactedLogVotesAndLeadsOnTheSnapshotTerm() throws {
        let cluster = try TestCluster([1, 2, 3])
        try cluster.elect(1)
        try propose(cluster, 1, ["a", "b"])
        try cluster.tick(2)
        for raw in [1, 2, 3] as [UInt64] { cluster.compact(raw, through: cluster.core(raw).appliedIndex.rawValue) }
        for raw in [1, 2, 3] as [UInt64] { try cluster.restart(raw) }
        #expect(cluster.core(2).lastIndex == cluster.node(2).storage.snapshot.index)
        try cluster.elect(2)
        #expect(cluster.leaders == [NodeID(2)])
        try propose(cluster, 2, ["c"])
        try cluster.tick(2)
        for raw in [1, 2, 3] as [UInt64] {
            #expect(cluster.appliedData(raw) == ["a", "b", "c"], "node \(raw)")
            try cluster.core(raw).checkInvariants()
        }
    }

    @Test func aNewerOfferWhileTheFirstIsBeingInstalledWins() throws {
        let (core, storage) = try follower(term: 3, log: [(1, 1)])
        let first = SnapshotMetadata(index: LogIndex(5), term: Term(3))
        let second = SnapshotMetadata(index: LogIndex(8), term: Term(3))
        try deliver(first, to: core, term: 3)
        let ready = try core.ready()
        #expect(ready.snapshot == first)
        // The owner is still installing the first when the second arrives.
        try deliver(second, to: core, term: 3)
        storage.install(first)
        core.advance(ready)
        #expect(core.term(at: LogIndex(5)) == nil, "the second snapshot replaced the first")
        #expect(core.lastIndex == LogIndex(8))
        let next = try core.ready()
        #expect(next.snapshot == second)
        storage.install(second)
        core.advance(next)
        #expect(core.term(at: LogIndex(8)) == Term(3))
        #expect(core.appliedIndex == LogIndex(8))
        try core.checkInvariants()
    }
}

extension Message.Body {
    fileprivate var isSnapshotOffer: Bool {
        if case .installSnapshot = self { true } else { false }
    }
}
