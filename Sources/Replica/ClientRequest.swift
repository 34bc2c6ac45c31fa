import CommitLog
import LedgerModel
import Raft

/// A client's request, decoded by a front end (our own protocol today; RocketMQ remoting
/// later). The replica answers every request that expects an answer exactly once, with a
/// ``ClientReply`` naming the same client and request id.
public enum ClientRequest: Sendable {
    /// The node's Raft and state-machine position (answered at once, from this node alone).
    case status
    /// A raw entry, answered with its index once committed and applied.
    case append(ClientAppendRequest)
    /// A committed entry of this node's log (not linearizable: this node's commit index).
    case get(GetRequest)
    case transferLeader(TransferLeaderRequest)
    /// One message or a batch, stamped and proposed by the leader; the front end has already
    /// set each message's born host. A one-way send is never answered.
    case send(SendRequest, oneWay: Bool)
    case commitOffset(CommitOffsetRequest)
    /// Create a topic or grow its queues, through the log.
    case updateTopic(TopicUpdate)
    /// Delete a topic, through the log.
    case deleteTopic(TopicDeletion)
    /// A consumer's send-back of a message it failed (CONSUMER_SEND_MSG_BACK).
    case sendBack(SendBackRequest)
    /// A producer's decision on a half message (END_TRANSACTION); one-way as its clients send it.
    case endTransaction(EndTransactionRequest, oneWay: Bool)
    /// An orderly consumer locks queues (LOCK_BATCH_MQ, `lockQueues`): answered at once by the
    /// leader from its lock table (``QueueLocks``), which is not replicated.
    case lockQueues(QueueLockRequest)
    /// It releases them (UNLOCK_BATCH_MQ, `unlockQueues`).
    case unlockQueues(QueueLockRequest)
    /// A linearizable read of the state machine (ReadIndex).
    case read(ReadQuery)

    /// What the request is, for error answers.
    public var kind: RequestKind {
        switch self {
        case .status: .status
        case .append: .append
        case .get: .get
        case .transferLeader: .transferLeader
        case .send: .send
        case .commitOffset: .commitOffset
        case .updateTopic: .updateTopic
        case .deleteTopic: .deleteTopic
        case .sendBack: .sendBack
        case .endTransaction: .endTransaction
        case .lockQueues: .lockQueues
        case .unlockQueues: .unlockQueues
        case .read(let query): query.kind
        }
    }
}

/// A read-only question about the message store, answered once a quorum confirmed this node's
/// leadership and the state machine applied the confirmed index.
public enum ReadQuery: Sendable {
    case pull(PullRequest)
    case queueOffsets(MessageQueue)
    case searchOffset(SearchOffsetRequest)
    case messagesByKey(KeyLookupRequest)
    case viewMessage(ViewMessageRequest)
    case topics
    case consumerOffsets(ConsumerOffsetsRequest)
    case describeTopic(TopicDescriptionRequest)

    public var kind: RequestKind {
        switch self {
        case .pull: .pull
        case .queueOffsets: .queueOffsets
        case .searchOffset: .searchOffset
        case .messagesByKey: .messagesByKey
        case .viewMessage: .viewMessage
        case .topics: .topics
        case .consumerOffsets: .consumerOffsets
        case .describeTopic: .describeTopic
        }
    }
}

/// The kinds of request, one per operation a front end maps to its own codes.
public enum RequestKind: Sendable, Hashable {
    case status, append, get, transferLeader, send, commitOffset
    case pull, queueOffsets, searchOffset, messagesByKey, viewMessage, topics, consumerOffsets
    case updateTopic, deleteTopic, describeTopic, sendBack, endTransaction, lockQueues, unlockQueues
}
