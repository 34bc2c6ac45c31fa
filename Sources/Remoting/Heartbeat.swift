import Bytes

/// A HEART_BEAT (34) body, the part this broker keeps: the client's id and the consumer groups
/// it belongs to (`HeartbeatData`: `clientID`, `consumerDataSet[].groupName`). Producer groups
/// and subscriptions are not needed: a pull carries its own subscription.
public struct Heartbeat: Sendable, Hashable {
    public var clientID: String
    /// The consumer groups, in the order sent.
    public var consumerGroups: [String]

    public init(clientID: String, consumerGroups: [String]) {
        self.clientID = clientID
        self.consumerGroups = consumerGroups
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
            }
        }
        self.init(clientID: clientID, consumerGroups: groups)
    }
}
