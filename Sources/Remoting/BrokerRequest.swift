import Bytes
import LedgerModel

/// A broker-port request (PROTOCOL.md, "Served codes") translated into the store's terms. The
/// front end hands each case to the node core as the matching request of our own protocol; it
/// decides nothing itself.
public enum BrokerRequest: Sendable, Hashable {
    /// SEND_MESSAGE (10) or SEND_MESSAGE_V2 (310), one message or a batch (`batch`/`m` = 1),
    /// and SEND_BATCH_MESSAGE (320).
    case send(SendRequest)
    /// PULL_MESSAGE (11); `waitMs` is the long-poll hold when the SUSPEND bit is set. `commit`
    /// is the offset commit piggy-backed on it (sysFlag COMMIT_OFFSET 0x1 with `commitOffset`
    /// 0 or more), recorded through the log like an UPDATE_CONSUMER_OFFSET.
    case pull(PullRequest, commit: OffsetCommit?)
    /// QUERY_CONSUMER_OFFSET (14).
    case queryConsumerOffset(group: String, queue: MessageQueue)
    /// UPDATE_CONSUMER_OFFSET (15).
    case updateConsumerOffset(OffsetCommit)
    /// GET_MAX_OFFSET (30).
    case maxOffset(MessageQueue)
    /// GET_MIN_OFFSET (31).
    case minOffset(MessageQueue)
    /// HEART_BEAT (34).
    case heartbeat(Heartbeat)
    /// UNREGISTER_CLIENT (35): the client leaves `consumerGroup` (every group when nil).
    case unregisterClient(clientID: String, consumerGroup: String?)
    /// GET_CONSUMER_LIST_BY_GROUP (38).
    case consumerList(group: String)
    /// SEARCH_OFFSET_BY_TIMESTAMP (29): the first offset stored at or after `timestamp`.
    case searchOffset(SearchOffsetRequest)
    /// VIEW_MESSAGE_BY_ID (33): the record at a commit-log offset (the client decodes it from
    /// the offset message id).
    case viewMessage(PhysicalOffset)
    /// QUERY_MESSAGE (12): a topic's messages carrying a key, stored within `storedWithin`.
    case queryMessage(KeyLookupRequest, storedWithin: ClosedRange<Int64>)
    /// GET_ALL_TOPIC_CONFIG (21): every topic with its queue counts.
    case allTopicConfig
    /// UPDATE_AND_CREATE_TOPIC (17): create the topic or grow its queues.
    case updateTopic(TopicUpdate)
    /// DELETE_TOPIC_IN_BROKER (215).
    case deleteTopic(TopicDeletion)
    /// GET_EARLIEST_MSG_STORETIME (32): the store time of the queue's first message.
    case earliestStoreTime(MessageQueue)
    /// LOCK_BATCH_MQ (41): an orderly consumer locks queues (``QueueLocks``).
    case lockQueues(LockBatchRequest)
    /// UNLOCK_BATCH_MQ (42).
    case unlockQueues(LockBatchRequest)
    /// CONSUMER_SEND_MSG_BACK (36): a consumer failed the message at a commit-log offset.
    case sendBack(SendBackRequest)
    /// END_TRANSACTION (37): a producer's decision on a half message, found by its commit-log
    /// offset (the 2.1.0 client sends an empty transaction id).
    case endTransaction(EndTransactionRequest)

    /// The codes this front end serves on the broker port.
    public static let servedCodes: [RequestCode] =
        [
            .sendMessage, .pullMessage, .queryConsumerOffset, .updateConsumerOffset, .getMaxOffset, .getMinOffset,
            .heartBeat, .unregisterClient, .getConsumerListByGroup, .sendMessageV2, .sendBatchMessage,
            .searchOffsetByTimestamp, .viewMessageByID, .queryMessage, .getAllTopicConfig, .lockBatchMQ,
            .unlockBatchMQ, .consumerSendMessageBack, .endTransaction,
        ] + adminCodes

    /// Pull sys flag bits (`PullSysFlag`).
    static let pullCommitOffsetFlag: Int32 = 0x1
    static let pullSuspendFlag: Int32 = 0x2

    /// Translates `command`; `bornHost` is the client's address (the born host of what it sends).
    /// Throws ``BrokerRequestError/unsupported(_:)`` for a code not in ``servedCodes``.
    public init(_ command: RemotingCommand, bornHost: HostAddress) throws(BrokerRequestError) {
        switch command.requestCode {
        case .sendMessage, .sendMessageV2, .sendBatchMessage:
            self = .send(try BrokerRequest.send(command, bornHost: bornHost))
        case let code where BrokerRequest.adminCodes.contains(code):
            self = try BrokerRequest.adminRequest(command)
        case let code where BrokerRequest.servedCodes.contains(code):
            do {
                self = try BrokerRequest.fields(of: command)
            } catch {
                throw .malformed(error)
            }
        default:
            throw .unsupported(command.requestCode)
        }
    }

