import Raft
import Testing

/// An owner that keeps its disk busy while it takes the next readies advances with
/// `entriesDurable: false` and reports durability later (the real node and the simulator do).
@Suite struct OverlappedPersistTests {
    @Test func aLeaderCountsItselfOnlyOnceItsEntriesAreDurable() throws {
        let cluster = try TestCluster([1])
        try cluster.elect(1)
        let node = cluster.node(1)
        let core = node.core
        let proposal = try core.propose(Array("x".utf8))

        // Take the ready, write (not sync) its entries, advance without durability.
        let first = try core.ready()
        #expect(first.entries.map(\.index) == [proposal.index])
        node.storage.append(first.entries)
        core.advance(first, entriesDurable: false)
        #expect(core.commitIndex < proposal.index, "a one-node leader committed an entry that is not durable")
        #expect(core.persistedIndex < proposal.index)

        // A second proposal is handed out while the first is still syncing.
        let second = try core.propose(Array("y".utf8))
        #expect(core.nextIndexToPersist == second.index)
        let next = try core.ready()
        #expect(next.entries.map(\.index) == [second.index])
        #expect(next.committedEntries.isEmpty)
        node.storage.append(next.entries)
        core.advance(next, entriesDurable: false)
        #expect(core.nextIndexToPersist == nil)

        // The first sync completes: the first entry commits and becomes applicable; then the second.
        core.entriesPersisted(through: proposal.index, term: proposal.term)
        #expect(core.commitIndex == proposal.index)
        let applying = try core.ready()
        #expect(applying.committedEntries.map(\.index) == [proposal.index])
        core.advance(applying, entriesDurable: false)
        core.entriesPersisted(through: second.index, term: second.term)
        #expect(core.commitIndex == second.index)
        try core.checkInvariants()
    }

    @Test func durabilityOfARewrittenEntryIsIgnored() throws {
        let cluster = try TestCluster([1])
        try cluster.elect(1)
        let core = cluster.core(1)
        let proposal = try core.propose([1])
        let ready = try core.ready()
        cluster.node(1).storage.append(ready.entries)
        core.advance(ready, entriesDurable: false)
        // A report naming a term the log does not hold at that index changes nothing.
        core.entriesPersisted(through: proposal.index, term: Term(proposal.term.rawValue + 1))
        #expect(core.persistedIndex < proposal.index)
        #expect(core.commitIndex < proposal.index)
        try core.checkInvariants()
    }
}
