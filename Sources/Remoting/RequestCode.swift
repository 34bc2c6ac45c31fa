/// A request's `code` (`RequestCode.java`). Any value may arrive; the named ones are those this
/// server answers or sends (see PROTOCOL.md). Others are answered with
/// ``ResponseCode/requestCodeNotSupported``.
public struct RequestCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let sendMessage = RequestCode(rawValue: 10)
    public static let pullMessage = RequestCode(rawValue: 11)
    public static let queryMessage = RequestCode(rawValue: 12)
    public static let queryConsumerOffset = RequestCode(rawValue: 14)
    public static let updateConsumerOffset = RequestCode(rawValue: 15)
    public static let updateAndCreateTopic = RequestCode(rawValue: 17)
    public static let getAllTopicConfig = RequestCode(rawValue: 21)
    public static let searchOffsetByTimestamp = RequestCode(rawValue: 29)
    public static let getMaxOffset = RequestCode(rawValue: 30)
    public static let getMinOffset = RequestCode(rawValue: 31)
    public static let getEarliestMessageStoreTime = RequestCode(rawValue: 32)
    public static let viewMessageByID = RequestCode(rawValue: 33)
    public static let heartBeat = RequestCode(rawValue: 34)
    public static let unregisterClient = RequestCode(rawValue: 35)
    public static let consumerSendMessageBack = RequestCode(rawValue: 36)
    public static let endTransaction = RequestCode(rawValue: 37)
    public static let getConsumerListByGroup = RequestCode(rawValue: 38)
    /// Server to client: ask a producer for a half message's fate. Answered by a new 37, not a response.
    public static let checkTransactionState = RequestCode(rawValue: 39)
    /// Server to client: a consumer group's membership changed.
    public static let notifyConsumerIDsChanged = RequestCode(rawValue: 40)
    public static let lockBatchMQ = RequestCode(rawValue: 41)
    public static let unlockBatchMQ = RequestCode(rawValue: 42)
    public static let registerBroker = RequestCode(rawValue: 103)
    public static let getRouteInfoByTopic = RequestCode(rawValue: 105)
    public static let getBrokerClusterInfo = RequestCode(rawValue: 106)
    public static let deleteTopicInBroker = RequestCode(rawValue: 215)
    public static let sendMessageV2 = RequestCode(rawValue: 310)
    public static let sendBatchMessage = RequestCode(rawValue: 320)
    public static let litePullMessage = RequestCode(rawValue: 361)

    /// Every named code with its Java name, in code order.
    public static let named: [(code: RequestCode, name: String)] = [
        (.sendMessage, "SEND_MESSAGE"), (.pullMessage, "PULL_MESSAGE"), (.queryMessage, "QUERY_MESSAGE"),
        (.queryConsumerOffset, "QUERY_CONSUMER_OFFSET"), (.updateConsumerOffset, "UPDATE_CONSUMER_OFFSET"),
        (.updateAndCreateTopic, "UPDATE_AND_CREATE_TOPIC"), (.getAllTopicConfig, "GET_ALL_TOPIC_CONFIG"),
        (.searchOffsetByTimestamp, "SEARCH_OFFSET_BY_TIMESTAMP"), (.getMaxOffset, "GET_MAX_OFFSET"),
        (.getMinOffset, "GET_MIN_OFFSET"), (.getEarliestMessageStoreTime, "GET_EARLIEST_MSG_STORETIME"),
        (.viewMessageByID, "VIEW_MESSAGE_BY_ID"), (.heartBeat, "HEART_BEAT"), (.unregisterClient, "UNREGISTER_CLIENT"),
        (.consumerSendMessageBack, "CONSUMER_SEND_MSG_BACK"), (.endTransaction, "END_TRANSACTION"),
        (.getConsumerListByGroup, "GET_CONSUMER_LIST_BY_GROUP"), (.checkTransactionState, "CHECK_TRANSACTION_STATE"),
        (.notifyConsumerIDsChanged, "NOTIFY_CONSUMER_IDS_CHANGED"), (.lockBatchMQ, "LOCK_BATCH_MQ"),
        (.unlockBatchMQ, "UNLOCK_BATCH_MQ"), (.registerBroker, "REGISTER_BROKER"),
        (.getRouteInfoByTopic, "GET_ROUTEINFO_BY_TOPIC"), (.getBrokerClusterInfo, "GET_BROKER_CLUSTER_INFO"),
        (.deleteTopicInBroker, "DELETE_TOPIC_IN_BROKER"), (.sendMessageV2, "SEND_MESSAGE_V2"),
        (.sendBatchMessage, "SEND_BATCH_MESSAGE"), (.litePullMessage, "LITE_PULL_MESSAGE"),
    ]

    /// The Java name, or nil for a code this module does not name.
    public var name: String? { RequestCode.named.first { $0.code == self }?.name }

    public var description: String { name.map { "\($0) (\(rawValue))" } ?? "request code \(rawValue)" }
}
