import Raft
import Testing

/// An owner whose disk refuses a ready's writes (a full disk) tells the core, which hands no
/// entries or hard state out until the owner resumes, then hands out again what was not written.
@Suite struct RefusedWritesTests {
    @Test func refusedEntriesAreHeldBackUncountedAndHandedOutAgain() throws {
        let cluster = try TestCluster([1])
        try cluster.elect(1)
        let node = cluster.node(1)
        let core = node.core
        let first = try core.propose(Array("x".utf8))
        let ready = try core.ready()
        #expect(ready.entries.map(\.index) == [first.index])
        core.writesFailed(from: first.index, saved: node.storage.hardState)
        core.advance(ready, entriesDurable: false)
        #expect(core.writesHeld)

        // While held: more proposals, no entries or hard state handed out, nothing committed.
        let second = try core.propose(Array("y".utf8))
        #expect(core.nextIndexToPersist == nil)
        while core.hasReady {
            let held = try core.ready()
            #expect(held.entries.isEmpty && held.hardState == nil)
            core.advance(held, entriesDurable: false)
        }
        #expect(core.commitIndex < first.index && core.persistedIndex < first.index)

        // Resumed: both entries come out again, in one ready, and commit once durable.
        core.resumeWrites()
        #expect(core.nextIndexToPersist == first.index)
        let retry = try core.ready()
        #expect(retry.entries.map(\.index) == [first.index, second.index])
        node.storage.append(retry.entries)
        core.advance(retry, entriesDurable: false)
        core.entriesPersisted(through: second.index, term: second.term)
        #expect(core.commitIndex == second.index)
        try core.checkInvariants()
    }

    @Test func aRefusedHardStateIsReportedAgainOnResume() throws {
        let cluster = try TestCluster([1, 2, 3])
        let core = cluster.core(2)
        let saved = cluster.node(2).storage.hardState
        // A leader of a later term makes node 2 adopt that term: a hard state to save.
        try core.step(
            Message(
                from: NodeID(1), to: NodeID(2), term: Term(5),
                body: .heartbeat(Heartbeat(commit: .zero, readSequence: 0))))
        let ready = try core.ready()
        let adopted = try #require(ready.hardState)
        #expect(adopted.term > saved.term && ready.mustSync)
        core.writesFailed(from: nil, saved: saved)
        core.advance(ready, entriesDurable: false)
        while core.hasReady {
            let held = try core.ready()
            #expect(held.hardState == nil)
            core.advance(held, entriesDurable: false)
        }
        core.resumeWrites()
        let again = try core.ready()
        #expect(again.hardState?.term == adopted.term && again.hardState?.vote == adopted.vote)
        #expect(again.mustSync)
    }
}
