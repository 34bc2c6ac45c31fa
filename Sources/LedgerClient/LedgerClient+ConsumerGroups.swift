import LedgerModel
import Wire

/// Consumer-group coordination: membership, queue locks and the groups report, kept by the
/// leader's front end (shared with RocketMQ clients of the same groups). Each call goes to the
/// leader and follows it through failover like every other request; a new leader starts with
/// no members and no locks, so a member that heartbeats every few seconds is back in its group
/// on the new leader within one heartbeat.
extension LedgerClient {
    /// Says that `clientID` is a live member of `group` subscribing to `subscriptions`, on this
    /// client's connection to the leader: it stays one until ``unregisterConsumer(clientID:group:)``,
    /// until that connection closes, or for 120 s after its last heartbeat.
    public func consumerHeartbeat(clientID: String, group: String, subscriptions: [ConsumerSubscription])
        throws(LedgerClientError)
    {
        let heartbeat = ConsumerHeartbeat(clientID: clientID, group: group, subscriptions: subscriptions)
        try ask("consumer heartbeat", .consumerGroupRequest(.heartbeat(heartbeat))) {
            if case .consumerGroupResponse(.heartbeat) = $0 { () } else { nil }
        }
    }

    /// The client ids of `group`'s live members (ours and RocketMQ clients'), sorted by their
    /// UTF-8 bytes.
    public func consumerMembers(group: String) throws(LedgerClientError) -> [String] {
        try ask("consumer members", .consumerGroupRequest(.members(group: group))) {
            if case .consumerGroupResponse(.members(let ids)) = $0 { ids } else { nil }
        }
    }

    /// Takes `clientID` out of `group` at once.
    public func unregisterConsumer(clientID: String, group: String) throws(LedgerClientError) {
        try ask("unregister consumer", .consumerGroupRequest(.unregister(clientID: clientID, group: group))) {
            if case .consumerGroupResponse(.unregister) = $0 { () } else { nil }
        }
    }

    /// Locks (or renews) `queues` for `clientID` of `group`; returns those it now holds, in the
    /// order asked. A lock lasts 60 s after its last renewal; another member's live lock is
    /// never taken over.
    public func lockQueues(clientID: String, group: String, queues: [MessageQueue]) throws(LedgerClientError)
        -> [MessageQueue]
    {
        let request = QueueLockRequest(clientID: clientID, group: group, queues: queues)
        return try ask("lock queues", .consumerGroupRequest(.lock(request))) {
            if case .consumerGroupResponse(.lock(let held)) = $0 { held } else { nil }
        }
    }

    /// Releases those of `queues` that `clientID` of `group` holds.
    public func unlockQueues(clientID: String, group: String, queues: [MessageQueue]) throws(LedgerClientError) {
        let request = QueueLockRequest(clientID: clientID, group: group, queues: queues)
        try ask("unlock queues", .consumerGroupRequest(.unlock(request))) {
            if case .consumerGroupResponse(.unlock) = $0 { () } else { nil }
        }
    }

    /// Every consumer group the leader knows (or only `group`): members, subscriptions, and
    /// committed offset, max offset and lag per queue; highest total lag first.
    public func consumerGroups(only group: String? = nil) throws(LedgerClientError) -> ConsumerGroupsReport {
        try ask("consumer groups", .consumerGroupRequest(.groups(group: group))) {
            if case .consumerGroupResponse(.groups(let report)) = $0 { report } else { nil }
        }
    }
}
