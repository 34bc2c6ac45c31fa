/// Topic names RocketMQ gives a meaning of its own.
public enum SystemTopic {
    /// `%RETRY%<group>`: a consumer group's redeliveries, which every clustering push consumer
    /// subscribes to.
    public static let retryPrefix = "%RETRY%"
}
