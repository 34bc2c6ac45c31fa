// A consumer group's offsets: recording one through the log, and reading them back.

/// Record a consumer group's next offset on a queue through the log. The answer is empty and
/// comes once the commit is applied on the leader.
public struct CommitOffsetRequest: Hashable, Sendable {
    public var commit: OffsetCommit

    public init(commit: OffsetCommit) { self.commit = commit }
}

/// A consumer group's committed offsets.
public struct ConsumerOffsetsRequest: Hashable, Sendable {
    public var group: String
    /// Only this topic's queues; nil for all.
    public var topic: String?

    public init(group: String, topic: String? = nil) {
        self.group = group
        self.topic = topic
    }
}

/// A group's progress per queue, sorted by queue: the answer to a ``ConsumerOffsetsRequest``.
public struct ConsumerOffsetsResponse: Hashable, Sendable {
    public var group: String
    public var progress: [ConsumerProgress]

    public init(group: String, progress: [ConsumerProgress]) {
        self.group = group
        self.progress = progress
    }
}
