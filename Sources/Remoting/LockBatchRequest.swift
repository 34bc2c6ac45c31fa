import Bytes
import LedgerModel

/// The body of LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) (`LockBatchRequestBody`,
/// `UnlockBatchRequestBody`): a client of a consumer group asking for (or giving up) the
/// queues it consumes in order.
///
///     {"clientId":"127.0.0.1@4242#DEFAULT","consumerGroup":"G","mqSet":[{"brokerName":"ledger",
///      "queueId":0,"topic":"T"}]}
public struct LockBatchRequest: Sendable, Hashable {
    /// One message queue as the client names it (`MessageQueue`: broker, topic, queue id).
    public struct Queue: Sendable, Hashable {
        public var brokerName: String
        public var topic: String
        public var queueID: Int32

        public init(brokerName: String, topic: String, queueID: Int32) {
            self.brokerName = brokerName
            self.topic = topic
            self.queueID = queueID
        }
    }

    public var clientID: String
    public var consumerGroup: String
    /// In the order sent.
    public var queues: [Queue]

    public init(clientID: String, consumerGroup: String, queues: [Queue]) {
        self.clientID = clientID
        self.consumerGroup = consumerGroup
        self.queues = queues
    }

    /// Decodes the JSON body; `queueId` may be a number or a string.
    public init(body: ArraySlice<UInt8>) throws(RemotingError) {
        let value: JSONValue
        do { value = try JSONParser().parse(body, baseOffset: 0) } catch { throw .json(error) }
        func string(_ object: JSONValue, _ name: String) throws(RemotingError) -> String {
            guard case .string(let text)? = object[member: name]?.kind, !text.isEmpty else {
                throw .malformed(.invalidValue(field: name, offset: object.offset, reason: "missing or not a string"))
            }
            return text
        }
        let clientID = try string(value, "clientId")
        let group = try string(value, "consumerGroup")
        guard let set = value[member: "mqSet"], case .array(let elements) = set.kind else {
            throw .malformed(.invalidValue(field: "mqSet", offset: value.offset, reason: "missing or not an array"))
        }
        var queues: [Queue] = []
        for element in elements {
            let id: Int32?
            switch element[member: "queueId"]?.kind {
            case .number(let text)?, .string(let text)?: id = Int32(text)
            default: id = nil
            }
            guard let id, id >= 0 else {
                throw .malformed(
                    .invalidValue(field: "queueId", offset: element.offset, reason: "missing or not a queue id"))
            }
            queues.append(
                Queue(
                    brokerName: try string(element, "brokerName"), topic: try string(element, "topic"), queueID: id))
        }
        self.init(clientID: clientID, consumerGroup: group, queues: queues)
    }

    /// LOCK_BATCH_MQ's answer body: `{"lockOKMQSet":[{"brokerName","queueId","topic"}]}`.
    public static func lockedBody(_ queues: [Queue]) -> [UInt8] {
        var writer = JSONWriter(capacity: 32 + queues.count * 64)
        writer.beginObject()
        writer.key("lockOKMQSet")
        writer.beginArray()
        for queue in queues {
            writer.beginObject()
            writer.member("brokerName", queue.brokerName)
            writer.member("queueId", Int(queue.queueID))
            writer.member("topic", queue.topic)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}

extension LockBatchRequest {
    /// The request in the store's terms (the route names one broker: the group).
    public var queueLockRequest: QueueLockRequest {
        QueueLockRequest(
            clientID: clientID, group: consumerGroup,
            queues: queues.map { MessageQueue(topic: $0.topic, queueID: $0.queueID) })
    }
}
