import LedgerCLI
import LedgerClient

/// One node's resource use during a bench run. A figure that could not be read is nil and
/// `note` says why.
struct NodeUsage: Sendable, Hashable {
    /// The member's name, `n0`.
    var id: String
    /// User plus system CPU seconds the node used during the run.
    var cpuSeconds: Double?
    /// The node's peak resident set size during the run (VmHWM, reset when the run started).
    var peakRssBytes: UInt64?
    /// Bytes the node wrote to storage during the run (`write_bytes` of `/proc/<pid>/io`).
    var diskWriteBytes: UInt64?
    /// Why a figure is missing, or a caveat about one (e.g. the peak covers the node's lifetime).
    var note: String?
    /// Whether the node led at the end of the run (for the report only).
    var isLeader = false
}

/// What one `ledger bench` run measured, and its renderings: the report, the JSON object, a
/// Markdown table row.
struct BenchReport: Sendable {
    /// What was sent: `raw appends of 1024 B, batch 1, 1 producer × 1 in flight (sync), 15 s`.
    var load: String
    var messages: Int
    /// From the start of the run to the last acknowledgement (at least the sending time).
    var elapsed: Duration
    /// Bytes of each message's body.
    var messageSize: Int
    /// Send-to-acknowledgement time per request, in nanoseconds.
    var latency: LatencyHistogram
    /// Messages whose request failed.
    var errors: Int
    /// The first failure seen, when there was one.
    var firstError: String?
    var nodes: [NodeUsage]
    /// The bench process's own CPU time and peak RSS (it shares the machine with the nodes);
    /// text report only.
    var client: NodeUsage?
    /// This machine's limits, with `--limits`.
    var limits: MachineLimits?
    /// What the run saw of the group while a follower was stopped, with `--pause-follower`.
    var lag: LagReport?

    var messagesPerSecond: Double {
        elapsed > .zero ? Double(messages) / elapsed.seconds : 0
    }

    /// Storage bytes written per acknowledged message, averaged over the nodes that report it
    /// (each node stores every message): nil without figures or messages.
    var diskBytesPerMessage: Double? {
        let written = nodes.compactMap(\.diskWriteBytes)
        guard !written.isEmpty, messages > 0 else { return nil }
        return Double(written.reduce(0, +)) / Double(written.count) / Double(messages)
    }

    /// The size of the RocketMQ record a message of the run is stored as, when known.
    var storedRecordBytes: Int?

    /// Message bodies acknowledged per second, in 10^6 bytes.
    var megabytesPerSecond: Double { messagesPerSecond * Double(messageSize) / 1e6 }

    /// The latency at `percent`, in milliseconds.
    func latencyMs(_ percent: Double) -> Double { Double(latency.value(atPercentile: percent)) / 1e6 }

    /// The percentiles the report shows, with their JSON names.
    static let percentiles: [(name: String, label: String, percent: Double)] = [
        ("p50", "p50", 50), ("p90", "p90", 90), ("p99", "p99", 99), ("p999", "p99.9", 99.9), ("max", "max", 100),
    ]

    /// `{"messagesPerSecond", "megabytesPerSecond", "latencyMs": {"p50", "p90", "p99", "p999",
    /// "max"}, "errors", "diskBytesPerMessage", "nodes": [{"id", "cpuSeconds", "peakRssBytes",
    /// "diskWriteBytes"}], "limits":
    /// {"fdatasyncPerSecond", "sequentialWriteMBps", "loopbackRttMicros"}, "leaderChanges",
    /// "catchUpMs"}`, `limits` only when measured, the last two only with a paused follower
    /// (`catchUpMs` null when it did not catch up in time); a node figure that could not be
    /// read is null.
    var json: JSON {
        var members: [(String, JSON)] = [
            ("messagesPerSecond", .fraction(rounded(messagesPerSecond, 1))),
            ("megabytesPerSecond", .fraction(rounded(megabytesPerSecond, 3))),
            (
                "latencyMs",
                .object(BenchReport.percentiles.map { ($0.name, .fraction(rounded(latencyMs($0.percent), 3))) })
            ),
            ("errors", .number(Int64(errors))),
            ("diskBytesPerMessage", diskBytesPerMessage.map { .fraction(rounded($0, 1)) } ?? .null),
            (
                "nodes",
                .array(
                    nodes.map { node in
                        .object([
                            ("id", .string(node.id)),
                            ("cpuSeconds", node.cpuSeconds.map { .fraction(rounded($0, 2)) } ?? .null),
                            ("peakRssBytes", .optional(node.peakRssBytes)),
                            ("diskWriteBytes", .optional(node.diskWriteBytes)),
                        ])
                    })
            ),
        ]
        if let limits {
            members.append(
                (
                    "limits",
                    .object([
                        ("fdatasyncPerSecond", .fraction(rounded(limits.fdatasyncPerSecond, 1))),
                        ("sequentialWriteMBps", .fraction(rounded(limits.sequentialWriteMBps, 1))),
                        ("loopbackRttMicros", .fraction(rounded(limits.loopbackRttMicros, 1))),
                    ])
                ))
        }
        if let lag {
            members.append(("leaderChanges", .number(Int64(lag.leaderChanges))))
            members.append(("catchUpMs", lag.catchUp.map { .number($0.wholeMilliseconds) } ?? .null))
        }
        return .object(members)
    }

