import Posix
import TestSupport
import Testing

@testable import LedgerLocalGroup

/// `ledger soak` end to end, shortened: real processes, retention running within seconds, a
/// fault every few seconds, a row every 1.5 s, the chaos checker over logs whose first data
/// files retention deleted, every check passing.
@Suite(.serialized)
struct SoakRunTests {
    /// Seed 7's schedule injects a kill, a partition and a pause within 30 s (the kinds come in
    /// shuffled rounds); the replay line names it.
    static let arguments = [
        "soak", "--duration", "30s", "--reserved", "5s", "--file-size", "1MiB", "--fault-every", "4s", "--seed", "7",
    ]

    @Test("a 30-second soak with fileReservedTime 5s and a fault every 2-6 s passes every check, cut by retention")
    func shortSoakWithFaultsPasses() throws {
        let binary = try ledgerBinary()
        let scratch = try TemporaryDirectory(prefix: "ledger-soak-test")
        defer {
            do {
                try scratch.remove()
            } catch {
                Issue.record("cannot remove \(scratch.path): \(error)")
            }
        }
        let reportPath = "\(scratch.path)/soak.json"
        let run = try ChildProcess.run(
            binary, Self.arguments + ["--report", reportPath], scratchDirectory: scratch.path, timeout: .seconds(180))
        let replay = "replay: ledger \(Self.arguments.joined(separator: " "))"
        let output = "\(replay)\n\(run.stdout)\n\(run.stderr)"
        #expect(run.status == .exited(0), "\(output)")
        #expect(run.stdout.contains("verdict: PASS"), "\(output)")
        #expect(run.stdout.contains("dataFileSize 1048576 bytes"), "\(output)")
        let lines = run.stdout.split(separator: "\n").map(String.init)

        // A row per node and one for the load each sample, with throughput and p99.
        let loadRows = lines.filter { $0.contains(" load ") && $0.contains(" acknowledged, ") }
        #expect(loadRows.count >= 6, "\(output)")
        #expect(loadRows.allSatisfy { $0.contains("/s, p99 ") && $0.contains(" ms, ") && $0.contains("faults so far") })
        // Each fault a line when injected and one when healed.
        let injected = lines.filter { $0.contains("fault ") && $0.contains(" injected: ") }
        let healed = lines.filter { $0.contains("fault ") && $0.contains(" healed: ") }
        #expect(injected.count >= 2 && healed.count == injected.count, "\(output)")
        #expect(run.stdout.contains("fault 1 injected: "), "\(output)")

        for check in [
            "retention-continues", "converged", "offset-illegal-below-min", "sampled", "identical-logs",
            "acknowledged-present", "no-duplicates", "no-phantoms", "reads-consistent", "producer-order",
            "offsets-in-log", "offsets-monotonic", "clean-exits", "election-safety",
        ] {
            #expect(run.stdout.contains("ok   \(check): "), "\(check)\n\(output)")
        }
        for node in ["n0", "n1", "n2"] {
            #expect(run.stdout.contains("ok   \(node) disk: "), "\(output)")
            #expect(run.stdout.contains("ok   \(node) RSS: "), "\(output)")
        }

        let report = String(decoding: try readFile(reportPath), as: UTF8.self)
        for key in [
            "\"seed\": \"7\"", "\"samples\": [", "\"p99Ms\": ", "\"perSecond\": ", "\"rssBytes\": ",
            "\"descriptors\": ", "\"diskBytes\": ", "\"finalLogs\": [", "\"retentionCut\": ", "\"soakChecks\": [",
            "\"chaos\": {", "\"faultLog\": [", "\"kind\": \"kill\"", "\"verdict\": \"PASS\"",
            "\"dataDirectory\": null",
        ] {
            #expect(report.contains(key), "\(key)\n\(replay)\n\(report.prefix(2000))")
        }
        // The checker read every node's log from a first index above 1: retention deleted the
        // first data files of every node before the end (reading from index 1 would fail).
        let firsts = Self.numbers(
            after: "{\"node\": \"n", key: "\"firstIndex\": ", in: Self.section("\"finalLogs\"", of: report))
        #expect(firsts.count == 3 && firsts.allSatisfy { $0 > 1 }, "first indexes \(firsts)\n\(output)")
        #expect(!report.contains("\"expiredAcknowledged\": 0"), "sends before the cut\n\(output)")
    }

    /// The text of `report` from `key` to the end of its array.
    static func section(_ key: String, of report: String) -> Substring {
        guard let start = report.firstRange(of: key) else { return "" }
        let rest = report[start.upperBound...]
        return rest[..<(rest.firstRange(of: "]")?.lowerBound ?? rest.endIndex)]
    }

    /// The whole numbers after each `key` in `text` (in objects that start with `marker`).
    static func numbers(after marker: String, key: String, in text: Substring) -> [Int] {
        text.split(separator: marker).dropFirst().compactMap { object in
            guard let range = object.firstRange(of: key) else { return nil }
            return Int(object[range.upperBound...].prefix { $0.isNumber })
        }
    }
}
