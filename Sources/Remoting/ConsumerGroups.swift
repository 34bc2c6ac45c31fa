/// The live members of each consumer group, as a broker learns them from heartbeats
/// (`ConsumerManager`): a member is its client id, the connection it last spoke on, and when.
/// A member leaves on UNREGISTER_CLIENT, when its connection closes, or after
/// ``expiryMilliseconds`` of silence. Times are the caller's clock; lists are sorted, so the
/// answer never depends on hashing order. Joining and leaving report the groups that changed, so
/// the broker can tell their members (NOTIFY_CONSUMER_IDS_CHANGED) to rebalance at once.
public struct ConsumerGroups: Sendable {
    /// RocketMQ's `channelExpiredTimeout`: a member not heard from this long is dropped.
    public static let expiryMilliseconds: Int64 = 120_000

    private struct Member: Sendable {
        var connection: UInt64
        var lastSeen: Int64
        /// The client's address (`host:port`) as the connection shows it.
        var address: String
        /// What it subscribes to in this group, as its last heartbeat said.
        var subscriptions: [Heartbeat.Subscription]
    }

    /// One live member of a group, for the admin API.
    public struct MemberView: Sendable, Hashable {
        public var clientID: String
        public var address: String
        /// When its last heartbeat arrived, on the caller's clock.
        public var lastSeen: Int64
        /// What it subscribes to in the group, in the order its heartbeat sent them.
        public var subscriptions: [Heartbeat.Subscription]
    }

    private var groups: [String: [String: Member]] = [:]

    public init() {}

    /// Records `heartbeat`, received on `connection` from `address` at `now`. Returns the groups
    /// it joined (sorted): their members should hear NOTIFY_CONSUMER_IDS_CHANGED and rebalance.
    public mutating func record(_ heartbeat: Heartbeat, connection: UInt64, address: String, now: Int64) -> [String] {
        var joined: [String] = []
        for group in heartbeat.consumerGroups {
            let member = Member(
                connection: connection, lastSeen: now, address: address,
                subscriptions: heartbeat.subscriptions.filter { $0.group == group })
            let previous = groups[group, default: [:]].updateValue(member, forKey: heartbeat.clientID)
            if previous == nil { joined.append(group) }
        }
        return joined.sorted(by: Self.precedes)
    }

    /// Removes `clientID` from `group`, or from every group when nil. Returns the groups it left
    /// (sorted).
    public mutating func unregister(_ clientID: String, group: String?) -> [String] {
        var left: [String] = []
        for name in group.map({ [$0] }) ?? Array(groups.keys) where groups[name]?[clientID] != nil {
            groups[name]?[clientID] = nil
            if groups[name]?.isEmpty == true { groups[name] = nil }
            left.append(name)
        }
        return left.sorted(by: Self.precedes)
    }

    /// Removes every member that spoke on `connection` (it closed). Returns the groups that lost
    /// a member (sorted).
    public mutating func connectionClosed(_ connection: UInt64) -> [String] {
        var changed: [String] = []
        for name in Array(groups.keys) {
            let kept = groups[name, default: [:]].filter { $0.value.connection != connection }
            if kept.count != groups[name]?.count { changed.append(name) }
            groups[name] = kept.isEmpty ? nil : kept
        }
        return changed.sorted(by: Self.precedes)
    }

    /// The connections the members of `group` last spoke on, sorted, each once.
    public func connections(of group: String) -> [UInt64] {
        Set(groups[group, default: [:]].values.map(\.connection)).sorted()
    }

    private static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Every group with a member heard from within the expiry at `now`, sorted by name, with
    /// those members sorted by client id. Changes nothing (expired members stay until a
    /// membership request drops them).
    public func liveMembers(now: Int64) -> [(group: String, members: [MemberView])] {
        groups.keys.sorted(by: Self.precedes).compactMap { name in
            let live = groups[name, default: [:]].filter { now - $0.value.lastSeen < Self.expiryMilliseconds }
            guard !live.isEmpty else { return nil }
            let members = live.keys.sorted(by: Self.precedes).map { id in
                let member = live[id]!
                return MemberView(
                    clientID: id, address: member.address, lastSeen: member.lastSeen,
                    subscriptions: member.subscriptions)
            }
            return (name, members)
        }
    }

    /// The client ids of `group` heard from within the expiry at `now`, sorted; expired members
    /// are dropped.
    public mutating func members(of group: String, now: Int64) -> [String] {
        guard let members = groups[group] else { return [] }
        let live = members.filter { now - $0.value.lastSeen < Self.expiryMilliseconds }
        groups[group] = live.isEmpty ? nil : live
        return live.keys.sorted(by: Self.precedes)
    }
}