    /// The human-readable report, several lines.
    var text: String {
        var lines = ["load:        \(load)"]
        if let limits { lines.append("limits:      \(BenchReport.describe(limits))") }
        var throughput =
            "throughput:  \(fixed(messagesPerSecond, 1)) messages/s, \(fixed(megabytesPerSecond, 2)) MB/s "
            + "(\(messages) messages in \(fixed(elapsed.seconds, 2)) s)"
        if let limits {
            throughput +=
                "; \(fixed(messagesPerSecond / limits.fdatasyncPerSecond, 2)) × fdatasync/s, "
                + "\(percent(megabytesPerSecond / limits.sequentialWriteMBps)) of sequential MB/s"
        }
        lines.append(throughput)
        var latencyLine =
            "latency ms:  "
            + BenchReport.percentiles.map { "\($0.label) \(fixed(latencyMs($0.percent), 3))" }.joined(separator: "  ")
            + "  (\(latency.count) requests)"
        if let limits {
            latencyLine +=
                "; p50 = \(fixed(latencyMs(50) / limits.sequentialFloorMs, 1)) × the floor of "
                + "\(fixed(limits.sequentialFloorMs, 3)) ms (2 round trips + 1 fdatasync)"
        }
        lines.append(latencyLine)
        lines.append("errors:      \(errors)" + (firstError.map { " (first: \($0))" } ?? ""))
        if let perMessage = diskBytesPerMessage {
            var disk = "disk:        \(fixed(perMessage, 1)) bytes written per message on each node"
            if let record = storedRecordBytes {
                disk += " (\(fixed(perMessage / Double(record), 2)) × the \(record)-byte stored record)"
            }
            lines.append(disk)
        }
        let seconds = elapsed.seconds
        func usageLine(_ label: String, _ usage: NodeUsage) -> String {
            var line = label + String(repeating: " ", count: max(1, 13 - label.count))
            line +=
                usage.cpuSeconds.map { "cpu \(fixed($0, 2)) s (\(percent($0 / seconds)) of one core)" } ?? "cpu unknown"
            line +=
                usage.peakRssBytes.map { ", peak RSS \(fixed(Double($0) / 1_048_576, 1)) MiB" } ?? ", peak RSS unknown"
            if let written = usage.diskWriteBytes { line += ", wrote \(fixed(Double(written) / 1_048_576, 1)) MiB" }
            if usage.isLeader { line += ", leader" }
            if let note = usage.note { line += " — \(note)" }
            return line
        }
        if let lag { lines += BenchReport.describe(lag) }
        lines += nodes.map { usageLine("node \($0.id):", $0) }
        if let client { lines.append(usageLine("bench client:", client)) }
        return lines.joined(separator: "\n")
    }

    /// The `paused:` and `leadership:` lines of a run with a paused follower.
    static func describe(_ lag: LagReport) -> [String] {
        var paused = "paused:      "
        if let follower = lag.follower, let stopped = lag.stopped {
            paused += "\(follower) SIGSTOPped at \(stopped.millisecondsText) ms"
            if let continued = lag.continued {
                paused += ", SIGCONT at \(continued.millisecondsText) ms; "
                paused +=
                    lag.catchUp.map { "caught up (lag 0) \($0.millisecondsText) ms after SIGCONT" }
                    ?? "not caught up within \(Bench.catchUpTimeout.millisecondsText) ms of SIGCONT"
            }
        } else {
            paused += "no follower paused"
        }
        if let note = lag.note { paused += " — \(note)" }
        var leadership = "leadership:  \(lag.leaderChanges) change" + (lag.leaderChanges == 1 ? "" : "s")
        if let first = lag.leaders.first {
            let highest = lag.highestTerm.map { "; highest term reported \($0)" } ?? ""
            if lag.leaders.count == 1 {
                leadership += " (\(first.node) led term \(first.term) throughout\(highest))"
            } else {
                let changes = lag.leaders.dropFirst().map {
                    "\($0.node) in term \($0.term) at \($0.at.millisecondsText) ms"
                }
                leadership +=
                    " (\(first.node) in term \(first.term), then " + changes.joined(separator: ", ") + highest + ")"
            }
        } else {
            leadership += " (no leader seen)"
        }
        return [paused, leadership]
    }

    static func describe(_ limits: MachineLimits) -> String {
        "1 KiB pwrite+fdatasync \(fixed(limits.fdatasyncPerSecond, 0))/s, "
            + "1 MiB pwrite+fdatasync \(fixed(limits.sequentialWriteMBps, 1)) MB/s, "
            + "loopback round trip \(fixed(limits.loopbackRttMicros, 1)) µs"
    }
}

extension BenchReport {
    /// This report and `other`, a later run of the same load on the same group, as one run:
    /// messages, errors, time and latencies added up; per node, CPU and bytes written added
    /// up and the higher peak RSS; who led at the end of `other`. The first report's load text,
    /// limits and lag report are kept.
    func adding(_ other: BenchReport) -> BenchReport {
        var sum = self
        sum.messages += other.messages
        sum.elapsed += other.elapsed
        sum.latency.merge(other.latency)
        sum.errors += other.errors
        sum.firstError = firstError ?? other.firstError
        sum.nodes = zip(nodes, other.nodes).map { $0.adding($1) }
        sum.client = client.flatMap { mine in other.client.map { mine.adding($0) } }
        return sum
    }
}

extension NodeUsage {
    /// This node's usage and its usage in a later run (see ``BenchReport/adding(_:)``).
    func adding(_ later: NodeUsage) -> NodeUsage {
        func added<T: AdditiveArithmetic>(_ mine: T?, _ theirs: T?) -> T? {
            mine.flatMap { a in theirs.map { a + $0 } }
        }
        var sum = self
        sum.cpuSeconds = added(cpuSeconds, later.cpuSeconds)
        sum.peakRssBytes = peakRssBytes.flatMap { mine in later.peakRssBytes.map { max(mine, $0) } }
        sum.diskWriteBytes = added(diskWriteBytes, later.diskWriteBytes)
        sum.note = note ?? later.note
        sum.isLeader = later.isLeader
        return sum
    }
}
