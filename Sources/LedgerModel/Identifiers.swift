/// A message's position in its consume queue: dense per (topic, queue), starting at 0.
public struct QueueOffset: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static let zero = QueueOffset(0)
    public static func < (lhs: QueueOffset, rhs: QueueOffset) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The offset after this one.
    public var next: QueueOffset { QueueOffset(rawValue + 1) }
    public var description: String { String(rawValue) }
}

/// A byte position in the commit-log stream: the first byte of a record in the file named by
/// the largest multiple of the file size at or below it.
public struct PhysicalOffset: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static let zero = PhysicalOffset(0)
    public static func < (lhs: PhysicalOffset, rhs: PhysicalOffset) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The identity of an idempotent producer, chosen by the client (at random, or configured) and
/// kept across its retries.
public struct ProducerID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: ProducerID, rhs: ProducerID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// One queue of one topic: the unit that orders messages and that consumers pull from.
public struct MessageQueue: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var topic: String
    public var queueID: Int32

    public init(topic: String, queueID: Int32) {
        self.topic = topic
        self.queueID = queueID
    }

    /// Orders by topic (UTF-8 bytes), then queue id; the order every listing uses.
    public static func < (lhs: MessageQueue, rhs: MessageQueue) -> Bool {
        if lhs.topic != rhs.topic { return utf8Precedes(lhs.topic, rhs.topic) }
        return lhs.queueID < rhs.queueID
    }

    public var description: String { "\(topic)/\(queueID)" }
}

/// A platform-independent string order (UTF-8 bytes), used wherever an order must be the same on
/// every replica.
@inlinable
package func utf8Precedes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}
