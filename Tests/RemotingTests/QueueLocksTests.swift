import Remoting
import Testing

/// Orderly consumers' queue locks: one holder per group and queue, renewed by its holder, taken
/// over after 60 s of silence, released only by its holder; and the 41/42 body as the C++
/// clients send it.
@Suite struct QueueLocksTests {
    static func request(_ client: String, group: String = "G", _ ids: [Int32]) -> LockBatchRequest {
        LockBatchRequest(
            clientID: client, consumerGroup: group,
            queues: ids.map { LockBatchRequest.Queue(brokerName: "ledger", topic: "T", queueID: $0) })
    }

    @Test func oneHolderPerQueueUntilItExpiresOrIsReleased() {
        var locks = QueueLocks()
        #expect(locks.lock(Self.request("c1", [0, 1]), now: 0).map(\.queueID) == [0, 1])
        #expect(locks.lock(Self.request("c2", [1, 2]), now: 1_000).map(\.queueID) == [2], "1 is c1's")
        #expect(locks.lock(Self.request("c2", group: "Other", [1, 2]), now: 1_000).count == 2, "groups are apart")
        // c1 renews queue 0 at 50 s; queue 1 lapses at 60 s.
        #expect(locks.lock(Self.request("c1", [0]), now: 50_000).map(\.queueID) == [0])
        #expect(locks.lock(Self.request("c2", [0, 1]), now: 60_000).map(\.queueID) == [1])
        #expect(locks.lock(Self.request("c2", [0]), now: 109_999).isEmpty)
        #expect(locks.lock(Self.request("c2", [0, 2]), now: 110_000).map(\.queueID) == [0, 2], "2 renewed too")
        // Only the holder releases.
        locks.unlock(Self.request("c1", [2]))
        #expect(locks.lock(Self.request("c1", [2]), now: 110_001).isEmpty, "c2 still holds 2")
        locks.unlock(Self.request("c2", [2]))
        #expect(locks.lock(Self.request("c1", [2]), now: 110_002).map(\.queueID) == [2])
        locks.removeAll()
        #expect(locks.count == 0)
    }

    @Test func theBodyDecodesAsTheClientsSendItAndTheAnswerListsTheLockedQueues() throws {
        let body =
            #"{"clientId":"127.0.0.1@4242#DEFAULT","consumerGroup":"G","mqSet":[{"brokerName":"ledger","queueId":3,"topic":"T"},{"brokerName":"ledger","queueId":"0","topic":"%RETRY%G"}]}"#
        let request = try LockBatchRequest(body: Array(body.utf8)[...])
        #expect(request.clientID == "127.0.0.1@4242#DEFAULT" && request.consumerGroup == "G")
        #expect(request.queues.map(\.queueID) == [3, 0] && request.queues[1].topic == "%RETRY%G")
        #expect(
            String(decoding: LockBatchRequest.lockedBody([request.queues[0]]), as: UTF8.self)
                == #"{"lockOKMQSet":[{"brokerName":"ledger","queueId":3,"topic":"T"}]}"#)
        for bad in [
            #"{"consumerGroup":"G","mqSet":[]}"#, #"{"clientId":"c","consumerGroup":"G"}"#,
            #"{"clientId":"c","consumerGroup":"G","mqSet":[{"brokerName":"b","queueId":-1,"topic":"T"}]}"#,
            #"{"clientId":"c","consumerGroup":"G","mqSet":[{"brokerName":"b","queueId":1}]}"#, "not json",
        ] {
            #expect(throws: RemotingError.self, "\(bad)") { try LockBatchRequest(body: Array(bad.utf8)[...]) }
        }
    }
}
