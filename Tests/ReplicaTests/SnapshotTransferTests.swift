import CommitLog
import LedgerModel
import LogStore
import Raft
import Testing

@testable import Replica

/// A snapshot goes to a follower in pieces; the follower answers each with a receipt of what it
/// holds, and an offer repeated after an interrupted transfer resumes where the follower's part
/// ends instead of at the first byte.
@Suite struct SnapshotTransferTests {
    @Test func aRepeatedOfferResumesWhereTheFollowerStopped() throws {
        let group = try ReplicaGroup(settings: { $0.snapshotChunkBytes = 16 })
        try group.elect(1)
        for k in UInt64(1)...3 { group.request(.append(ClientAppendRequest(data: [UInt8(k)])), to: 1, requestID: k) }
        try group.runUntilQuiet()
        let leader = group.node(1)
        let applied = leader.replica.stateMachine.appliedIndex
        let continuation = try leader.store.continuation(after: applied)
        leader.replica.stateMachine.takeSnapshot(
            term: continuation.snapshot.term, logPosition: continuation.position, logChain: continuation.chain)
        leader.replica.beginPersist()  // The snapshot is sent from its file.
        group.settle(1)
        let snapshot = continuation.snapshot
        let term = leader.core.term

        // The first transfer loses its third piece: the follower holds the first two.
        leader.replica.sendSnapshot(snapshot, to: NodeID(2), term: term)
        group.settle(1)
        let pieces = group.takeChunks()
        #expect(pieces.count > 4, "the snapshot should take several pieces of 16 bytes: \(leader.logs)")
        let total = try #require(pieces.first).totalBytes
        for (k, piece) in pieces.enumerated() where k != 2 { group.handle(2, .snapshotChunk(piece)) }
        let receipts = group.takeChunks()
        #expect(receipts.allSatisfy { $0.isReceipt && $0.to == NodeID(1) && $0.snapshot == snapshot })
        #expect(receipts.map(\.offset).first == 16)
        #expect(receipts.map(\.offset).last == 32, "after the gap the follower still holds 32 bytes: \(receipts)")
        for receipt in receipts { group.handle(1, .snapshotChunk(receipt)) }

        // Offered again, the transfer resumes at byte 32 and completes.
        let sentBefore = leader.replica.retentionCounters.snapshotBytesSent
        leader.replica.sendSnapshot(snapshot, to: NodeID(2), term: term)
        group.settle(1)
        let resumed = group.takeChunks()
        #expect(resumed.first?.offset == 32)
        #expect(resumed.reduce(0) { $0 + UInt64($1.data.count) } == total - 32)
        #expect(leader.replica.retentionCounters.snapshotBytesSent - sentBefore == total - 32)
        #expect(leader.logs.contains { $0.contains("resuming at byte 32") }, "\(leader.logs)")
        for piece in resumed { group.handle(2, .snapshotChunk(piece)) }
        let last = try #require(group.takeChunks().last)
        #expect(last.isReceipt && last.offset == total, "the follower did not assemble the whole snapshot")
        #expect(!group.node(2).logs.contains { $0.contains("damaged") })
    }

    @Test func aFollowerThatLostTheStartAsksForTheWholeSnapshot() throws {
        let group = try ReplicaGroup(settings: { $0.snapshotChunkBytes = 16 })
        try group.elect(1)
        try group.runUntilQuiet()
        let leader = group.node(1)
        let continuation = try leader.store.continuation(after: leader.replica.stateMachine.appliedIndex)
        leader.replica.stateMachine.takeSnapshot(
            term: continuation.snapshot.term, logPosition: continuation.position, logChain: continuation.chain)
        leader.replica.beginPersist()  // The snapshot is sent from its file.
        group.settle(1)
        leader.replica.sendSnapshot(continuation.snapshot, to: NodeID(3), term: leader.core.term)
        group.settle(1)
        let pieces = group.takeChunks()
        group.handle(3, .snapshotChunk(pieces[1]))
        let receipt = try #require(group.takeChunks().first)
        #expect(receipt.isReceipt && receipt.offset == 0)
        group.handle(1, .snapshotChunk(receipt))
        leader.replica.sendSnapshot(continuation.snapshot, to: NodeID(3), term: leader.core.term)
        group.settle(1)
        #expect(group.takeChunks().first?.offset == 0)
    }
}
