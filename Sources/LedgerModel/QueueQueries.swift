// The read-only queries about queues, topics and stored messages, and their answers.

/// One queue, for the queries that name a queue and nothing else (its offsets).
public struct QueueRequest: Hashable, Sendable {
    public var queue: MessageQueue

    public init(queue: MessageQueue) { self.queue = queue }
}

/// A queue's offsets: it holds `minOffset..<maxOffset`.
public struct QueueOffsetsResponse: Hashable, Sendable {
    public var range: QueueOffsetRange

    public init(range: QueueOffsetRange) { self.range = range }
}

/// The first offset of a queue stored at or after a time (ms since the epoch); the answer is an
/// ``OffsetResponse`` (the queue's max offset when none was).
public struct SearchOffsetRequest: Hashable, Sendable {
    public var queue: MessageQueue
    public var timestamp: Int64

    public init(queue: MessageQueue, timestamp: Int64) {
        self.queue = queue
        self.timestamp = timestamp
    }
}

/// A queue offset on its own: the answer to a ``SearchOffsetRequest``.
public struct OffsetResponse: Hashable, Sendable {
    public var offset: QueueOffset

    public init(offset: QueueOffset) { self.offset = offset }
}

/// The latest messages of a topic carrying a key; the answer is a ``MessagesResponse``.
public struct KeyLookupRequest: Hashable, Sendable {
    public var topic: String
    public var key: String
    public var maxCount: UInt32

    public init(topic: String, key: String, maxCount: UInt32 = 64) {
        self.topic = topic
        self.key = key
        self.maxCount = maxCount
    }
}

/// Stored messages, oldest first: the answer to a ``KeyLookupRequest`` and to a
/// ``ViewMessageRequest`` (exactly one).
public struct MessagesResponse: Hashable, Sendable {
    public var messages: [StoredMessage]

    public init(messages: [StoredMessage]) { self.messages = messages }
}

/// One message by where it is stored.
public enum ViewMessageRequest: Hashable, Sendable {
    case physicalOffset(PhysicalOffset)
    /// The offset message id a send returned.
    case messageID(String)
}

/// Every topic with its queues' offsets: the answer to a topics request (which says nothing
/// more).
public struct TopicsResponse: Hashable, Sendable {
    public var topics: [TopicInfo]

    public init(topics: [TopicInfo]) { self.topics = topics }
}
