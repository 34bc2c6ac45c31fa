/// What `/api/message` looks up: the messages of a topic with a key, or one message by its
/// offset message id.
public enum MessageLookup: Sendable, Hashable {
    case key(topic: String, key: String)
    case messageID(String)

    /// The lookup of `/api/message?key=K&topic=T` or `/api/message?msgId=ID`. Throws naming the
    /// parameter that is unknown, empty, missing (`topic` with `key`) or conflicting (`msgId`
    /// with `key` or `topic`).
    public init(_ parameters: QueryParameters) throws(APIError) {
        try parameters.expectOnly(["key", "topic", "msgId"])
        for (name, value) in parameters.pairs where value.isEmpty {
            throw .badParameter(name: name, "must not be empty")
        }
        if let id = parameters["msgId"] {
            if parameters["key"] != nil { throw .badParameter(name: "key", "give either msgId or key and topic") }
            if parameters["topic"] != nil { throw .badParameter(name: "topic", "give either msgId or key and topic") }
            self = .messageID(id)
            return
        }
        guard let key = parameters["key"] else {
            throw .badParameter(
                name: parameters["topic"] == nil ? "msgId" : "key", "give either msgId or key and topic")
        }
        guard let topic = parameters["topic"] else { throw .badParameter(name: "topic", "is required with key") }
        self = .key(topic: topic, key: key)
    }
}
