import LedgerModel
import Wire

/// Topic administration (`ledger topics create|alter|delete|describe`). Changes go through the
/// log and return once applied on the leader; a refused change (a topic that exists, queues
/// that would shrink, a bad name) throws ``LedgerClientError/rejected(node:message:)`` naming
/// why. A change whose answer was lost in a leader change throws
/// ``LedgerClientError/outcomeUnknown(_:)``: describe the topic to see whether it applied.
extension LedgerClient {
    /// Creates `topic` with `queueCount` queues (`.create`), grows it to that many (`.alter`),
    /// or either (`.createOrAlter`); returns its queues afterwards.
    public func updateTopic(_ topic: String, queueCount: Int32, mode: TopicUpdate.Mode) throws(LedgerClientError)
        -> TopicInfo
    {
        let request = TopicUpdate(topic: topic, queueCount: queueCount, mode: mode)
        return try ask("\(mode) topic", .updateTopicRequest(request), write: true) {
            if case .updateTopicResponse(let topic) = $0 { topic } else { nil }
        }
    }

    /// Deletes `topic`: its queues and the consumer offsets on them.
    public func deleteTopic(_ topic: String) throws(LedgerClientError) {
        try ask("delete topic", .deleteTopicRequest(TopicDeletion(topic: topic)), write: true) {
            if case .deleteTopicResponse = $0 { () } else { nil }
        }
    }

    /// `topic`'s queues with their offsets and first and last store times (linearizable).
    public func describeTopic(_ topic: String) throws(LedgerClientError) -> TopicDescription {
        try ask("describe topic", .describeTopicRequest(TopicDescriptionRequest(topic: topic))) {
            if case .describeTopicResponse(let description) = $0 { description } else { nil }
        }
    }
}
