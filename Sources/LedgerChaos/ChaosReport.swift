import LedgerCLI
import LedgerClient

/// The outcome of a chaos run, printed on the terminal and written as JSON with `--report`.
struct ChaosReport {
    var seed: UInt64
    var options: ChaosOptions
    var workload: String
    var directory: String
    /// Whether the directory is kept after the run (failure or `--keep-data`).
    var keptData: Bool
    var history: ChaosHistory
    var notes: [String]
    var verdict: ChaosVerdict
    /// How long the whole run took, heal and checks included.
    var wallTime: Duration

    var passed: Bool { verdict.passed }
    /// The faults injected, in order (the history's).
    var faults: [ChaosFault] { history.faults }

    // MARK: - Figures

    struct Counts: Sendable, Hashable {
        var attempted = 0
        var acknowledged = 0
        var failed = 0
        var indeterminate = 0
    }

    var counts: Counts {
        var counts = Counts()
        for operation in history.operations {
            counts.attempted += 1
            switch operation.outcome {
            case .acknowledged: counts.acknowledged += 1
            case .failed: counts.failed += 1
            case .indeterminate: counts.indeterminate += 1
            }
        }
        return counts
    }

    /// A fault aimed at the leader, and how long after it no other node acknowledged a write.
    struct Failover: Sendable, Hashable {
        var fault: ChaosFault
        /// The node that acknowledged the first write after the fault (nil: none did).
        var newLeader: String?
        /// From the fault to that write (nil: none came).
        var unavailable: Duration?
    }

    /// One failover per fault that took the leader out (``ChaosOverlapRule/takesNodeOut(_:)``:
    /// a slow disk, a full disk or netem on the leader leaves it leading, so it is none): the
    /// unavailability window runs from the
    /// fault until the first write acknowledged by another node.
    var failovers: [Failover] {
        let acknowledged = history.operations.compactMap { operation -> (Duration, String)? in
            guard case .acknowledged(_, let node) = operation.outcome else { return nil }
            return (operation.ended, node)
        }.sorted { $0.0 < $1.0 }
        return faults.filter { $0.targetedLeader && ChaosOverlapRule.takesNodeOut($0.kind) }.map { fault in
            guard let first = acknowledged.first(where: { $0.0 > fault.injected && $0.1 != fault.node }) else {
                return Failover(fault: fault, newLeader: nil, unavailable: nil)
            }
            return Failover(fault: fault, newLeader: first.1, unavailable: first.0 - fault.injected)
        }
    }

    /// Acknowledged operations per second of the run (by completion time).
    var throughputPerSecond: [Int] {
        // Operations that completed while the run was stopping count in the totals only.
        let (whole, fraction) = options.duration.components
        let seconds = Int(whole) + (fraction > 0 ? 1 : 0)
        var buckets = Array(repeating: 0, count: seconds)
        for operation in history.operations where operation.acknowledgedPosition != nil {
            let second = Int(operation.ended.components.seconds)
            if second < seconds { buckets[second] += 1 }
        }
        return buckets
    }

