import LedgerModel
import Raft
import Remoting
import Replica

/// The embedded NameServer: every node answers GET_ROUTEINFO_BY_TOPIC (105) alike, naming the
/// group as one broker (`brokerName` = the group) whose master (broker id 0) is the broker
/// port of the leader this node knows, the other members 1, 2, … in id order. Clients refresh
/// routes periodically, so after a failover every NameServer names the new leader as soon as
/// its node hears from it.
extension LedgerServer {
    /// The answer to a request on the NameServer port: GET_ROUTEINFO_BY_TOPIC (105) and
    /// GET_BROKER_CLUSTER_INFO (106).
    func nameServerResponse(to request: RemotingCommand) -> RemotingCommand {
        switch request.requestCode {
        case .getRouteInfoByTopic, .getBrokerClusterInfo: break
        default: return .requestCodeNotSupported(request)
        }
        let style: RouteJSONStyle
        do {
            style = try RouteJSONStyle(for: request)
        } catch {
            return .response(to: request, code: .systemError, remark: error.description)
        }
        guard let broker = brokerData() else {
            return .response(
                to: request, code: .systemError,
                remark: "group \(options.group) has no leader at the moment (an election is under way); retry")
        }
        if request.requestCode == .getBrokerClusterInfo {
            return .response(to: request, body: BrokerClusterInfo(brokers: [broker]).encodedJSON(style)[...])
        }
        let topic: String
        do {
            topic = try request.extFields.required("topic")
        } catch {
            return .response(to: request, code: .systemError, remark: error.description)
        }
        guard let queueCount = routedQueueCount(topic) else {
            return .response(
                to: request, code: .topicNotExist, remark: "No topic route info in name server for the topic: \(topic)")
        }
        let route = TopicRouteData(
            brokerDatas: [broker],
            queueDatas: [.init(brokerName: options.group, readQueueNums: queueCount, writeQueueNums: queueCount)])
        return .response(to: request, body: route.encodedJSON(style)[...])
    }

    /// The group as one broker: the leader this node knows as broker id 0, the other members
    /// 1, 2, … in id order; nil while no leader is known.
    private func brokerData() -> TopicRouteData.BrokerData? {
        guard let remoting = options.remoting, let leader = replica.knownLeader,
            let leaderAddress = remoting.brokerAddress(leader)
        else { return nil }
        var addresses: [(id: Int64, address: String)] = [(0, leaderAddress)]
        for (id, address) in remoting.brokerAddresses where id != leader {
            addresses.append((Int64(addresses.count), address))
        }
        return .init(cluster: options.group, brokerName: options.group, brokerAddrs: addresses)
    }

    /// The queues a route for `topic` names. The store creates a topic on its first send with
    /// `defaultTopicQueueNums` queues, and a RocketMQ pull of a topic it does not hold yet waits
    /// like one of an empty queue, so a topic it does not hold is routed as it will be created:
    /// a producer sends to it directly, and a consumer that subscribed first is assigned its
    /// queues at once instead of at its next route refresh. A `%RETRY%<group>` topic gets one
    /// queue (the clients use only queue 0). The store's own count for a topic it holds; nil
    /// (TOPIC_NOT_EXIST) for a name the store would refuse.
    private func routedQueueCount(_ topic: String) -> Int32? {
        if let count = replica.localQueueCount(topic: topic) { return count }
        if TopicName.problem(topic) != nil { return nil }
        if topic.hasPrefix(SystemTopic.retryPrefix) { return 1 }
        return options.commitLog.defaultTopicQueueNums
    }
}
