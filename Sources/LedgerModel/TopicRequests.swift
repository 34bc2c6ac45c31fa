// Topic administration: creating, growing and deleting a topic through the log, and describing
// one (`ledger topics`, RocketMQ's UPDATE_AND_CREATE_TOPIC 17, DELETE_TOPIC_IN_BROKER 215 and
// GET_EARLIEST_MSG_STORETIME 32).

/// Create a topic with `queueCount` queues, or grow an existing one to that many, through the
/// log. Answered with the topic's queues once applied on the leader.
public struct TopicUpdate: Hashable, Sendable {
    /// What the topic must look like before the change.
    public enum Mode: UInt8, Hashable, Sendable, CustomStringConvertible {
        /// The topic must not exist (`ledger topics create`).
        case create = 1
        /// The topic must exist; its queues may only grow (`ledger topics alter`).
        case alter = 2
        /// Either (RocketMQ's UPDATE_AND_CREATE_TOPIC): created if absent, grown if smaller,
        /// unchanged if equal; it may not shrink either.
        case createOrAlter = 3

        public var description: String {
            switch self {
            case .create: "create"
            case .alter: "alter"
            case .createOrAlter: "create or alter"
            }
        }
    }

    public var topic: String
    public var queueCount: Int32
    public var mode: Mode

    /// The most queues a topic may have (RocketMQ's `defaultTopicQueueNums` bound too).
    public static let maxQueues: Int32 = 1024

    public init(topic: String, queueCount: Int32, mode: Mode) {
        self.topic = topic
        self.queueCount = queueCount
        self.mode = mode
    }
}

/// Delete a topic through the log: its queues and the consumer groups' offsets on them are
/// dropped; its messages stay in the commit log until retention removes them, but no pull,
/// route or lookup by key of the topic (or of a topic created later under the same name) sees
/// them. Answered once applied on the leader.
public struct TopicDeletion: Hashable, Sendable {
    public var topic: String

    public init(topic: String) { self.topic = topic }
}

/// Describe one topic: its queues' offsets and store times (linearizable).
public struct TopicDescriptionRequest: Hashable, Sendable {
    public var topic: String

    public init(topic: String) { self.topic = topic }
}

/// One queue of a ``TopicDescription``.
public struct QueueDescription: Hashable, Sendable {
    /// The offsets the queue holds.
    public var range: QueueOffsetRange
    /// The store timestamp (ms since the epoch) of the message at `range.minOffset`; nil when
    /// the queue is empty.
    public var earliestStoreTimestamp: Int64?
    /// The store timestamp of the message at `range.maxOffset - 1`; nil when the queue is empty.
    public var latestStoreTimestamp: Int64?

    public init(range: QueueOffsetRange, earliestStoreTimestamp: Int64?, latestStoreTimestamp: Int64?) {
        self.range = range
        self.earliestStoreTimestamp = earliestStoreTimestamp
        self.latestStoreTimestamp = latestStoreTimestamp
    }
}

/// A topic's queues in queue-id order: the answer to a ``TopicDescriptionRequest``.
public struct TopicDescription: Hashable, Sendable {
    public var topic: String
    public var queues: [QueueDescription]

    public init(topic: String, queues: [QueueDescription]) {
        self.topic = topic
        self.queues = queues
    }
}