    /// Nearest-rank percentile of `values` (sorted ascending, not empty).
    private static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
        let rank = max(1, Int((Double(sorted.count) * fraction).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    private var windowSummary: (p50: Duration, max: Duration)? {
        let windows = failovers.compactMap(\.unavailable).sorted()
        guard let longest = windows.last else { return nil }
        return (ChaosReport.percentile(windows, 0.5), longest)
    }

    private func faultCount(_ kind: ChaosFaultKind) -> Int { faults.count { $0.kind == kind } }

    private func offsetCount(_ source: ChaosOffsetSource) -> Int {
        history.offsetObservations.count { $0.source == source }
    }

    /// `n0 applied 5123 digest 0123456789abcdef` per node, or why there is none.
    private var finalStateLine: String {
        let states = history.finalContents.compactMap { contents in
            contents.digest.map { (contents.node, $0) }
        }
        guard !states.isEmpty else { return "final state: not read" }
        let nodes = states.map { node, digest in
            let replay = digest.replayed.map {
                $0 == digest.reported ? "" : " (log replays to \(ChaosChecker.hex($0)))"
            }
            return "\(node) applied \(digest.applied) digest \(ChaosChecker.hex(digest.reported))"
                + (replay ?? " (log not replayed that far)")
        }
        return "final state: " + nodes.joined(separator: "; ")
    }

    /// How many leadership changes `fault` saw and when the group was stable again:
    /// `; 1 leadership change, stable 640 ms after the heal`; empty when nobody watched.
    private func settling(of fault: ChaosFault) -> String {
        guard let until = fault.observedUntil else { return "" }
        let changes = ChaosChecker.leaderChanges(during: fault, in: history.leaders).count
        let counted = changes == 1 ? "1 leadership change" : "\(changes) leadership changes"
        let after = (until - fault.healed).millisecondsText
        return fault.settled
            ? "; \(counted), stable \(after) ms after the heal" : "; \(counted), not stable \(after) ms after the heal"
    }

    /// The faults that were active at some moment `fault` was, in order.
    func overlapping(_ fault: ChaosFault) -> [ChaosFault] { faults.filter(fault.overlaps) }

    /// How many operations a full disk refused while `fault` was active (from its injection to
    /// when the group was stable again).
    func writesRefused(during fault: ChaosFault) -> Int {
        history.operations.count { fault.observedSpan.contains($0.ended) && ChaosChecker.refusedForDiskFull($0) }
    }

    /// Whether the node `fault` hit was seen reporting a disk that takes no writes while the
    /// fault was active (for a disk-full fault: the node noticed and refused writes).
    func fullDiskSeen(during fault: ChaosFault) -> Bool {
        history.fullDisks.contains { $0.node == fault.node && fault.observedSpan.contains($0.at) }
    }

    /// `off`, `safe` (``ChaosOverlapRule`` without `--unsafe`) or `unsafe`.
    var overlapMode: String { options.overlap ? (options.unsafe ? "unsafe" : "safe") : "off" }

    /// `; overlaps kill on n2 at 4451 ms; 12 writes refused for a full disk`, or empty.
    private func annotations(of fault: ChaosFault) -> String {
        var text = ""
        let others = overlapping(fault)
        if !others.isEmpty {
            text +=
                "; overlaps "
                + others.map { "\($0.kind.rawValue) on \($0.node) at \($0.injected.millisecondsText) ms" }
                .joined(separator: ", ")
        }
        let refused = writesRefused(during: fault)
        if refused > 0 { text += "; \(refused) write(s) refused for a full disk" }
        if fullDiskSeen(during: fault) { text += "; \(fault.node) reported its disk full" }
        return text
    }

    // MARK: - Terminal

    /// The terminal report: counts (held messages too, for the message workload), faults,
    /// failovers, throughput per 5 s, each check, verdict.
    var text: String {
        let counts = counts
        var lines: [String] = []
        lines.append(
            "chaos \(workload): seed \(seed), \(options.duration.millisecondsText) ms of load and faults, "
                + "\(options.rate) ops/s aimed for, run took \(wallTime.millisecondsText) ms")
        lines.append(
            "operations: \(counts.attempted) attempted, \(counts.acknowledged) acknowledged, \(counts.failed) failed, "
                + "\(counts.indeterminate) indeterminate; consumers: \(history.reads.count) reads, "
                + "\(offsetCount(.committed)) offset commits acknowledged, \(offsetCount(.queried)) offsets read back")
        if workload == ChaosWorkloadKind.messages.rawValue { lines.append(heldLine) }
        lines.append(
            "faults: "
                + ChaosFaultKind.allCases.map { "\($0.rawValue) \(faultCount($0))" }.joined(separator: ", ")
                + " (enabled: \(options.faults.map(\.rawValue).joined(separator: ",")); overlap \(overlapMode): "
                + "\(faults.count { !overlapping($0).isEmpty }) overlapping)")
        for fault in faults {
            lines.append(
                "  \(fault.injected.millisecondsText) ms: \(fault.detail)\(settling(of: fault))\(annotations(of: fault))"
            )
        }
        let failovers = failovers
        var failoverLine = "failovers (faults that took the leader out): \(failovers.count)"
        if let summary = windowSummary {
            failoverLine +=
                "; unavailability until another node acknowledged a write: p50 \(summary.p50.millisecondsText) ms, "
                + "max \(summary.max.millisecondsText) ms"
        }
        let unrecovered = failovers.count { $0.unavailable == nil }
        if unrecovered > 0 { failoverLine += "; \(unrecovered) with no write acknowledged afterwards" }
        lines.append(failoverLine)
        let terms = Set(history.leaders.map(\.term)).count
        lines.append("leaders seen: \(terms) terms, \(history.leaders.count) (term, leader) sightings")
        let perFive = stride(from: 0, to: throughputPerSecond.count, by: 5).map { start in
            throughputPerSecond[start..<min(start + 5, throughputPerSecond.count)].reduce(0, +)
        }
        lines.append("throughput (acknowledged per 5 s): " + perFive.map(String.init).joined(separator: " "))
        lines.append(finalStateLine)
        for note in notes { lines.append("note: \(note)") }
        lines.append("checks:")
        for (check, violations) in verdict.results {
            let mark = violations.isEmpty ? "ok  " : "FAIL"
            var line = "  \(mark) \(check.rawValue): \(check.summary)"
            if let first = violations.first {
                line += " — \(violations.count) violation(s); first: \(first.message)"
            }
            lines.append(line)
        }
        if let first = verdict.firstViolation {
            lines.append("verdict: FAIL (seed \(seed)); first violation: \(first)")
        } else {
            lines.append("verdict: PASS")
        }
        if keptData { lines.append("data directory kept: \(directory)") }
        return lines.joined(separator: "\n")
    }

    // MARK: - JSON

    /// The `--report` JSON object, keys in the order `ledger chaos --help` lists them.
    var json: JSON {
        let counts = counts
        let operations = JSON.object([
            ("attempted", .number(Int64(counts.attempted))),
            ("acknowledged", .number(Int64(counts.acknowledged))),
            ("failed", .number(Int64(counts.failed))),
            ("indeterminate", .number(Int64(counts.indeterminate))),
            ("reads", .number(Int64(history.reads.count))),
            ("offsetCommits", .number(Int64(offsetCount(.committed)))),
            ("offsetQueries", .number(Int64(offsetCount(.queried)))),
        ])
        let faultCounts = JSON.object(ChaosFaultKind.allCases.map { ($0.rawValue, .number(Int64(faultCount($0)))) })
        let throughput = JSON.object([
            ("intervalMs", .number(1000)),
            ("acknowledged", .array(throughputPerSecond.map { .number(Int64($0)) })),
        ])
        let members: [(String, JSON)] = [
            ("seed", .string(String(seed))),
            ("workload", .string(workload)),
            ("durationMs", .number(options.duration.wholeMilliseconds)),
            ("rate", .number(Int64(options.rate))),
            ("wallTimeMs", .number(wallTime.wholeMilliseconds)),
            ("faultsEnabled", .array(options.faults.map { .string($0.rawValue) })),
            ("overlap", .string(overlapMode)),
            ("operations", operations),
            ("heldMessages", heldJSON),
            ("faults", faultCounts),
            ("faultLog", .array(faults.map(json(of:)))),
            ("failovers", failoversJSON),
            (
                "leaders",
                .array(history.leaders.sorted { ($0.term, $0.at) < ($1.term, $1.at) }.map(ChaosReport.json(of:)))
            ),
            ("throughput", throughput),
            ("finalState", .array(history.finalContents.compactMap(ChaosReport.json(ofState:)))),
            ("notes", .array(notes.map { .string($0) })),
            ("checks", .array(verdict.results.map { ChaosReport.json(of: $0.check, $0.violations) })),
            ("verdict", .string(passed ? "PASS" : "FAIL")),
            ("firstViolation", JSON.optional(verdict.firstViolation?.description)),
            ("dataDirectory", keptData ? .string(directory) : .null),
        ]
        return .object(members)
    }

    private var failoversJSON: JSON {
        let summary = windowSummary
        let windows: [JSON] = failovers.map { failover in
            let unavailable: JSON = failover.unavailable.map { .number($0.wholeMilliseconds) } ?? .null
            return .object([
                ("atMs", .number(failover.fault.injected.wholeMilliseconds)),
                ("fault", .string(failover.fault.kind.rawValue)),
                ("oldLeader", .string(failover.fault.node)),
                ("firstAcknowledgedBy", JSON.optional(failover.newLeader)),
                ("unavailableMs", unavailable),
            ])
        }
        let p50: JSON = summary.map { .number($0.p50.wholeMilliseconds) } ?? .null
        let longest: JSON = summary.map { .number($0.max.wholeMilliseconds) } ?? .null
        return .object([
            ("count", .number(Int64(windows.count))), ("unavailableP50Ms", p50), ("unavailableMaxMs", longest),
            ("windows", .array(windows)),
        ])
    }

    private func json(of fault: ChaosFault) -> JSON {
        let settled: JSON = fault.settled ? fault.observedUntil.map { .number($0.wholeMilliseconds) } ?? .null : .null
        return .object([
            ("atMs", .number(fault.injected.wholeMilliseconds)),
            ("kind", .string(fault.kind.rawValue)),
            ("node", .string(fault.node)),
            ("targetedLeader", .bool(fault.targetedLeader)),
            ("healedAtMs", .number(fault.healed.wholeMilliseconds)),
            ("detail", .string(fault.detail)),
            ("leaderChanges", .number(Int64(ChaosChecker.leaderChanges(during: fault, in: history.leaders).count))),
            ("settledAtMs", settled),
            ("overlapsAtMs", .array(overlapping(fault).map { .number($0.injected.wholeMilliseconds) })),
            ("writesRefused", .number(Int64(writesRefused(during: fault)))),
            ("fullDiskSeen", .bool(fullDiskSeen(during: fault))),
        ])
    }

    private static func json(ofState contents: ChaosNodeContents) -> JSON? {
        guard let digest = contents.digest else { return nil }
        return .object([
            ("node", .string(contents.node)),
            ("appliedIndex", .number(Int64(clamping: digest.applied))),
            ("stateDigest", .string(ChaosChecker.hex(digest.reported))),
            ("replayedDigest", JSON.optional(digest.replayed.map(ChaosChecker.hex))),
        ])
    }

    private static func json(of sighting: ChaosLeaderSighting) -> JSON {
        .object([
            ("term", .number(Int64(clamping: sighting.term))),
            ("node", .string(sighting.node)),
            ("firstSeenMs", .number(sighting.at.wholeMilliseconds)),
        ])
    }

    private static func json(of check: ChaosCheck, _ violations: [ChaosViolation]) -> JSON {
        .object([
            ("name", .string(check.rawValue)),
            ("description", .string(check.summary)),
            ("passed", .bool(violations.isEmpty)),
            ("violations", .number(Int64(violations.count))),
            ("first", JSON.optional(violations.first?.message)),
        ])
    }
}
