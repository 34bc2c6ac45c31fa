import Testing

@testable import Admin

@Suite struct PrometheusTextTests {
    @Test func countersAndGauges() {
        let text = PrometheusText.render([
            MetricFamily("ledger_things_total", .counter, help: "Things seen.", value: .count(UInt64(42))),
            MetricFamily(
                "ledger_role", .gauge, help: "Role.",
                samples: [
                    MetricSample(.integer(1), labels: [("role", "leader")]),
                    MetricSample(.integer(0), labels: [("role", "follower")]),
                ]),
            MetricFamily("ledger_ratio", .gauge, help: "A ratio.", value: .real(0.25)),
        ])
        #expect(
            text == """
                # HELP ledger_things_total Things seen.
                # TYPE ledger_things_total counter
                ledger_things_total 42
                # HELP ledger_role Role.
                # TYPE ledger_role gauge
                ledger_role{role="leader"} 1
                ledger_role{role="follower"} 0
                # HELP ledger_ratio A ratio.
                # TYPE ledger_ratio gauge
                ledger_ratio 0.25

                """)
    }

    @Test func escaping() {
        let text = PrometheusText.render([
            MetricFamily(
                "ledger_x", .gauge, help: "Back\\slash and\nnewline \"quoted\".",
                samples: [MetricSample(.integer(-3), labels: [("name", "a\"b\\c\nd")])])
        ])
        #expect(text.contains("# HELP ledger_x Back\\\\slash and\\nnewline \"quoted\".\n"))
        #expect(text.contains("ledger_x{name=\"a\\\"b\\\\c\\nd\"} -3\n"))
        #expect(text.split(separator: "\n").count == 3, "an escaped newline ends no line")
        #expect(PrometheusText.escapeLabelValue("a\r\nb") == "a\r\\nb", "the LF of a CR LF is escaped too")
    }

    @Test func histogramBucketsAreCumulativeWithInf() {
        var histogram = MetricHistogram(upperBounds: [0.001, 0.01, 0.1])
        for value in [0.0005, 0.001, 0.002, 0.05, 0.05, 3.0] { histogram.observe(value) }
        histogram.observe(Duration.milliseconds(20))
        #expect(histogram.cumulativeCounts == [2, 3, 6, 7])
        #expect(histogram.count == 7)
        let text = PrometheusText.render([
            MetricFamily(
                "ledger_sync_duration_seconds", .histogram, help: "Syncs.",
                samples: [MetricSample(.histogram(histogram), labels: [("disk", "log")])])
        ])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "# HELP ledger_sync_duration_seconds Syncs.",
                "# TYPE ledger_sync_duration_seconds histogram",
                "ledger_sync_duration_seconds_bucket{disk=\"log\",le=\"0.001\"} 2",
                "ledger_sync_duration_seconds_bucket{disk=\"log\",le=\"0.01\"} 3",
                "ledger_sync_duration_seconds_bucket{disk=\"log\",le=\"0.1\"} 6",
                "ledger_sync_duration_seconds_bucket{disk=\"log\",le=\"+Inf\"} 7",
                "ledger_sync_duration_seconds_sum{disk=\"log\"} \(PrometheusText.format(histogram.sum))",
                "ledger_sync_duration_seconds_count{disk=\"log\"} 7",
            ])
        #expect(abs(histogram.sum - 3.1235) < 1e-9)
    }

    @Test func emptyHistogram() {
        let text = PrometheusText.render([
            MetricFamily(
                "ledger_h_seconds", .histogram, help: "H.", value: .histogram(MetricHistogram(upperBounds: [1])))
        ])
        #expect(
            text.split(separator: "\n").dropFirst(2) == [
                "ledger_h_seconds_bucket{le=\"1.0\"} 0", "ledger_h_seconds_bucket{le=\"+Inf\"} 0",
                "ledger_h_seconds_sum 0.0", "ledger_h_seconds_count 0",
            ])
    }

    @Test func specialFloats() {
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(1e-05) == "1e-05")
        #expect(Double(PrometheusText.format(0.1)) == 0.1)
    }

    @Test func nameRules() {
        #expect(PrometheusText.isMetricName("ledger_raft_term"))
        #expect(PrometheusText.isMetricName("a:b_c9"))
        #expect(!PrometheusText.isMetricName("9lives"))
        #expect(!PrometheusText.isMetricName("ledger-term"))
        #expect(!PrometheusText.isMetricName(""))
        #expect(PrometheusText.isLabelName("opcode"))
        #expect(!PrometheusText.isLabelName("__reserved"))
        #expect(!PrometheusText.isLabelName("a:b"))
    }

    @Test func countsSaturate() {
        #expect(MetricValue.count(UInt64.max) == .integer(Int64.max))
    }
}
