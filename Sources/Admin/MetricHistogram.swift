/// A Prometheus histogram: observations counted into buckets with fixed upper bounds, plus
/// their sum and count. ``observe(_:)`` is a few comparisons and an increment, no allocation,
/// so it may sit on a hot path; the cumulative counts are formed only when rendered.
public struct MetricHistogram: Sendable, Hashable {
    /// The finite upper bounds (inclusive), strictly increasing; `+Inf` is implied.
    public let upperBounds: [Double]
    /// Observations per bucket, not cumulative; the last one counts those above every bound.
    private var counts: [UInt64]
    /// The sum of every observation.
    public private(set) var sum: Double = 0
    /// How many observations there were.
    public private(set) var count: UInt64 = 0

    /// A histogram with these bucket bounds (finite, strictly increasing, at least one).
    public init(upperBounds: [Double]) {
        precondition(!upperBounds.isEmpty, "a histogram needs at least one bucket")
        precondition(upperBounds.allSatisfy(\.isFinite), "bucket bounds must be finite (+Inf is implied)")
        precondition(zip(upperBounds, upperBounds.dropFirst()).allSatisfy { $0 < $1 }, "bucket bounds must increase")
        self.upperBounds = upperBounds
        counts = Array(repeating: 0, count: upperBounds.count + 1)
    }

    /// Bounds for durations of disk syncs and other waits, in seconds: 100 µs to 10 s.
    public static let latencySecondsBounds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Counts `value` in the first bucket whose bound is at least `value` (NaN counts in none
    /// but `+Inf`).
    public mutating func observe(_ value: Double) {
        var bucket = 0
        while bucket < upperBounds.count && !(value <= upperBounds[bucket]) { bucket += 1 }
        counts[bucket] += 1
        sum += value
        count += 1
    }

    /// Counts a duration in seconds.
    public mutating func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// For each bound, then for `+Inf`: the observations at or below it. The last equals ``count``.
    public var cumulativeCounts: [UInt64] {
        var total: UInt64 = 0
        return counts.map { count in
            total += count
            return total
        }
    }
}
