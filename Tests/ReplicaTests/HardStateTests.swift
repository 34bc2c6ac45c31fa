import FileIO
import LedgerModel
import LogStore
import Raft
import Testing

@testable import Replica

/// What the replica saves as its hard state is true of its disk at that moment.
@Suite struct HardStateTests {
    @Test("a vote saved while entries still sync carries only the commit the disk holds")
    func voteDuringASyncSavesTheDurableCommit() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let voter = group.node(2)
        // n1 commits a new entry with n3; n2 gets the entry, and the commit that covers it,
        // only now: it writes the entry and starts its sync.
        group.request(.append(ClientAppendRequest(data: [1])), to: 1, requestID: 1)
        let entry = group.node(1).core.lastIndex
        group.deliver { $0.to == NodeID(3) }
        try group.completeSync(3)
        try group.completeSync(1)
        group.deliver { $0.to == NodeID(1) }
        #expect(group.node(1).core.commitIndex == entry)
        group.handle(1, .tick)
        group.deliver { $0.to == NodeID(2) }
        #expect(voter.core.commitIndex == entry)
        #expect(voter.pendingSync != nil && voter.store.durableIndex < entry)
        // Before that sync completes, n3 asks for n2's vote in a new term.
        let term = voter.core.term.next
        let request = VoteRequest(lastIndex: entry, lastTerm: voter.core.term, preVote: false, transfer: true)
        group.handle(2, .peerMessage(Message(from: NodeID(3), to: NodeID(2), term: term, body: .vote(request))))
        #expect(voter.store.hardState.term == term && voter.store.hardState.vote == NodeID(3))
        #expect(
            voter.store.hardState.commit <= voter.store.durableIndex,
            "saved commit \(voter.store.hardState.commit) beyond the durable log \(voter.store.durableIndex)")
    }
}
