import LedgerModel

/// The broker port's answers to topic administration, built from the node core's results.
extension RemotingCommand {
    /// GET_EARLIEST_MSG_STORETIME's answer from the topic's description: `timestamp`, the store
    /// time (ms) of the queue's first message, or -1 when the queue is empty (the Java broker's
    /// answer); SYSTEM_ERROR when the topic has no such queue.
    public static func earliestStoreTimeResponse(
        _ description: TopicDescription, queueID: Int32, to request: RemotingCommand
    ) -> RemotingCommand {
        guard queueID >= 0, Int(queueID) < description.queues.count else {
            return .response(
                to: request, code: .systemError,
                remark:
                    "no queue \(queueID) in topic \(description.topic): it has queues 0..<\(description.queues.count)")
        }
        let timestamp = description.queues[Int(queueID)].earliestStoreTimestamp ?? -1
        return .response(to: request, extFields: ["timestamp": String(timestamp)])
    }
}
