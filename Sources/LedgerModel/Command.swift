import Bytes

/// What the leader adds to a send when it proposes it: the store timestamp and its own address,
/// so every replica writes identical record bytes. (The state machine keeps store timestamps
/// non-decreasing: a stamp older than the last stored one is raised to it.)
public struct StoreStamp: Hashable, Sendable {
    /// Milliseconds since the epoch, read from the leader's clock at propose time.
    public var storeTimestamp: Int64
    /// The leader's address; it becomes part of each message id.
    public var storeHost: HostAddress

    public init(storeTimestamp: Int64, storeHost: HostAddress) {
        self.storeTimestamp = storeTimestamp
        self.storeHost = storeHost
    }
}

/// Messages stored atomically by one entry: either every message is stored, each with the next
/// offset of its queue (consecutive offsets for messages to the same queue), or none is and the
/// batch is rejected. Idempotence is per batch: `producer` stamps the whole batch, and the
/// messages inside must not carry stamps of their own.
public struct MessageBatch: Hashable, Sendable {
    public var messages: [ProducerMessage]
    public var producer: ProducerStamp?

    public init(messages: [ProducerMessage], producer: ProducerStamp? = nil) {
        self.messages = messages
        self.producer = producer
    }
}

/// A consumer group's progress on one queue: `offset` is the next offset the group will consume.
public struct OffsetCommit: Hashable, Sendable {
    public var group: String
    public var queue: MessageQueue
    public var offset: QueueOffset

    public init(group: String, queue: MessageQueue, offset: QueueOffset) {
        self.group = group
        self.queue = queue
        self.offset = offset
    }
}

/// The payload of a normal Raft entry: one state-machine command. ``encoded()`` is a compact
/// versioned big-endian format (version ``Command/formatVersion``); ``init(decoding:)`` checks
/// every length against the bytes present and throws ``DecodeError`` instead of trapping.
public enum Command: Hashable, Sendable {
    /// Store one message.
    case send(ProducerMessage, StoreStamp)
    /// Store several messages atomically.
    case sendBatch(MessageBatch, StoreStamp)
    /// Record a consumer group's offset on a queue.
    case commitOffset(OffsetCommit)
    /// Create a topic or grow its queues.
    case updateTopic(TopicUpdate)
    /// Delete a topic.
    case deleteTopic(TopicDeletion)
    /// Drop a transaction's half message: its producer rolled it back.
    case rollbackTransaction(TransactionRollback)
    /// Count a check back of a half message (or drop it after the last).
    case checkTransaction(TransactionCheck)

    /// The newest encoding version this build writes and reads: version 2 carries each
    /// message's sys flag (a compressed body) and its producer's unique key.
    public static let formatVersion: UInt8 = 2
    /// The version written for a command none of whose messages needs version 2; read too.
    public static let baseFormatVersion: UInt8 = 1
}