    /// The requests other than sends, read from their header fields (and a heartbeat's body).
    private static func fields(of command: RemotingCommand) throws(RemotingError) -> BrokerRequest {
        let fields = command.extFields
        switch command.requestCode {
        case .pullMessage:
            let sysFlag = try fields.requiredInt32("sysFlag")
            let suspends = sysFlag & pullSuspendFlag != 0
            let wait = suspends ? try fields.int64("suspendTimeoutMillis") ?? 0 : 0
            let pulled = try queue(fields)
            var commit: OffsetCommit?
            if sysFlag & pullCommitOffsetFlag != 0, let offset = try fields.int64("commitOffset"), offset >= 0 {
                commit = OffsetCommit(
                    group: try fields.required("consumerGroup"), queue: pulled, offset: QueueOffset(offset))
            }
            return .pull(
                PullRequest(
                    queue: pulled, offset: QueueOffset(try fields.requiredInt64("queueOffset")),
                    maxCount: UInt32(clamping: max(1, try fields.requiredInt32("maxMsgNums"))),
                    tagExpression: fields["subscription"] ?? "*",
                    waitMs: UInt32(clamping: min(max(0, wait), Int64(PullRequest.maxWaitMs))),
                    absentTopicIsEmpty: true),
                commit: commit)
        case .queryConsumerOffset:
            return .queryConsumerOffset(group: try fields.required("consumerGroup"), queue: try queue(fields))
        case .updateConsumerOffset:
            return .updateConsumerOffset(
                OffsetCommit(
                    group: try fields.required("consumerGroup"), queue: try queue(fields),
                    offset: QueueOffset(try fields.requiredInt64("commitOffset"))))
        case .getMaxOffset:
            return .maxOffset(try queue(fields))
        case .getMinOffset:
            return .minOffset(try queue(fields))
        case .heartBeat:
            return .heartbeat(try Heartbeat(body: command.body))
        case .unregisterClient:
            let group = fields["consumerGroup"]
            return .unregisterClient(
                clientID: try fields.required("clientID"), consumerGroup: group?.isEmpty == false ? group : nil)
        case .getConsumerListByGroup:
            return .consumerList(group: try fields.required("consumerGroup"))
        case .searchOffsetByTimestamp:
            return .searchOffset(
                SearchOffsetRequest(queue: try queue(fields), timestamp: try fields.requiredInt64("timestamp")))
        case .viewMessageByID:
            return .viewMessage(PhysicalOffset(try fields.requiredInt64("offset")))
        case .queryMessage:
            let begin = try fields.int64("beginTimestamp") ?? 0
            let end = try fields.int64("endTimestamp") ?? Int64.max
            let maxNum = try fields.requiredInt32("maxNum")
            return .queryMessage(
                KeyLookupRequest(
                    topic: try fields.required("topic"), key: try fields.required("key"),
                    maxCount: UInt32(clamping: max(1, maxNum))),
                storedWithin: begin...max(begin, end))
        case .getAllTopicConfig:
            return .allTopicConfig
        case .lockBatchMQ:
            return .lockQueues(try LockBatchRequest(body: command.body))
        case .unlockBatchMQ:
            return .unlockQueues(try LockBatchRequest(body: command.body))
        case .consumerSendMessageBack:
            let offset = try fields.requiredInt64("offset")
            guard offset >= 0 else {
                throw .malformed(
                    .invalidValue(field: "offset", offset: fields.offset(of: "offset"), reason: "\(offset) is negative")
                )
            }
            return .sendBack(
                SendBackRequest(
                    group: try fields.required("group"), offset: PhysicalOffset(offset),
                    delayLevel: try fields.int32("delayLevel") ?? 0,
                    maxReconsumeTimes: try fields.int32("maxReconsumeTimes")))
        case .endTransaction:
            let offset = try fields.requiredInt64("commitLogOffset")
            guard offset >= 0 else {
                throw .malformed(
                    .invalidValue(
                        field: "commitLogOffset", offset: fields.offset(of: "commitLogOffset"),
                        reason: "\(offset) is negative"))
            }
            let code = try fields.requiredInt32("commitOrRollback")
            let outcome: TransactionOutcome
            switch code {
            case 0: outcome = .unknown
            case MessageSysFlag.transactionCommit: outcome = .commit
            case MessageSysFlag.transactionMask: outcome = .rollback
            default:
                throw .malformed(
                    .invalidValue(
                        field: "commitOrRollback", offset: fields.offset(of: "commitOrRollback"),
                        reason: "\(code) is not 0 (unknown), 8 (commit) or 12 (rollback)"))
            }
            return .endTransaction(
                EndTransactionRequest(
                    half: PhysicalOffset(offset), outcome: outcome,
                    producerGroup: try fields.required("producerGroup")))
        default:
            preconditionFailure("\(command.requestCode) is served but has no translation")
        }
    }

