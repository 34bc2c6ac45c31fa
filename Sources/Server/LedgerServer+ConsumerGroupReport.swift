import CommitLog
import LedgerModel
import Remoting
import Replica

/// The consumer groups as this node knows them: the committed progress of its applied message
/// store and the live members of its front-end tables. `/api/groups` renders it as JSON and
/// our own protocol's `consumerGroups` (`ledger groups`) sends it as it is.
extension LedgerServer {
    /// The most groups, and queue rows over all of them, one report lists.
    static let maxReportedGroups = 200
    static let maxReportedGroupQueues = 2_000
    /// The most members and distinct subscriptions one report shows per group.
    static let maxReportedGroupMembers = 50
    static let maxReportedGroupSubscriptions = 50

    /// Every group that committed an offset or has a live member at `now` (only `group` when
    /// given), highest total lag first (ties by name); within a group, members sorted by client
    /// id, distinct subscriptions sorted, and queues highest lag first (ties by topic and
    /// queue). Cut to the bounds above, with `truncated` set when anything was left out.
    func consumerGroupsReport(only group: String? = nil, now: Int64) -> ConsumerGroupsReport {
        // One entry per group (the progress comes sorted by group).
        var groups: [(group: String, queues: [ConsumerProgress], totalLag: Int64)] = []
        for item in replica.stateMachine.allConsumerProgress() where group == nil || item.group == group {
            if groups.last?.group != item.group { groups.append((item.group, [], 0)) }
            groups[groups.count - 1].queues.append(item)
            groups[groups.count - 1].totalLag += item.lag
        }
        // Groups whose members heartbeat this node but committed nothing yet.
        let live = consumerGroups.liveMembers(now: now).filter { group == nil || $0.group == group }
        let members = Dictionary(live.map { ($0.group, $0.members) }, uniquingKeysWith: { first, _ in first })
        let committed = Set(groups.map(\.group))
        for entry in live where !committed.contains(entry.group) { groups.append((entry.group, [], 0)) }
        let ranked = groups.sorted { ($0.totalLag, $1.group) > ($1.totalLag, $0.group) }
        var truncated = ranked.count > Self.maxReportedGroups
        var rows = 0
        var summaries: [ConsumerGroupSummary] = []
        for entry in ranked.prefix(Self.maxReportedGroups) {
            var queues = entry.queues.sorted {
                ($0.lag, $1.queue.topic, $1.queue.queueID) > ($1.lag, $0.queue.topic, $0.queue.queueID)
            }
            if rows + queues.count > Self.maxReportedGroupQueues {
                queues = Array(queues.prefix(Self.maxReportedGroupQueues - rows))
                truncated = true
            }
            rows += queues.count
            let views = members[entry.group] ?? []
            var subscriptions: [ConsumerSubscription] = []
            for subscription in views.flatMap(\.subscriptions)
            where !subscriptions.contains(where: {
                ($0.topic, $0.expression) == (subscription.topic, subscription.expression)
            }) {
                subscriptions.append(
                    ConsumerSubscription(topic: subscription.topic, expression: subscription.expression))
            }
            subscriptions.sort { ($0.topic, $0.expression) < ($1.topic, $1.expression) }
            if views.count > Self.maxReportedGroupMembers || subscriptions.count > Self.maxReportedGroupSubscriptions {
                truncated = true
            }
            summaries.append(
                ConsumerGroupSummary(
                    group: entry.group,
                    members: views.prefix(Self.maxReportedGroupMembers).map {
                        ConsumerMember(
                            clientID: $0.clientID, address: $0.address, lastHeartbeatAgeMs: max(0, now - $0.lastSeen))
                    },
                    subscriptions: Array(subscriptions.prefix(Self.maxReportedGroupSubscriptions)), progress: queues,
                    totalLag: entry.totalLag))
        }
        return ConsumerGroupsReport(groups: summaries, truncated: truncated)
    }
}
