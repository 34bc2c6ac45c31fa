/// A latency histogram with log-linear buckets, in the manner of HdrHistogram: values below
/// 2 × ``subBucketCount`` have a bucket each (exact); above, every power of two is split into
/// ``subBucketCount`` equal buckets, so a reported value is never more than 1/``subBucketCount``
/// (0.8 %) above the true one. Recording is a few integer operations and no allocation.
///
/// Values are unsigned integers in whatever unit the caller chooses (`ledger bench` records
/// nanoseconds). The whole `UInt64` range is covered: 7,424 counters, about 58 KiB.
struct LatencyHistogram: Sendable, Hashable {
    /// log2 of ``subBucketCount``.
    static let subBucketBits = 7
    /// Buckets per power of two above the exact range.
    static let subBucketCount = 1 << subBucketBits
    /// Enough buckets for `UInt64.max`, whose highest bit is 63: shift 56, top bucket 255.
    static let bucketCount = ((63 - subBucketBits) << subBucketBits) + 2 * subBucketCount

    private var counts: [UInt64]
    /// How many values were recorded.
    private(set) var count: UInt64 = 0
    /// The smallest and largest value recorded, exactly; 0 when empty.
    private(set) var min: UInt64 = 0
    private(set) var max: UInt64 = 0
    /// The sum of every value recorded (saturating), for the mean.
    private(set) var sum: UInt64 = 0

    init() { counts = Array(repeating: 0, count: LatencyHistogram.bucketCount) }

    /// The bucket `value` falls into. Bucket `i` below 2 × subBucketCount holds exactly `i`;
    /// above, with `shift` = (bit length of `value`) − 8, it holds `value >> shift` scaled back.
    static func bucket(of value: UInt64) -> Int {
        let magnitude = 63 - value.leadingZeroBitCount  // -1 for 0, which falls through as shift 0
        let shift = Swift.max(0, magnitude - subBucketBits)
        return (shift << subBucketBits) + Int(value >> UInt64(shift))
    }

    /// The largest value that falls into bucket `index` (HdrHistogram's "highest equivalent value").
    static func highestValue(inBucket index: Int) -> UInt64 {
        let shift = Swift.max(0, index / subBucketCount - 1)
        let top = UInt64(index - (shift << subBucketBits))
        // The last bucket ends at UInt64.max: compute (top + 1) << shift − 1 without overflowing.
        return (top << UInt64(shift)) | ((1 << UInt64(shift)) - 1)
    }

    /// Counts one occurrence of `value`.
    mutating func record(_ value: UInt64) {
        counts[LatencyHistogram.bucket(of: value)] += 1
        if count == 0 || value < min { min = value }
        if value > max { max = value }
        count += 1
        sum = sum.addingReportingOverflow(value).overflow ? UInt64.max : sum + value
    }

    /// Adds every value `other` recorded, as if they had been recorded here.
    mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in counts.indices where other.counts[index] != 0 { counts[index] += other.counts[index] }
        if count == 0 || other.min < min { min = other.min }
        max = Swift.max(max, other.max)
        count += other.count
        sum = sum.addingReportingOverflow(other.sum).overflow ? UInt64.max : sum + other.sum
    }

    /// The nearest-rank percentile: the smallest recorded value such that at least `percent` %
    /// of the values are at or below it, reported as its bucket's highest value (never above the
    /// exact maximum). `percent` is in 0...100; 0 gives the minimum. 0 when nothing was recorded.
    func value(atPercentile percent: Double) -> UInt64 {
        precondition((0...100).contains(percent), "a percentile is between 0 and 100, not \(percent)")
        guard count > 0 else { return 0 }
        if percent == 0 { return min }
        // The rank of the wanted value, 1-based: ceil(percent/100 × count), at least 1.
        let exact = percent / 100 * Double(count)
        let rank = Swift.min(count, Swift.max(1, UInt64(exact.rounded(.up))))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount != 0 {
            seen += bucketCount
            if seen >= rank { return Swift.min(LatencyHistogram.highestValue(inBucket: index), max) }
        }
        preconditionFailure("the buckets hold fewer values (\(seen)) than the count (\(count))")
    }

    /// The arithmetic mean, 0 when nothing was recorded.
    var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }
}