    /// `topic` and `queueId`.
    private static func queue(_ fields: ExtFields) throws(RemotingError) -> MessageQueue {
        MessageQueue(topic: try fields.required("topic"), queueID: try fields.requiredInt32("queueId"))
    }

    /// The messages of a send, each with its tags, keys and user properties split out of the
    /// RocketMQ properties; the client's queue choice is kept, and a compressed body (sysFlag
    /// 0x1) is stored as sent, flagged, for the consumer to inflate.
    private static func send(_ command: RemotingCommand, bornHost: HostAddress) throws(BrokerRequestError)
        -> SendRequest
    {
        let header: SendMessageRequestHeader
        do { header = try SendMessageRequestHeader(command) } catch { throw .malformed(error) }
        let compressed = header.sysFlag & MessageSysFlag.compressed != 0
        if compressed && header.batch {
            throw .refused(.messageIllegal, "a batch cannot be compressed (sysFlag 0x1): compress its messages' bodies")
        }
        let half = header.sysFlag & MessageSysFlag.transactionMask == MessageSysFlag.transactionPrepared
        if header.sysFlag & MessageSysFlag.transactionMask != 0 && !half {
            throw .refused(
                .messageIllegal, "a send cannot commit or roll back (sysFlag 0x8): END_TRANSACTION (37) decides")
        }
        if half && header.batch { throw .refused(.messageIllegal, "a batch cannot be a transaction's half message") }
        func message(body: [UInt8], flag: Int32, properties: [MessagePropertyPair]) -> ProducerMessage {
            var message = ProducerMessage(
                topic: header.topic, target: .queue(header.queueID), body: body, flag: flag,
                bornTimestamp: header.bornTimestamp, bornHost: bornHost, bodyCompressed: compressed)
            for pair in properties {
                switch pair.name {
                case MessageProperty.tags: message.tags = pair.value.isEmpty ? nil : pair.value
                case MessageProperty.keys: message.keys = pair.value.split(separator: " ").map(String.init)
                // The client's unique key is the message's id for its application and consumers.
                case MessageProperty.uniqueKey: message.uniqueKey = pair.value.isEmpty ? nil : pair.value
                // The client already picked the queue a sharding key would choose.
                case MessageProperty.shardingKey: break
                default: message.properties[pair.name] = pair.value
                }
            }
            if half {
                // The store holds it back by these (the clients send them too).
                message.properties[MessageProperty.transactionPrepared] = "true"
                if message.properties[MessageProperty.producerGroup, default: ""].isEmpty {
                    message.properties[MessageProperty.producerGroup] = header.producerGroup
                }
            }
            return message
        }
        guard header.batch else {
            return SendRequest(
                messages: [message(body: Array(command.body), flag: header.flag, properties: header.properties)])
        }
        let batch: [BatchMessage]
        do {
            batch = try BatchMessage.decode(command.body, bodyOffset: command.body.startIndex)
        } catch {
            throw .malformed(error)
        }
        guard !batch.isEmpty else { throw .refused(.messageIllegal, "the batch holds no message") }
        return SendRequest(
            messages: batch.map { message(body: Array($0.body), flag: $0.flag, properties: $0.properties) })
    }
}

/// Why a request on the broker port is not translated.
public enum BrokerRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a code this front end serves: answer REQUEST_CODE_NOT_SUPPORTED.
    case unsupported(RequestCode)
    /// A field or body that does not decode: answer SYSTEM_ERROR naming it.
    case malformed(RemotingError)
    /// Well formed but not storable here: answer `code` with the reason.
    case refused(ResponseCode, String)

    public var description: String {
        switch self {
        case .unsupported(let code): "\(code) is not served"
        case .malformed(let error): error.description
        case .refused(let code, let reason): "\(code): \(reason)"
        }
    }

    /// The answer to `request`.
    public func response(to request: RemotingCommand) -> RemotingCommand {
        switch self {
        case .unsupported: .requestCodeNotSupported(request)
        case .malformed(let error): .response(to: request, code: .systemError, remark: error.description)
        case .refused(let code, let reason): .response(to: request, code: code, remark: reason)
        }
    }
}
