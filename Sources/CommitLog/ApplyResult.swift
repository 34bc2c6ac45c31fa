import Bytes
import LedgerModel
import Raft

/// Why a command changed nothing. Rejections are deterministic (every replica rejects the same
/// command the same way) and are part of the state digest.
public enum CommandRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry's bytes are not a command.
    case malformed(DecodeError)
    /// The topic name breaks RocketMQ's rule.
    case invalidTopic(String, reason: String)
    /// A queue id outside `0..<queueCount` of the topic.
    case queueOutOfRange(MessageQueue, queueCount: Int32)
    /// A body larger than `maxMessageSize`.
    case bodyTooLarge(topic: String, bytes: Int, limit: Int)
    /// The whole record would not fit one commit-log file.
    case recordTooLarge(topic: String, bytes: Int, fileSize: Int)
    /// A bad tag, key, sharding key or property (`field` says which).
    case invalidField(topic: String, field: String, reason: String)
    /// A batch with no messages.
    case emptyBatch
    /// Message `index` of a batch was refused, so none of the batch was stored.
    indirect case batchMessageRejected(index: Int, CommandRejection)
    /// A message inside a batch carries its own producer stamp (only the batch may).
    case stampInsideBatch(index: Int)
    /// A sequence older than the producer's last applied one; its result is no longer known.
    case staleSequence(ProducerStamp, lastApplied: UInt64)
    /// A consumer group name that is empty or longer than 255 bytes.
    case invalidGroup(String)
    /// An offset commit for a topic that does not exist.
    case topicNotFound(String)
    /// An offset commit outside `0...maxOffset` of the queue.
    case offsetOutOfRange(MessageQueue, offset: QueueOffset, maxOffset: QueueOffset)
    /// A record not where its leader placed it: the queue moved on or the entry landed elsewhere
    /// in the log (the leader's view of its own uncommitted tail went stale). Nothing is stored;
    /// a retry is placed afresh.
    case misplaced(
        MessageQueue, physicalOffset: PhysicalOffset, queueOffset: QueueOffset, expectedPhysicalOffset: PhysicalOffset,
        expectedQueueOffset: QueueOffset)
    /// A send proposed as a command; sends reach the log as records (``RecordsEntry``).
    case sendNotAsRecords
    /// A topic created or altered with a queue count outside `1...1024`.
    case invalidQueueCount(topic: String, Int32)
    /// A topic created that exists already.
    case topicExists(String, queueCount: Int32)
    /// A topic altered to fewer queues than it has.
    case queuesCannotShrink(topic: String, from: Int32, to: Int32)
    /// A move of held messages that is not the next one (delivered, stored or decided already,
    /// or out of turn) or would deliver early: nothing is stored.
    case staleMove(RecordsOrigin, reason: String)
    /// No half message waits at this offset (committed, rolled back, discarded, or never one).
    case transactionNotPending(PhysicalOffset)
    /// A check back decided on a count that changed since (another leader's check came first).
    case staleCheck(PhysicalOffset, checks: Int32, expected: Int32)

    /// Whether the send was refused only for where its leader placed it (a retry is placed afresh).
    public var isMisplacement: Bool {
        switch self {
        case .misplaced: true
        case .batchMessageRejected(_, let reason): reason.isMisplacement
        default: false
        }
    }

    public var description: String {
        switch self {
        case .malformed(let error): "malformed command: \(error)"
        case .invalidTopic(let topic, let reason): "invalid topic \"\(topic)\": \(reason)"
        case .queueOutOfRange(let queue, let count):
            "queue \(queue.queueID) out of range for topic \(queue.topic), which has \(count) queues"
        case .bodyTooLarge(let topic, let bytes, let limit):
            "message body of \(bytes) bytes for topic \(topic) exceeds maxMessageSize \(limit)"
        case .recordTooLarge(let topic, let bytes, let fileSize):
            "record of \(bytes) bytes for topic \(topic) does not fit a log data file of \(fileSize) bytes"
        case .invalidField(let topic, let field, let reason):
            "invalid \(field) of a message for topic \(topic): \(reason)"
        case .emptyBatch: "empty batch"
        case .batchMessageRejected(let index, let reason): "batch rejected, message \(index): \(reason)"
        case .stampInsideBatch(let index): "message \(index) of a batch has its own producer stamp; only the batch may"
        case .staleSequence(let stamp, let last):
            "\(stamp) is older than its last applied sequence \(last); the original result is no longer kept"
        case .invalidGroup(let group): "invalid consumer group \"\(group)\": 1 to 255 bytes"
        case .topicNotFound(let topic): "no such topic: \(topic)"
        case .offsetOutOfRange(let queue, let offset, let max):
            "offset \(offset) out of range for \(queue): valid 0...\(max)"
        case .misplaced(let queue, let physical, let offset, let expectedPhysical, let expectedOffset):
            "record for \(queue) placed at physical offset \(physical), queue offset \(offset) but it lies at "
                + "\(expectedPhysical) and the queue's next offset is \(expectedOffset); nothing stored, retry"
        case .sendNotAsRecords: "a send must reach the log as records, not as a command"
        case .invalidQueueCount(let topic, let count):
            "invalid queue count \(count) for topic \(topic): 1 to \(TopicUpdate.maxQueues)"
        case .topicExists(let topic, let count): "topic \(topic) already exists, with \(count) queues"
        case .queuesCannotShrink(let topic, let from, let to):
            "topic \(topic) has \(from) queues and cannot shrink to \(to): queues can only grow"
        case .staleMove(let origin, let reason): "\(origin) is not the next move: \(reason); nothing stored"
        case .transactionNotPending(let half):
            "no half message waits at commit-log offset \(half) (committed, rolled back or discarded already)"
        case .staleCheck(let half, let checks, let expected):
            "the half message at \(half) was checked \(checks) times, not \(expected): another check came first"
        }
    }
}

/// The outcome of one command of a committed entry, returned by
/// ``CommitLogStateMachine/apply(entry:bodyPosition:)`` in order.
public enum ApplyResult: Hashable, Sendable {
    /// A message was stored.
    case stored(SendResult)
    /// An idempotent retry: the message was stored earlier; this is the original result.
    case duplicate(SendResult)
    /// A consumer offset was recorded.
    case offsetCommitted(OffsetCommit)
    /// A topic was created or grew; its queues now.
    case topicUpdated(TopicInfo)
    /// A topic was deleted.
    case topicDeleted(TopicDeletion)
    /// A half message was rolled back (``TransactionOutcome/rollback``) and dropped.
    case transactionEnded(PhysicalOffset, TransactionOutcome)
    /// A half message's check back was counted: the leader asks a producer of its group now.
    case transactionChecked(PendingTransaction)
    /// A half message was dropped after its last check back.
    case transactionDiscarded(PendingTransaction)
    /// The command was refused and changed nothing.
    case rejected(CommandRejection)

    /// Whether the command was refused.
    public var isRejection: Bool {
        if case .rejected = self { return true }
        return false
    }

    /// The send result of a stored or duplicate message.
    public var sendResult: SendResult? {
        switch self {
        case .stored(let result), .duplicate(let result): result
        case .offsetCommitted, .topicUpdated, .topicDeleted, .rejected, .transactionEnded, .transactionChecked,
            .transactionDiscarded:
            nil
        }
    }
}
