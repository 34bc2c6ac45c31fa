/// Topic names RocketMQ gives a meaning of its own, and the queues the store gives them when
/// they are created by their first message.
public enum SystemTopic {
    /// `%RETRY%<group>`: a consumer group's redeliveries, which every clustering push consumer
    /// subscribes to. One queue, as RocketMQ's `retryQueueNums`.
    public static let retryPrefix = "%RETRY%"
    /// `%DLQ%<group>`: messages a group failed more than its maximum reconsume times. One queue.
    public static let deadLetterPrefix = "%DLQ%"
    /// Delayed messages wait here (RocketMQ's `SCHEDULE_TOPIC_XXXX`), in queue `level - 1`,
    /// until they are due and move to their real topic.
    public static let schedule = "SCHEDULE_TOPIC_XXXX"
    /// Transactions' half messages wait here (RocketMQ's `RMQ_SYS_TRANS_HALF_TOPIC`, one queue)
    /// until their producer commits or rolls them back.
    public static let transactionHalf = "RMQ_SYS_TRANS_HALF_TOPIC"

    /// The retry topic of consumer `group`.
    public static func retry(_ group: String) -> String { retryPrefix + group }
    /// The dead-letter topic of consumer `group`.
    public static func deadLetter(_ group: String) -> String { deadLetterPrefix + group }

    /// The queue count a topic gets when its first message creates it: one for retry,
    /// dead-letter and half topics, one per delay level for the schedule topic, else
    /// `defaultQueues`.
    public static func queueCount(forNew topic: String, defaultQueues: Int32, delayLevels: Int) -> Int32 {
        if topic == schedule { return Int32(delayLevels) }
        if topic == transactionHalf || topic.hasPrefix(retryPrefix) || topic.hasPrefix(deadLetterPrefix) { return 1 }
        return defaultQueues
    }
}
