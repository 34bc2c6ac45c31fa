import Testing

@testable import LedgerBench

@Suite struct HistogramTests {
    @Test func emptyAndSingleValue() {
        var histogram = LatencyHistogram()
        #expect(histogram.value(atPercentile: 50) == 0)
        #expect(histogram.value(atPercentile: 100) == 0)
        #expect(histogram.count == 0 && histogram.mean == 0)
        histogram.record(1_234_567)
        for percent in [0.0, 50, 99.9, 100] { #expect(histogram.value(atPercentile: percent) == 1_234_567) }
    }

    @Test func valuesBelow256AreExact() {
        var histogram = LatencyHistogram()
        for value in UInt64(0)..<256 { histogram.record(value) }
        // Nearest rank: the 128th of 256 values is 127; the 231st (ceil(0.9 × 256)) is 230.
        #expect(histogram.value(atPercentile: 50) == 127)
        #expect(histogram.value(atPercentile: 90) == 230)
        #expect(histogram.value(atPercentile: 100) == 255)
        #expect(histogram.value(atPercentile: 0) == 0)
        #expect(histogram.min == 0 && histogram.max == 255 && histogram.count == 256)
    }

    @Test func percentilesOfAUniformSpreadWithinTheBucketError() {
        // 10,000 latencies of 1 µs to 10 ms, in nanoseconds, recorded out of order.
        var histogram = LatencyHistogram()
        for step in 0..<10_000 { histogram.record(UInt64((step * 7_919) % 10_000 + 1) * 1_000) }
        for (percent, exact) in [(50.0, 5_000_000.0), (90, 9_000_000), (99, 9_900_000), (99.9, 9_990_000)] {
            let reported = Double(histogram.value(atPercentile: percent))
            // Reported as the bucket's highest value: never below the exact one, at most 1/128 above.
            #expect(reported >= exact && reported <= exact * (1 + 1.0 / 128), "p\(percent): \(reported) vs \(exact)")
        }
        #expect(histogram.value(atPercentile: 100) == 10_000_000)
        #expect(histogram.mean == 5_000_500)
    }

    @Test func aPercentileNeverExceedsTheMaximum() {
        var histogram = LatencyHistogram()
        histogram.record(1_000)
        histogram.record(1_001)
        // Both share a bucket whose highest value is 1,003; the exact maximum caps it.
        #expect(histogram.value(atPercentile: 100) == 1_001)
        #expect(histogram.value(atPercentile: 50) == 1_001)
    }

    @Test func bucketsTileTheWholeRange() {
        let samples: [UInt64] = [0, 1, 127, 128, 255, 256, 257, 511, 512, 1_000, 65_535, 1 << 40, UInt64.max - 1, .max]
        for value in samples {
            let bucket = LatencyHistogram.bucket(of: value)
            let highest = LatencyHistogram.highestValue(inBucket: bucket)
            #expect(bucket < LatencyHistogram.bucketCount)
            #expect(
                highest >= value && highest - value <= value >> 7, "value \(value): bucket \(bucket) ends at \(highest)"
            )
        }
        // Consecutive buckets meet without gaps or overlaps.
        for bucket in 0..<(LatencyHistogram.bucketCount - 1) {
            let highest = LatencyHistogram.highestValue(inBucket: bucket)
            #expect(LatencyHistogram.bucket(of: highest) == bucket)
            #expect(LatencyHistogram.bucket(of: highest + 1) == bucket + 1)
        }
        #expect(LatencyHistogram.highestValue(inBucket: LatencyHistogram.bucketCount - 1) == .max)
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var all = LatencyHistogram()
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        for value in stride(from: UInt64(3), to: 3_000_000, by: 997) {
            all.record(value)
            if value % 2 == 0 { left.record(value) } else { right.record(value) }
        }
        left.merge(right)
        left.merge(LatencyHistogram())
        #expect(left == all)
        var empty = LatencyHistogram()
        empty.merge(all)
        #expect(empty == all)
    }
}
