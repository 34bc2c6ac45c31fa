import LedgerModel
import Raft

/// Topic administration at apply: creating a topic, growing its queues, deleting it
/// (``Command/updateTopic(_:)``, ``Command/deleteTopic(_:)``), and describing one.
///
/// A deleted topic's queues and the consumer offsets on them are dropped at once; its consume-
/// queue files are removed by the next persist. Its records stay in the commit log, so the
/// store remembers where the commit log ended when it was deleted (`deletedTopics`, kept in the
/// checkpoint): records of the topic before that point belong to the deleted incarnation, and a
/// lookup by key or an index rebuild skips them, also after the name is used again.
extension CommitLogStateMachine {
    func applyUpdateTopic(_ update: TopicUpdate) -> ApplyResult {
        if let problem = topicUpdateProblem(update) { return .rejected(problem) }
        if var state = topics[update.topic] {
            while state.queueCount < update.queueCount { state.queues.append(ConsumeQueue()) }
            topics[update.topic] = state
        } else {
            topics[update.topic] = TopicState(queueCount: update.queueCount)
        }
        runningDigest.fold(UInt8(0xE1))
        runningDigest.fold(update.topic)
        runningDigest.fold(update.queueCount)
        return .topicUpdated(topicInfo(update.topic))
    }

    func applyDeleteTopic(_ deletion: TopicDeletion) -> ApplyResult {
        if let problem = topicDeletionProblem(deletion) { return .rejected(problem) }
        topics[deletion.topic] = nil
        // Which offsets go does not depend on the order they are visited in.
        consumerOffsets = consumerOffsets.filter { $0.key.queue.topic != deletion.topic }
        deletedTopics[deletion.topic] = lastRecordEnd
        if !topicsToRemove.contains(deletion.topic) { topicsToRemove.append(deletion.topic) }
        runningDigest.fold(UInt8(0xE2))
        runningDigest.fold(deletion.topic)
        return .topicDeleted(deletion)
    }

    /// Why `update` would be rejected in the current state, or nil.
    func topicUpdateProblem(_ update: TopicUpdate) -> CommandRejection? {
        if let reason = TopicName.problem(update.topic) { return .invalidTopic(update.topic, reason: reason) }
        if let reason = Self.heldTopicProblem(update.topic) { return .invalidTopic(update.topic, reason: reason) }
        guard update.queueCount >= 1, update.queueCount <= TopicUpdate.maxQueues else {
            return .invalidQueueCount(topic: update.topic, update.queueCount)
        }
        switch (topics[update.topic]?.queueCount, update.mode) {
        case (nil, .alter):
            return .topicNotFound(update.topic)
        case (let existing?, .create):
            return .topicExists(update.topic, queueCount: existing)
        case (let existing?, _) where existing > update.queueCount:
            return .queuesCannotShrink(topic: update.topic, from: existing, to: update.queueCount)
        default:
            return nil
        }
    }

    /// Why `deletion` would be rejected in the current state, or nil.
    func topicDeletionProblem(_ deletion: TopicDeletion) -> CommandRejection? {
        if let reason = TopicName.problem(deletion.topic) { return .invalidTopic(deletion.topic, reason: reason) }
        if let reason = Self.heldTopicProblem(deletion.topic) { return .invalidTopic(deletion.topic, reason: reason) }
        guard topics[deletion.topic] != nil else { return .topicNotFound(deletion.topic) }
        return nil
    }

    /// Why `topic` is not for topic admin, or nil: the schedule and half topics hold messages
    /// back with one queue per delay level (or one), and only the store changes them.
    static func heldTopicProblem(_ topic: String) -> String? {
        guard topic == SystemTopic.schedule || topic == SystemTopic.transactionHalf else { return nil }
        return "a system topic: the store holds delayed or half messages there and keeps its queues itself"
    }

    /// Whether the record of `topic` at `offset` belongs to an incarnation of the topic that was
    /// deleted.
    func isDeleted(topic: String, at offset: PhysicalOffset) -> Bool {
        guard let end = deletedTopics[topic] else { return false }
        return offset < end
    }

    /// Every queue of `topic` with its offsets and the store times of its first and last
    /// message (GET_EARLIEST_MSG_STORETIME, `ledger topics describe`).
    public func describeTopic(_ topic: String) throws(QueryError) -> TopicDescription {
        guard let state = topics[topic] else { throw .topicNotFound(topic) }
        var queues: [QueueDescription] = []
        for (id, queue) in state.queues.enumerated() {
            let key = MessageQueue(topic: topic, queueID: Int32(id))
            let range = QueueOffsetRange(minOffset: queue.minOffset, maxOffset: queue.maxOffset)
            guard range.minOffset < range.maxOffset else {
                queues.append(QueueDescription(range: range, earliestStoreTimestamp: nil, latestStoreTimestamp: nil))
                continue
            }
            func storeTimestamp(at offset: QueueOffset) throws(QueryError) -> Int64 {
                let entry = ConsumeQueueEntry(packed: try queueEntries(key, queue, offset..<offset.next), at: 0)
                return try queuedMessage(key, at: offset, entry).storeTimestamp
            }
            queues.append(
                QueueDescription(
                    range: range, earliestStoreTimestamp: try storeTimestamp(at: range.minOffset),
                    latestStoreTimestamp: try storeTimestamp(at: QueueOffset(range.maxOffset.rawValue - 1))))
        }
        return TopicDescription(topic: topic, queues: queues)
    }

    private func topicInfo(_ name: String) -> TopicInfo {
        let queues = topics[name, default: TopicState(queueCount: 0)].queues
        return TopicInfo(
            name: name, queues: queues.map { QueueOffsetRange(minOffset: $0.minOffset, maxOffset: $0.maxOffset) })
    }

    /// Removes the consume-queue files of the topics deleted since the last persist began; the
    /// persist performs it before writing (a topic created again under the name writes after).
    func planTopicRemovals(_ storage: Storage, _ plan: inout PersistPlan) {
        plan.removedTopics = topicsToRemove.map { (storage.consumeQueueDirectory, $0) }
        topicsHandedForRemoval = topicsToRemove
        topicsToRemove.removeAll()
    }
}
