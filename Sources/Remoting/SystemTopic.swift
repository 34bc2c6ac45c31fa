/// Topic names RocketMQ gives a meaning of its own.
public enum SystemTopic {
    /// `TBW102`: the topic whose route a producer borrows for a topic that has none yet; its send
    /// then names it as `defaultTopic` and the broker creates the new topic.
    public static let autoCreate = "TBW102"
    /// `%RETRY%<group>`: a consumer group's redeliveries, which every clustering push consumer
    /// subscribes to.
    public static let retryPrefix = "%RETRY%"
}
