import LedgerModel

/// Messages the store holds back before they reach their topic: a delayed message (`DELAY=n`)
/// waits in ``SystemTopic/schedule`` queue `n - 1`, a transaction's half message (`TRAN_MSG`)
/// in ``SystemTopic/transactionHalf``, each with its real topic and queue in `REAL_TOPIC` and
/// `REAL_QID` (RocketMQ's layout). A delayed message's consume-queue entry holds the time it is
/// due instead of its tag hash, as RocketMQ's does.
extension CommitLogStateMachine {
    /// Where a held message is stored instead of its topic.
    struct HeldPlacement {
        var topic: String
        var queue: Int32
        /// `REAL_TOPIC` and, when the queue is known, `REAL_QID`.
        var properties: [MessagePropertyPair]
        /// The `DELAY` property with the level capped at the last one, for a delayed message.
        var delayProperty: MessagePropertyPair?
    }

    /// The queue count a topic gets when its first record creates it.
    func newTopicQueueCount(_ topic: String) -> Int32 {
        SystemTopic.queueCount(
            forNew: topic, defaultQueues: configuration.defaultTopicQueueNums,
            delayLevels: configuration.delayLevels.count)
    }

    /// Where `message` is held back, nil when it goes to its topic at once, or why it cannot be
    /// stored (a `DELAY` that is not a number, a half message without its producer group or
    /// with a delay). A level of 0 or less is no delay; above the last level it is the last.
    func holdBack(_ message: ProducerMessage, queueCount: Int32) -> Result<HeldPlacement?, CommandRejection> {
        let topic = message.topic
        let half = message.properties[MessageProperty.transactionPrepared] == "true"
        var level: Int32 = 0
        if let text = message.properties[MessageProperty.delayLevel] {
            guard let value = Int32(text) else {
                return .failure(
                    .invalidField(topic: topic, field: "property DELAY", reason: "\"\(text)\" is not a level"))
            }
            level = value
        }
        guard half || level > 0 else { return .success(nil) }
        var real = [MessagePropertyPair(MessageProperty.realTopic, topic)]
        switch message.target {
        case .queue(let id): real.append(MessagePropertyPair(MessageProperty.realQueueID, String(id)))
        case .shardingKey(let key):
            let value = JavaHash.hashCode(key) % queueCount
            real.append(MessagePropertyPair(MessageProperty.realQueueID, String(value < 0 ? -value : value)))
        case .automatic: break
        }
        if half {
            guard level <= 0 else {
                return .failure(
                    .invalidField(topic: topic, field: "property DELAY", reason: "a half message cannot be delayed"))
            }
            guard let group = message.properties[MessageProperty.producerGroup], !group.isEmpty else {
                return .failure(
                    .invalidField(
                        topic: topic, field: "property PGROUP", reason: "a half message needs its producer group"))
            }
            return .success(HeldPlacement(topic: SystemTopic.transactionHalf, queue: 0, properties: real))
        }
        let capped = min(level, Int32(configuration.delayLevels.count))
        return .success(
            HeldPlacement(
                topic: SystemTopic.schedule, queue: capped - 1, properties: real,
                delayProperty: MessagePropertyPair(MessageProperty.delayLevel, String(capped))))
    }

    /// The level of a record in the schedule topic (its `DELAY`), if it is a valid one.
    func delayLevel(of message: StoredMessage) -> Int32? {
        guard message.topic == SystemTopic.schedule, let text = message.property(MessageProperty.delayLevel),
            let level = Int32(text), level >= 1, Int(level) <= configuration.delayLevels.count
        else { return nil }
        return level
    }

    /// When a record of the schedule topic is due: its store time plus its level's delay.
    func deliverTime(of message: StoredMessage) -> Int64? {
        guard let level = delayLevel(of: message), let delay = configuration.delay(ofLevel: level) else { return nil }
        return message.storeTimestamp + delay
    }

    /// Why a record of the schedule or half topic is not one the store holds back, or nil:
    /// every replica must be able to deliver or commit it the same way.
    func heldRecordProblem(_ message: StoredMessage) -> CommandRejection? {
        let topic = message.topic
        guard topic == SystemTopic.schedule || topic == SystemTopic.transactionHalf else { return nil }
        guard let real = message.property(MessageProperty.realTopic), TopicName.problem(real) == nil else {
            return .invalidField(topic: topic, field: "property REAL_TOPIC", reason: "missing or invalid")
        }
        if topic == SystemTopic.schedule {
            guard let level = delayLevel(of: message), message.queueID == level - 1 else {
                return .invalidField(
                    topic: topic, field: "property DELAY",
                    reason: "not a level of queue \(message.queueID) (1 to \(configuration.delayLevels.count))")
            }
        } else if (message.property(MessageProperty.producerGroup) ?? "").isEmpty {
            return .invalidField(
                topic: topic, field: "property PGROUP", reason: "a half message needs its producer group")
        }
        return nil
    }

    /// Notes a half message just stored: it waits for its producer.
    func holdHalf(_ message: StoredMessage) {
        kinds.pending[message.physicalOffset] = PendingTransaction(
            half: message.physicalOffset, producerGroup: message.property(MessageProperty.producerGroup) ?? "",
            storeTimestamp: message.storeTimestamp, checks: 0, lastCheck: message.storeTimestamp)
    }
}
