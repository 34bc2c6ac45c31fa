/// Where a send goes within its topic.
public enum QueueTarget: Hashable, Sendable {
    /// This queue id; out of range for the topic → the send is rejected.
    case queue(Int32)
    /// The queue picked by the key's Java hash code (`abs(hashCode % queueCount)`, RocketMQ's
    /// `SelectMessageQueueByHash`), so the same key always lands in the same queue and messages
    /// with one key are consumed in send order.
    case shardingKey(String)
    /// Any queue: the state machine picks the queue with the fewest messages (lowest id on a tie),
    /// deterministically at apply time.
    case automatic
}

/// An idempotent producer's identity and the sequence number of one send (or batch). Sequences
/// must increase per producer: a retry repeats its stamp and gets the original result.
public struct ProducerStamp: Hashable, Sendable, CustomStringConvertible {
    public var producer: ProducerID
    public var sequence: UInt64

    public init(producer: ProducerID, sequence: UInt64) {
        self.producer = producer
        self.sequence = sequence
    }

    public var description: String { "producer \(producer) sequence \(sequence)" }
}

/// A message as a producer sends it. The store host and store timestamp are not here: the
/// leader adds them when it proposes (see ``StoreStamp``), so every replica stores the same bytes.
public struct ProducerMessage: Hashable, Sendable {
    /// `[%|a-zA-Z0-9_-]`, 1 to 127 characters (RocketMQ's topic rule).
    public var topic: String
    public var target: QueueTarget
    /// One tag (the `TAGS` property); nil or empty for none.
    public var tags: String?
    /// Lookup keys (the `KEYS` property, space-separated), each without spaces.
    public var keys: [String]
    public var body: [UInt8]
    /// User properties; names must not be ones the store sets itself (``MessageProperty/reserved``).
    public var properties: [String: String]
    /// An opaque user flag, stored as-is.
    public var flag: Int32
    /// When the producer created the message, in ms since the epoch.
    public var bornTimestamp: Int64
    public var bornHost: HostAddress
    /// Set for an idempotent send; nil inside a batch (the batch carries the stamp).
    public var producer: ProducerStamp?
    /// The message's unique key as its producer stamped it (a RocketMQ client's `UNIQ_KEY`, the
    /// id its application and its consumers see); nil for the store to use the offset message id.
    public var uniqueKey: String?
    /// The producer zlib-compressed the body (RocketMQ sys flag 0x1, what its clients do to
    /// bodies over 4 KiB): it is stored as sent, with the flag in its record, and the consumer
    /// inflates it. The store never looks inside.
    public var bodyCompressed: Bool

    public init(
        topic: String, target: QueueTarget = .automatic, tags: String? = nil, keys: [String] = [],
        body: [UInt8], properties: [String: String] = [:], flag: Int32 = 0, bornTimestamp: Int64 = 0,
        bornHost: HostAddress = .unspecified, producer: ProducerStamp? = nil, bodyCompressed: Bool = false,
        uniqueKey: String? = nil
    ) {
        self.topic = topic
        self.target = target
        self.tags = tags
        self.keys = keys
        self.body = body
        self.properties = properties
        self.flag = flag
        self.bornTimestamp = bornTimestamp
        self.bornHost = bornHost
        self.producer = producer
        self.bodyCompressed = bodyCompressed
        self.uniqueKey = uniqueKey
    }
}

/// Property names RocketMQ defines and this store writes.
public enum MessageProperty {
    /// The message's tag.
    public static let tags = "TAGS"
    /// Its space-separated lookup keys.
    public static let keys = "KEYS"
    /// Its unique id: the producer's (``ProducerMessage/uniqueKey``), else the offset message id
    /// the store assigns.
    public static let uniqueKey = "UNIQ_KEY"
    /// The sharding key that picked its queue (RocketMQ's `__SHARDINGKEY`).
    public static let shardingKey = "__SHARDINGKEY"
    /// A delay level (`1...` the configured levels): the message waits in
    /// ``SystemTopic/schedule`` until its level's delay has passed since it was stored.
    public static let delayLevel = "DELAY"
    /// Where a delayed or half message goes once due or committed (set by the store).
    public static let realTopic = "REAL_TOPIC"
    /// The queue of ``realTopic``; absent when the store picks one on delivery.
    public static let realQueueID = "REAL_QID"
    /// The topic a retried message was first consumed from (set on a send-back).
    public static let retryTopic = "RETRY_TOPIC"
    /// The offset message id of the message first consumed, on each retry of it.
    public static let originMessageID = "ORIGIN_MESSAGE_ID"
    /// `true` on a transaction's half message (RocketMQ's `TRAN_MSG`).
    public static let transactionPrepared = "TRAN_MSG"
    /// The producer group of a half message, whose producers are asked for its outcome.
    public static let producerGroup = "PGROUP"
    /// Names a user property may not use: the store sets them from the message's fields.
    public static let reserved: Set<String> = [tags, keys, uniqueKey, shardingKey, realTopic, realQueueID]

    /// Between a property's name and value in a record.
    @inlinable package static var nameValueSeparator: UInt8 { 1 }
    /// After each property in a record.
    @inlinable package static var pairSeparator: UInt8 { 2 }
}

/// RocketMQ's message sys flag bits this store writes into a record (`MessageSysFlag`).
public enum MessageSysFlag {
    /// The body is zlib-compressed.
    public static let compressed: Int32 = 0x1
    /// A transaction's half message, as its producer sends it.
    public static let transactionPrepared: Int32 = 0x4
    /// A committed transaction's message, as the store writes it into its real topic.
    public static let transactionCommit: Int32 = 0x8
    /// Both transaction bits: what END_TRANSACTION's `commitOrRollback` says (0x8 commit,
    /// 0xC rollback, 0 unknown).
    public static let transactionMask: Int32 = 0xC
}
