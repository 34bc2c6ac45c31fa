import LedgerConfig
import Remoting

extension RemotingCommand {
    /// The request codes that need an admin account (RocketMQ's `Permission.ADMIN_CODE`):
    /// UPDATE_AND_CREATE_TOPIC, UPDATE_BROKER_CONFIG, DELETE_TOPIC_IN_BROKER,
    /// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, DELETE_SUBSCRIPTIONGROUP.
    static let adminCodes: Set<Int32> = [17, 25, 215, 200, 207]

    /// What this broker-port request needs of its account, as RocketMQ 4.x's
    /// `PlainAccessResource.parse` derives it: PUB on the topic for sends (a `%RETRY%G` topic
    /// is group `G`); SUB on the topic and on the group for pulls, offset queries and commits;
    /// SUB on the group for group membership requests (and on each subscribed topic for a
    /// heartbeat); admin for the admin codes; only a valid account for the rest. A request
    /// whose fields do not decode needs a valid account only: it is then refused as malformed.
    var accessNeed: AccessNeed {
        if Self.adminCodes.contains(code) { return .admin(requestCode.description) }
        var need = AccessNeed.account
        let fields = extFields
        func group(_ name: String) {
            if let group = fields[name], !group.isEmpty { need.need(.sub, on: .group(group)) }
        }
        func topic(_ name: String, _ permission: AclPermission) {
            if let topic = fields[name] { need.need(permission, on: .forTopic(topic)) }
        }
        switch requestCode {
        case .sendMessage, .sendBatchMessage:
            topic("topic", .pub)
        case .sendMessageV2:
            topic("b", .pub)
        case .consumerSendMessageBack:
            group("group")
        case .pullMessage, .queryConsumerOffset, .updateConsumerOffset:
            topic("topic", .sub)
            group("consumerGroup")
        case .queryMessage:
            topic("topic", .sub)
        case .unregisterClient, .getConsumerListByGroup:
            group("consumerGroup")
        case .heartBeat:
            do {
                let heartbeat = try Heartbeat(body: body)
                for name in heartbeat.consumerGroups where !name.isEmpty { need.need(.sub, on: .group(name)) }
                for name in heartbeat.subscribedTopics { need.need(.sub, on: .forTopic(name)) }
            } catch {
                // A body that does not decode is refused as malformed once the account checks.
                return need
            }
        default:
            break
        }
        return need
    }
}
