import Bytes

/// A HEART_BEAT (34) body, the part this broker keeps: the client's id, the consumer groups it
/// belongs to (`HeartbeatData`: `clientID`, `consumerDataSet[].groupName`) and what they
/// subscribe to (`subscriptionDataSet[].topic`, which the ACL checks, and `subString`, which the
/// admin API shows), and its producer groups (`producerDataSet[].groupName`: a half message's
/// check back goes to a live producer of its group). A pull carries its own subscription
/// expression.
public struct Heartbeat: Sendable, Hashable {
    /// One subscription of one consumer group: a topic and its expression (`subString`: `*`,
    /// `tagA || tagB`, or an SQL92 filter), as sent.
    public struct Subscription: Sendable, Hashable {
        public var group: String
        public var topic: String
        public var expression: String

        public init(group: String, topic: String, expression: String) {
            self.group = group
            self.topic = topic
            self.expression = expression
        }
    }

    public var clientID: String
    /// The consumer groups, in the order sent.
    public var consumerGroups: [String]
    /// Every topic some consumer group subscribes to, in the order sent, each once.
    public var subscribedTopics: [String]
    /// Every subscription of every consumer group, in the order sent.
    public var subscriptions: [Subscription]
    /// The producer groups, in the order sent.
    public var producerGroups: [String]

    public init(
        clientID: String, consumerGroups: [String], subscribedTopics: [String] = [], subscriptions: [Subscription] = [],
        producerGroups: [String] = []
    ) {
        self.clientID = clientID
        self.producerGroups = producerGroups
        self.consumerGroups = consumerGroups
        self.subscribedTopics = subscribedTopics
        self.subscriptions = subscriptions
    }

    /// Decodes the JSON body (the C++ clients send standard JSON with enums as integers).
    public init(body: ArraySlice<UInt8>) throws(RemotingError) {
        let value: JSONValue
        do { value = try JSONParser().parse(body, baseOffset: 0) } catch { throw .json(error) }
        guard case .string(let clientID)? = value[member: "clientID"]?.kind else {
            throw .malformed(
                .invalidValue(field: "clientID", offset: value.offset, reason: "the heartbeat names no client id"))
        }
        var groups: [String] = []
        var topics: [String] = []
        var subscribed: [Subscription] = []
        if let set = value[member: "consumerDataSet"] {
            guard case .array(let consumers) = set.kind else {
                throw .malformed(.invalidValue(field: "consumerDataSet", offset: set.offset, reason: "not an array"))
            }
            for consumer in consumers {
                guard case .string(let group)? = consumer[member: "groupName"]?.kind else {
                    throw .malformed(
                        .invalidValue(field: "groupName", offset: consumer.offset, reason: "a consumer without a group")
                    )
                }
                groups.append(group)
                guard let subscriptions = consumer[member: "subscriptionDataSet"] else { continue }
                guard case .array(let items) = subscriptions.kind else {
                    throw .malformed(
                        .invalidValue(
                            field: "subscriptionDataSet", offset: subscriptions.offset, reason: "not an array"))
                }
                for item in items {
                    guard case .string(let topic)? = item[member: "topic"]?.kind else {
                        throw .malformed(
                            .invalidValue(field: "topic", offset: item.offset, reason: "a subscription without a topic")
                        )
                    }
                    if !topics.contains(topic) { topics.append(topic) }
                    // Java clients always send `subString`; "*" (every message) when one does not.
                    var expression = "*"
                    if let given = item[member: "subString"] {
                        guard case .string(let text) = given.kind else {
                            throw .malformed(
                                .invalidValue(field: "subString", offset: given.offset, reason: "not a string"))
                        }
                        expression = text
                    }
                    subscribed.append(Subscription(group: group, topic: topic, expression: expression))
                }
            }
        }
        var producers: [String] = []
        if let set = value[member: "producerDataSet"] {
            guard case .array(let items) = set.kind else {
                throw .malformed(.invalidValue(field: "producerDataSet", offset: set.offset, reason: "not an array"))
            }
            for item in items {
                guard case .string(let group)? = item[member: "groupName"]?.kind else {
                    throw .malformed(
                        .invalidValue(field: "groupName", offset: item.offset, reason: "a producer without a group"))
                }
                producers.append(group)
            }
        }
        self.init(
            clientID: clientID, consumerGroups: groups, subscribedTopics: topics, subscriptions: subscribed,
            producerGroups: producers)
    }
}
