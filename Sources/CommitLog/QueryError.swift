import LedgerModel

/// Why a read-only query could not answer. Each case names the topic, queue or offset asked for.
public enum QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No message was ever sent to the topic.
    case topicNotFound(String)
    /// The topic exists but has no queue with that id.
    case queueNotFound(MessageQueue, queueCount: Int32)
    /// No record starts at the physical offset.
    case noMessage(at: PhysicalOffset)
    /// Not an offset message id (32 or 56 hex digits).
    case invalidMessageID(String)
    /// A count or range argument out of bounds.
    case invalidArgument(String)
    /// The files could not be read, or hold bytes that fail their checks (a CRC, an index that
    /// points nowhere). The error names the file and the offset; restore that file from a replica.
    case unreadable(CommitLogError)

    public var description: String {
        switch self {
        case .topicNotFound(let topic): "no such topic: \(topic)"
        case .queueNotFound(let queue, let count):
            "no queue \(queue.queueID) in topic \(queue.topic): it has queues 0..<\(count)"
        case .noMessage(let offset): "no message starts at physical offset \(offset)"
        case .invalidMessageID(let id): "not a message id: \"\(id)\" (expected 32 hex digits)"
        case .invalidArgument(let detail): "invalid argument: \(detail)"
        case .unreadable(let error): "cannot read the message store: \(error)"
        }
    }
}
