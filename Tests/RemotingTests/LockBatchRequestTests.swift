import Remoting
import Testing

/// The LOCK_BATCH_MQ / UNLOCK_BATCH_MQ body as the C++ clients send it, and the answer.
@Suite struct LockBatchRequestTests {
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
