import LedgerModel

/// The broker port's topic administration (PROTOCOL.md, "Served codes"): UPDATE_AND_CREATE_TOPIC
/// (17), DELETE_TOPIC_IN_BROKER (215) and GET_EARLIEST_MSG_STORETIME (32).
extension BrokerRequest {
    /// The codes ``adminRequest(_:)`` translates.
    static let adminCodes: [RequestCode] = [.updateAndCreateTopic, .deleteTopicInBroker, .getEarliestMessageStoreTime]

    /// An admin request, read from its header fields. A topic here has one queue count, so an
    /// UPDATE_AND_CREATE_TOPIC whose `readQueueNums` and `writeQueueNums` differ is refused.
    static func adminRequest(_ command: RemotingCommand) throws(BrokerRequestError) -> BrokerRequest {
        let fields = command.extFields
        switch command.requestCode {
        case .updateAndCreateTopic:
            let (topic, writeQueues, readQueues): (String, Int32, Int32?)
            do {
                (topic, writeQueues, readQueues) = (
                    try fields.required("topic"), try fields.requiredInt32("writeQueueNums"),
                    try fields.int32("readQueueNums")
                )
            } catch {
                throw .malformed(error)
            }
            if let readQueues, readQueues != writeQueues {
                throw .refused(
                    .systemError,
                    "readQueueNums \(readQueues) and writeQueueNums \(writeQueues) differ: a topic here has one queue "
                        + "count for both")
            }
            return .updateTopic(TopicUpdate(topic: topic, queueCount: writeQueues, mode: .createOrAlter))
        case .deleteTopicInBroker:
            do {
                return .deleteTopic(TopicDeletion(topic: try fields.required("topic")))
            } catch {
                throw .malformed(error)
            }
        case .getEarliestMessageStoreTime:
            do {
                return .earliestStoreTime(
                    MessageQueue(topic: try fields.required("topic"), queueID: try fields.requiredInt32("queueId")))
            } catch {
                throw .malformed(error)
            }
        default:
            preconditionFailure("\(command.requestCode) is not an admin request")
        }
    }
}
