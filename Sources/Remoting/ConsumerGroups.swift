/// The live members of each consumer group, as a broker learns them from heartbeats
/// (`ConsumerManager`): a member is its client id, the connection it last spoke on, and when.
/// A member leaves on UNREGISTER_CLIENT, when its connection closes, or after
/// ``expiryMilliseconds`` of silence. Times are the caller's clock; lists are sorted, so the
/// answer never depends on hashing order.
public struct ConsumerGroups: Sendable {
    /// RocketMQ's `channelExpiredTimeout`: a member not heard from this long is dropped.
    public static let expiryMilliseconds: Int64 = 120_000

    private struct Member: Sendable {
        var connection: UInt64
        var lastSeen: Int64
    }

    private var groups: [String: [String: Member]] = [:]

    public init() {}

    /// Records `heartbeat`, received on `connection` at `now`.
    public mutating func record(_ heartbeat: Heartbeat, connection: UInt64, now: Int64) {
        for group in heartbeat.consumerGroups {
            groups[group, default: [:]][heartbeat.clientID] = Member(connection: connection, lastSeen: now)
        }
    }

    /// Removes `clientID` from `group`, or from every group when nil.
    public mutating func unregister(_ clientID: String, group: String?) {
        for name in group.map({ [$0] }) ?? Array(groups.keys) {
            groups[name]?[clientID] = nil
            if groups[name]?.isEmpty == true { groups[name] = nil }
        }
    }

    /// Removes every member that spoke on `connection` (it closed).
    public mutating func connectionClosed(_ connection: UInt64) {
        for name in Array(groups.keys) {
            groups[name] = groups[name]?.filter { $0.value.connection != connection }
            if groups[name]?.isEmpty == true { groups[name] = nil }
        }
    }

    /// The client ids of `group` heard from within the expiry at `now`, sorted; expired members
    /// are dropped.
    public mutating func members(of group: String, now: Int64) -> [String] {
        guard let members = groups[group] else { return [] }
        let live = members.filter { now - $0.value.lastSeen < Self.expiryMilliseconds }
        groups[group] = live.isEmpty ? nil : live
        return live.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
