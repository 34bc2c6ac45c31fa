/// The connections each producer group was last heard on (HEART_BEAT's `producerDataSet`, and
/// the half messages it sends), so a leader can ask a live producer of a half message's group
/// for its outcome (CHECK_TRANSACTION_STATE, RocketMQ's `ProducerManager`). A connection is
/// forgotten when it closes or after ``ConsumerGroups/expiryMilliseconds`` of silence. Times are
/// the caller's clock.
public struct ProducerGroups: Sendable {
    private var groups: [String: [UInt64: Int64]] = [:]

    public init() {}

    /// Notes that `group` spoke on `connection` at `now`.
    public mutating func record(_ group: String, connection: UInt64, now: Int64) {
        guard !group.isEmpty else { return }
        groups[group, default: [:]][connection] = now
    }

    /// Forgets `connection` in every group.
    public mutating func connectionClosed(_ connection: UInt64) {
        for name in Array(groups.keys) {
            groups[name]?[connection] = nil
            if groups[name]?.isEmpty == true { groups[name] = nil }
        }
    }

    /// The connection of `group` heard from most recently (the lowest id among equals), if it
    /// spoke within the expiry.
    public func liveConnection(of group: String, now: Int64) -> UInt64? {
        var best: (connection: UInt64, seen: Int64)?
        for (connection, seen) in groups[group, default: [:]] where now - seen < ConsumerGroups.expiryMilliseconds {
            if best.map({ seen > $0.seen || (seen == $0.seen && connection < $0.connection) }) ?? true {
                best = (connection, seen)
            }
        }
        return best?.connection
    }
}
