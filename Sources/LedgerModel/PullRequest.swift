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

    public init(
        queue: MessageQueue, offset: QueueOffset, maxCount: UInt32, tagExpression: String = "*", waitMs: UInt32 = 0
    ) {
        self.queue = queue
        self.offset = offset
        self.maxCount = maxCount
        self.tagExpression = tagExpression
        self.waitMs = waitMs
    }
}

/// The answer to a ``PullRequest``.
public struct PullResponse: Hashable, Sendable {
    public var result: PullResult

    public init(result: PullResult) { self.result = result }
}
