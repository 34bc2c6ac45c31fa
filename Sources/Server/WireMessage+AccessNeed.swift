import LedgerConfig
import LedgerModel
import Wire

extension WireMessage {
    /// What this client request of our own protocol needs of its account (the remoting port's
    /// rules, `RemotingCommand.accessNeed`, for the same operations): PUB on each topic sent to;
    /// SUB on the topic read (pull, offsets, key lookups) and on the group for offset commits
    /// and queries, and on the topic described; admin for leadership transfer, topic creation,
    /// change and deletion, the raw log (`append`, `get`, which no topic bounds) and fault
    /// injection; a valid account for topic lists and message lookups by id.
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
        case .handshakeResponse, .statusResponse, .appendResponse, .getResponse, .transferLeaderResponse,
            .faultInjectionResponse, .errorResponse, .sendResponse, .pullResponse, .queueOffsetsResponse,
            .searchOffsetResponse, .messagesByKeyResponse, .viewMessageResponse, .topicsResponse,
            .commitOffsetResponse, .consumerOffsetsResponse, .updateTopicResponse, .deleteTopicResponse,
            .describeTopicResponse, .sendBackResponse, .endTransactionResponse:
            return nil
        }
        return need
    }
}
