import Raft
import Testing

@testable import Replica

/// The Raft core can install snapshots, but this version's replica has no state-machine
/// snapshots to receive: an offer must not reach the core, or the log would be reset to a state
/// the node never got.
@Suite struct SnapshotOfferTests {
    @Test func anOfferWithoutItsBytesIsIgnoredWithAWarningAndTheLogStays() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let follower = group.node(2)
        let before = follower.core.status
        let offer = SnapshotMetadata(index: before.lastIndex.advanced(by: 100), term: before.term)
        let message = Message(from: NodeID(1), to: NodeID(2), term: before.term, body: .installSnapshot(offer))
        group.handle(2, .peerMessage(message))
        #expect(follower.core.lastIndex == before.lastIndex)
        #expect(follower.core.commitIndex == before.commitIndex)
        #expect(follower.stopped == nil)
        #expect(follower.logs.contains { $0.contains("offer of \(offer)") && $0.contains("without its bytes") })
    }
}
