import LedgerModel
import Replica
import Testing

/// Orderly consumers' queue locks: one holder per group and queue, renewed by its holder, taken
/// over once it expires, released only by its holder.
@Suite struct QueueLocksTests {
    static func request(_ client: String, group: String = "G", _ ids: [Int32]) -> QueueLockRequest {
        QueueLockRequest(clientID: client, group: group, queues: ids.map { MessageQueue(topic: "T", queueID: $0) })
    }

    @Test func oneHolderPerQueueUntilItExpiresOrIsReleased() {
        var locks = QueueLocks()
        #expect(locks.lock(Self.request("c1", [0, 1]), now: 0).map(\.queueID) == [0, 1])
        #expect(locks.lock(Self.request("c2", [1, 2]), now: 1_000).map(\.queueID) == [2], "1 is c1's")
        #expect(locks.lock(Self.request("c2", group: "Other", [1, 2]), now: 1_000).count == 2, "groups are apart")
        // c1 renews queue 0 at 50 s; queue 1 lapses at 60 s.
        #expect(locks.lock(Self.request("c1", [0]), now: 50_000).map(\.queueID) == [0])
        #expect(locks.lock(Self.request("c2", [0, 1]), now: 60_000).map(\.queueID) == [1])
        #expect(locks.holder(of: MessageQueue(topic: "T", queueID: 0), group: "G", now: 60_000) == "c1")
        #expect(locks.lock(Self.request("c2", [0]), now: 109_999).isEmpty)
        #expect(locks.lock(Self.request("c2", [0, 2]), now: 110_000).map(\.queueID) == [0, 2], "2 renewed too")
        // Only the holder releases.
        locks.unlock(Self.request("c1", [2]))
        #expect(locks.lock(Self.request("c1", [2]), now: 110_001).isEmpty, "c2 still holds 2")
        locks.unlock(Self.request("c2", [2]))
        #expect(locks.lock(Self.request("c1", [2]), now: 110_002).map(\.queueID) == [2])
        locks.removeAll()
        #expect(locks.count == 0)
        // A shorter expiry, as the simulator configures it.
        var short = QueueLocks(expiryMilliseconds: 1_000)
        #expect(short.lock(Self.request("c1", [0]), now: 0).count == 1)
        #expect(short.lock(Self.request("c2", [0]), now: 999).isEmpty)
        #expect(short.holder(of: MessageQueue(topic: "T", queueID: 0), group: "G", now: 1_000) == nil)
        #expect(short.lock(Self.request("c2", [0]), now: 1_000).count == 1)
    }
}
