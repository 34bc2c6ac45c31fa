/// RocketMQ's client-side pull statuses (`PullStatus`).
public enum PullStatus: String, Hashable, Sendable {
    /// At least one message matched.
    case found = "FOUND"
    /// The requested offset is the queue's max offset: nothing new yet.
    case noNewMessage = "NO_NEW_MSG"
    /// Messages were scanned but none matched the tag filter; `nextOffset` skips past them.
    case noMatchedMessage = "NO_MATCHED_MSG"
    /// The offset is outside `minOffset...maxOffset`; `nextOffset` is the nearest valid one.
    case offsetIllegal = "OFFSET_ILLEGAL"
}

/// The answer to a pull.
public struct PullResult: Hashable, Sendable {
    public var status: PullStatus
    /// Where the consumer's next pull should start.
    public var nextOffset: QueueOffset
    /// The queue's first available offset.
    public var minOffset: QueueOffset
    /// One past its last message.
    public var maxOffset: QueueOffset
    /// Matching messages in queue order; empty unless ``status`` is ``PullStatus/found``.
    public var messages: [StoredMessage]

    public init(
        status: PullStatus, nextOffset: QueueOffset, minOffset: QueueOffset, maxOffset: QueueOffset,
        messages: [StoredMessage]
    ) {
        self.status = status
        self.nextOffset = nextOffset
        self.minOffset = minOffset
        self.maxOffset = maxOffset
        self.messages = messages
    }
}

/// The offsets a queue holds: `minOffset..<maxOffset`.
public struct QueueOffsetRange: Hashable, Sendable {
    public var minOffset: QueueOffset
    public var maxOffset: QueueOffset

    public init(minOffset: QueueOffset, maxOffset: QueueOffset) {
        self.minOffset = minOffset
        self.maxOffset = maxOffset
    }
}

/// A topic and the offset range of each of its queues (index = queue id).
public struct TopicInfo: Hashable, Sendable {
    public var name: String
    public var queues: [QueueOffsetRange]

    public init(name: String, queues: [QueueOffsetRange]) {
        self.name = name
        self.queues = queues
    }
}

/// A consumer group's progress on one queue.
public struct ConsumerProgress: Hashable, Sendable {
    public var group: String
    public var queue: MessageQueue
    /// The next offset the group will consume.
    public var committedOffset: QueueOffset
    public var maxOffset: QueueOffset

    public init(group: String, queue: MessageQueue, committedOffset: QueueOffset, maxOffset: QueueOffset) {
        self.group = group
        self.queue = queue
        self.committedOffset = committedOffset
        self.maxOffset = maxOffset
    }

    /// Messages not consumed yet: `maxOffset - committedOffset`.
    public var lag: Int64 { max(0, maxOffset.rawValue - committedOffset.rawValue) }
}
