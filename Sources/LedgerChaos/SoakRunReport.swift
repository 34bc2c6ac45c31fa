import LedgerCLI
import LedgerClient
import LedgerLocalGroup
import Posix
import Raft

/// The outcome of a soak, printed after the table and written as JSON with `--report`: the
/// samples, the soak's own checks, and the chaos checker's report over the run's history.
struct SoakRunReport {
    var seed: UInt64
    var options: SoakOptions
    var dataFileSize: Int
    var directory: String
    var samples: [SoakSample]
    /// Per node, when its first retention pass (first index above 1) was seen.
    var firstPass: [(node: String, at: Duration?)]
    /// Per node as read after the load: its first index, commit index, entries read.
    var finalLogs: [(node: String, firstIndex: UInt64, commit: UInt64, entries: Int)]
    /// Where retention cut the final logs the checker compared.
    var cut: ChaosRetentionCut
    /// The growth, convergence and retention checks (``SoakCheck``).
    var soakChecks: [SoakCheck]
    /// The chaos checker's report over the whole run.
    var chaos: ChaosReport
    /// Whether the data directory is kept (a failure, or `--keep-data`).
    var keptData = false

    var passed: Bool { soakChecks.allSatisfy(\.passed) && chaos.passed }

    /// Acknowledged sends at positions retention deleted (each old enough to be gone when
    /// acknowledged-present passed).
    var expiredAcknowledged: Int { ChaosChecker.expiredAcknowledged(chaos.history) }

    // MARK: - Terminal

    /// The lines after the table: load and faults, retention, the final logs, every check, the
    /// store by directory, the verdict.
    func text(cluster: LocalGroup) -> String {
        let counts = chaos.counts
        var lines: [String] = []
        lines.append(
            "load: \(counts.attempted) sends, \(counts.acknowledged) acknowledged, \(counts.failed) failed, "
                + "\(counts.indeterminate) indeterminate; consumers: \(chaos.history.reads.count) reads kept for the "
                + "checker, \(chaos.history.offsetObservations.count) offsets committed or read back")
        let kinds = ChaosFaultKind.allCases.map { kind in "\(kind.rawValue) \(chaos.faults.count { $0.kind == kind })" }
        lines.append("faults: \(chaos.faults.count) (\(kinds.joined(separator: ", ")))")
        lines.append(
            SoakVerdict.retentionLine(cluster: cluster, firstPass: firstPass.map(\.at)))
        lines.append(SoakVerdict.windowLine(samples: samples, firstPass: firstPass.map(\.at), options: options))
        lines.append(
            "final logs: "
                + finalLogs.map { "\($0.node) from index \($0.firstIndex) to \($0.commit) (\($0.entries) entries)" }
                .joined(separator: ", ")
                + "; checked from index \(cut.firstIndex), \(expiredAcknowledged) acknowledged sends before the cut "
                + "(deleted by retention)")
        lines.append("checks:")
        for check in soakChecks { lines.append("  \(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
        for (check, violations) in chaos.verdict.results {
            var line = "  \(violations.isEmpty ? "ok  " : "FAIL") \(check.rawValue): \(check.summary)"
            if let first = violations.first { line += " — \(violations.count) violation(s); first: \(first.message)" }
            lines.append(line)
        }
        for note in chaos.notes { lines.append("note: \(note)") }
        lines.append(
            SoakVerdict.breakdown(
                samples: samples, peers: cluster.peers, firstPass: firstPass.map(\.at), options: options))
        let failed =
            soakChecks.filter { !$0.passed }.map(\.name)
            + chaos.verdict.results.filter {
                !$0.violations.isEmpty
            }.map(\.check.rawValue)
        lines.append(
            failed.isEmpty
                ? "verdict: PASS"
                : "verdict: FAIL (seed \(seed); \(failed.joined(separator: ", ")); each check above says why)")
        return lines.joined(separator: "\n")
    }

    // MARK: - JSON

    /// The `--report` JSON object, keys in the order `ledger soak --help` lists them.
    var json: JSON {
        let members: [(String, JSON)] = [
            ("seed", .string(String(seed))),
            ("durationMs", .number(options.duration.wholeMilliseconds)),
            ("reservedMs", .number(options.reserved.wholeMilliseconds)),
            ("rate", .number(Int64(options.rate))),
            ("messageSize", .number(Int64(options.messageSize))),
            ("dataFileSize", .number(Int64(dataFileSize))),
            ("sampleIntervalMs", .number(options.sampleInterval.wholeMilliseconds)),
            ("faultsEnabled", .array(options.faults.map { .string($0.rawValue) })),
            (
                "faultGapMs",
                .array([.number(Int64(options.faultGaps.lowerBound)), .number(Int64(options.faultGaps.upperBound))])
            ),
            ("samples", .array(samples.map(SoakRunReport.json(of:)))),
            (
                "firstRetentionPassMs",
                .object(firstPass.map { ($0.node, $0.at.map { .number($0.wholeMilliseconds) } ?? .null) })
            ),
            (
                "finalLogs",
                .array(
                    finalLogs.map {
                        .object([
                            ("node", .string($0.node)), ("firstIndex", .number(Int64(clamping: $0.firstIndex))),
                            ("commitIndex", .number(Int64(clamping: $0.commit))),
                            ("entriesRead", .number(Int64($0.entries))),
                        ])
                    })
            ),
            (
                "retentionCut",
                .object([
                    ("firstIndex", .number(Int64(clamping: cut.firstIndex))),
                    ("queueStarts", .object(cut.queueStarts.keys.sorted().map { ($0, .number(cut.queueStarts[$0]!)) })),
                    ("expiredAcknowledged", .number(Int64(expiredAcknowledged))),
                ])
            ),
            (
                "soakChecks",
                .array(
                    soakChecks.map {
                        .object([
                            ("name", .string($0.name)), ("passed", .bool($0.passed)), ("detail", .string($0.detail)),
                        ])
                    })
            ),
            ("chaos", chaos.json),
            ("verdict", .string(passed ? "PASS" : "FAIL")),
            ("dataDirectory", keptData ? .string(directory) : .null),
        ]
        return .object(members)
    }

    private static func json(of sample: SoakSample) -> JSON {
        let load = sample.load
        let nodes: [JSON] = sample.nodes.enumerated().map { position, result in
            let name = JSON.string("n\(position)")
            switch result {
            case .success(let node):
                return .object([
                    ("node", name), ("diskBytes", .number(Int64(clamping: node.diskBytes))),
                    ("dataBytes", .number(Int64(clamping: node.dataBytes))),
                    ("descriptors", .number(Int64(clamping: node.descriptors))),
                    ("rssBytes", .number(Int64(clamping: node.residentBytes))),
                    ("firstIndex", JSON.optional(node.firstIndex?.rawValue)),
                ])
            case .failure(let error):
                return .object([("node", name), ("error", .string(error.description))])
            }
        }
        // Milliseconds with three decimals (whole microseconds).
        let p99: JSON = load.p99.map { .fraction(($0 / .microseconds(1)).rounded() / 1000) } ?? .null
        return .object([
            ("atMs", .number(sample.at.wholeMilliseconds)),
            ("acknowledgedTotal", .number(Int64(load.total))),
            ("acknowledged", .number(Int64(load.acknowledged))),
            ("perSecond", .number(Int64(load.perSecond))),
            ("p99Ms", p99),
            ("notAcknowledged", .number(Int64(load.unacknowledged))),
            ("faultsSoFar", .number(Int64(load.faults))),
            ("nodes", .array(nodes)),
        ])
    }
}
