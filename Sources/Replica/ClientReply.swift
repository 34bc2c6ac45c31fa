import CommitLog
import LedgerModel
import Raft

/// The answer to one ``ClientRequest``.
public enum ClientReply: Sendable {
    case status(StatusResponse)
    /// The raw entry committed and applied at this index.
    case appended(ClientAppendResponse)
    case entry(GetResponse)
    /// The leader started handing over (the client waits for the new leader itself).
    case transferStarted
    case sent(SendResponse)
    /// Where a sent-back message went.
    case sentBack(SendResponse)
    case offsetCommitted
    /// A producer's transaction outcome was recorded (or, for unknown, noted).
    case transactionEnded
    /// The queues the client now holds locked, in request order.
    case queuesLocked([MessageQueue])
    case queuesUnlocked
    case pulled(PullResponse)
    case queueOffsets(QueueOffsetsResponse)
    case searchedOffset(OffsetResponse)
    case messagesByKey(MessagesResponse)
    case viewedMessage(MessagesResponse)
    case topics(TopicsResponse)
    case consumerOffsets(ConsumerOffsetsResponse)
    /// The topic's queues after it was created or grew.
    case topicUpdated(TopicInfo)
    case topicDeleted
    case topicDescription(TopicDescription)
    /// The request failed; `answering` is its kind.
    case error(ErrorResponse, answering: RequestKind)
}
