/// Messages counted per topic since the process started, for metrics and rates, with a bounded
/// number of topics: the first ``limit`` topics counted keep a count of their own for the life of
/// the process; messages of every later topic are counted together under ``otherTopic``.
/// First come rather than the busiest N, so that every count only grows (a topic never moves
/// between its own count and the shared one), as Prometheus counters must.
public struct TopicCounters: Sendable, Hashable {
    /// The most topics with a count of their own.
    public static let limit = 100
    /// The label of the shared count: a name no topic can have (topic names are
    /// `[%|a-zA-Z0-9_-]`), so it never collides with one.
    public static let otherTopic = "(other)"

    /// By topic, at most ``limit`` of them, plus ``otherTopic`` once it counted a message.
    public private(set) var counts: [String: UInt64] = [:]
    private var ownCount = 0

    public init() {}

    /// Counts `count` messages of `topic`.
    public mutating func add(_ count: Int, topic: String) {
        precondition(count >= 0, "a negative message count")
        if counts[topic] == nil {
            if ownCount < Self.limit {
                ownCount += 1
            } else {
                counts[Self.otherTopic, default: 0] += UInt64(count)
                return
            }
        }
        counts[topic, default: 0] += UInt64(count)
    }

    /// The messages counted for `topic`: 0 for a topic not seen while there is room for it,
    /// nil for one counted (or to be counted) under ``otherTopic``.
    public func count(of topic: String) -> UInt64? {
        if let count = counts[topic] { return count }
        return ownCount < Self.limit ? 0 : nil
    }

    /// Every count, topics by name (byte order) and ``otherTopic`` last: a metric's samples.
    public var sorted: [(topic: String, count: UInt64)] {
        let own = counts.filter { $0.key != Self.otherTopic }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { (topic: $0.key, count: $0.value) }
        return own + (counts[Self.otherTopic].map { [(topic: Self.otherTopic, count: $0)] } ?? [])
    }
}
