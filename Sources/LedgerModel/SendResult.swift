/// Where a stored message went: what a send returns to its producer.
public struct SendResult: Hashable, Sendable, CustomStringConvertible {
    public var queue: MessageQueue
    public var queueOffset: QueueOffset
    public var physicalOffset: PhysicalOffset
    /// The offset message id (RocketMQ's `msgId`), also stored as the `UNIQ_KEY` property unless
    /// the producer gave its own unique key.
    public var messageID: String
    /// The store timestamp actually written (never below an earlier message's).
    public var storeTimestamp: Int64

    public init(
        queue: MessageQueue, queueOffset: QueueOffset, physicalOffset: PhysicalOffset, messageID: String,
        storeTimestamp: Int64
    ) {
        self.queue = queue
        self.queueOffset = queueOffset
        self.physicalOffset = physicalOffset
        self.messageID = messageID
        self.storeTimestamp = storeTimestamp
    }

    public var description: String { "\(queue) offset \(queueOffset) at \(physicalOffset) id \(messageID)" }
}
