import LedgerModel
import Posix
import Remoting
import Replica
import Wire

/// Our own protocol's consumer-group requests (opcodes 56–61), answered from the tables the
/// RocketMQ port keeps: ``consumerGroups`` (members, from HEART_BEAT and `consumerHeartbeat`
/// alike) and the leader replica's queue locks (LOCK_BATCH_MQ and `lockQueues` alike). So a `ledger consume`
/// member and a RocketMQ client of one group see each other, and never hold one queue's lock
/// at once. The tables are leader-local: a node that does not lead refuses with `notLeader`
/// (naming the leader it knows), and a member re-heartbeats to the new leader.
extension LedgerServer {
    func serveConsumerGroup(_ request: ConsumerGroupRequest, requestID: UInt64, on connection: Connection) {
        metrics.received(request.opcode)
        guard replica.isLeader else {
            let status = replica.status
            let code: ErrorResponse.Code =
                status.leader == nil
                ? .noQuorum : .notLeader(leader: status.leader, leaderAddress: status.leaderAddress)
            let error = ErrorResponse(
                code: code,
                message: "node \(options.me.name) does not lead: consumer groups and queue locks are kept by the leader"
            )
            metrics.answered(request.opcode, result: code.metricLabel)
            send(.errorResponse(error, answering: request.opcode), requestID: requestID, on: connection)
            return
        }
        let now = WallClock.nowMilliseconds()
        let response: ConsumerGroupResponse
        switch request {
        case .heartbeat(let heartbeat):
            var topics: [String] = []
            for subscription in heartbeat.subscriptions where !topics.contains(subscription.topic) {
                topics.append(subscription.topic)
            }
            let joined = consumerGroups.record(
                Heartbeat(
                    clientID: heartbeat.clientID, consumerGroups: [heartbeat.group], subscribedTopics: topics,
                    subscriptions: heartbeat.subscriptions.map {
                        Heartbeat.Subscription(group: heartbeat.group, topic: $0.topic, expression: $0.expression)
                    }),
                connection: connection.id, address: connection.remoteHost.description, now: now)
            notifyConsumerIDsChanged(joined)
            response = .heartbeat
        case .members(let group):
            response = .members(consumerGroups.members(of: group, now: now))
        case .unregister(let clientID, let group):
            notifyConsumerIDsChanged(consumerGroups.unregister(clientID, group: group))
            response = .unregister
        case .lock(let lock):
            // The leader's replica keeps the locks; it answers at once (LedgerServer+Host.swift).
            return deliver(.request(.lockQueues(lock), from: ClientID(connection.id), requestID: requestID))
        case .unlock(let lock):
            return deliver(.request(.unlockQueues(lock), from: ClientID(connection.id), requestID: requestID))
        case .groups(let group):
            response = .groups(consumerGroupsReport(only: group, now: now))
        }
        metrics.answered(request.opcode, result: "ok")
        send(.consumerGroupResponse(response), requestID: requestID, on: connection)
    }

}
