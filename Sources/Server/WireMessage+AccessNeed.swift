import LedgerConfig
import LedgerModel
import Wire

extension WireMessage {
    /// What this client request of our own protocol needs of its account (the remoting port's
    /// rules, `RemotingCommand.accessNeed`, for the same operations): PUB on each topic sent to;
    /// SUB on the topic read (pull, offsets, key lookups) and on the group for offset commits
    /// and queries, and on the topic described; admin for leadership transfer, topic creation,
    /// change and deletion, the raw log (`append`, `get`, which no topic bounds) and fault
    /// injection; SUB on the group for consumer-group membership, locks and one group's report
    /// (and on each topic subscribed or locked); a valid account for topic lists, every group's
    /// report and message lookups by id.
    /// Nil for what the ACL leaves open: `status` (who leads, the NameServer's role) and peer
    /// traffic, which the cluster secret guards.
    var accessNeed: AccessNeed? {
        var need = AccessNeed.account
        switch self {
        case .statusRequest, .raft, .handshakeRequest, .peerProof, .snapshotChunk:
            return nil
        case .transferLeaderRequest:
            return .admin("transferLeader")
        case .appendRequest:
            return .admin("append (the raw log)")
        case .getRequest:
            return .admin("get (the raw log)")
        case .faultInjectionRequest:
            return .admin("faultInjection")
        case .updateTopicRequest:
            return .admin("updateTopic")
        case .deleteTopicRequest:
            return .admin("deleteTopic")
        case .describeTopicRequest(let request):
            need.need(.sub, on: .forTopic(request.topic))
        case .sendRequest(let request), .sendOneWay(let request):
            for message in request.messages { need.need(.pub, on: .forTopic(message.topic)) }
        case .pullRequest(let request):
            need.need(.sub, on: .forTopic(request.queue.topic))
        case .queueOffsetsRequest(let request):
            need.need(.sub, on: .forTopic(request.queue.topic))
        case .searchOffsetRequest(let request):
            need.need(.sub, on: .forTopic(request.queue.topic))
        case .messagesByKeyRequest(let request):
            need.need(.sub, on: .forTopic(request.topic))
        case .commitOffsetRequest(let request):
            need.need(.sub, on: .forTopic(request.commit.queue.topic))
            need.need(.sub, on: .group(request.commit.group))
        case .consumerOffsetsRequest(let request):
            if let topic = request.topic { need.need(.sub, on: .forTopic(topic)) }
            need.need(.sub, on: .group(request.group))
        case .sendBackRequest(let request):
            // As RocketMQ's CONSUMER_SEND_MSG_BACK: SUB on the group (its retry topic's owner).
            need.need(.sub, on: .group(request.group))
        case .endTransactionRequest, .endTransactionOneWay:
            // As RocketMQ's END_TRANSACTION, which its ACL leaves to any valid account.
            break
        case .viewMessageRequest, .topicsRequest:
            break
        case .consumerGroupRequest(let request):
            switch request {
            case .heartbeat(let heartbeat):
                need.need(.sub, on: .group(heartbeat.group))
                for subscription in heartbeat.subscriptions { need.need(.sub, on: .forTopic(subscription.topic)) }
            case .members(let group), .unregister(_, let group), .groups(let group?):
                need.need(.sub, on: .group(group))
            case .lock(let lock), .unlock(let lock):
                need.need(.sub, on: .group(lock.group))
                for queue in lock.queues { need.need(.sub, on: .forTopic(queue.topic)) }
            case .groups(nil):
                break
            }
        case .handshakeResponse, .statusResponse, .appendResponse, .getResponse, .transferLeaderResponse,
            .faultInjectionResponse, .errorResponse, .sendResponse, .pullResponse, .queueOffsetsResponse,
            .searchOffsetResponse, .messagesByKeyResponse, .viewMessageResponse, .topicsResponse,
            .commitOffsetResponse, .consumerOffsetsResponse, .updateTopicResponse, .deleteTopicResponse,
            .describeTopicResponse, .sendBackResponse, .endTransactionResponse, .consumerGroupResponse:
            return nil
        }
        return need
    }
}
