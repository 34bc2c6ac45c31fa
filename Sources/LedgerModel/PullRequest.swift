/// Read messages of one queue from an offset. With `waitMs > 0` a pull that finds no new message
/// waits up to that long for one (long polling) before answering `NO_NEW_MSG`.
public struct PullRequest: Hashable, Sendable {
    /// The longest wait a node honours.
    public static let maxWaitMs: UInt32 = 30_000

    public var queue: MessageQueue
    public var offset: QueueOffset
    public var maxCount: UInt32
    /// `*`, empty, or `TagA || TagB`.
    public var tagExpression: String
    public var waitMs: UInt32
    /// Treat a topic nothing was sent to yet as one whose queues are empty (answer
    /// `NO_NEW_MSG`, or wait for its first message), instead of refusing with "no such topic".
    /// RocketMQ consumers expect this: they pull their group's retry topic, and topics their
    /// producers create on first send, before any message exists. Our own protocol does not
    /// carry it (its pulls of unknown topics are refused).
    public var absentTopicIsEmpty: Bool

    public init(
        queue: MessageQueue, offset: QueueOffset, maxCount: UInt32, tagExpression: String = "*", waitMs: UInt32 = 0,
        absentTopicIsEmpty: Bool = false
    ) {
        self.queue = queue
        self.offset = offset
        self.maxCount = maxCount
        self.tagExpression = tagExpression
        self.waitMs = waitMs
        self.absentTopicIsEmpty = absentTopicIsEmpty
    }
}

/// The answer to a ``PullRequest``.
public struct PullResponse: Hashable, Sendable {
    public var result: PullResult

    public init(result: PullResult) { self.result = result }
}
