import LedgerCLI
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger chaos` end to end: real processes, every fault kind, every check passing.
@Suite(.serialized)
struct ChaosRunTests {
    /// Seed 1's schedule injects partition, pause, restart and kill within 20 s (the kinds come
    /// in shuffled rounds, each once per round).
    static let seed = 1

    @Test("a 20-second chaos run with a fixed seed injects every fault kind and passes every check")
    func shortRunPasses() throws {
        let binary = try ledgerBinary()
        let scratch = try makeTemporaryDirectory(prefix: "ledger-chaos-test")
        defer {
            do {
                try removeTree(scratch)
            } catch {
                Issue.record("cannot remove \(scratch): \(error)")
            }
        }
        let reportPath = "\(scratch)/report.json"
        let run = try ChildProcess.run(
            binary, ["chaos", "--duration", "20s", "--seed", "\(Self.seed)", "--report", reportPath],
            scratchDirectory: scratch, timeout: .seconds(180))
        let replay = "replay: ledger chaos --duration 20s --seed \(Self.seed)"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("verdict: PASS"), "\(replay)\n\(run.stdout)")
        let report = String(decoding: try readFile(reportPath), as: UTF8.self)
        #expect(report.contains("\"verdict\": \"PASS\""), "\(replay)\n\(report)")
        for kind in ChaosFaultKind.allCases {
            #expect(
                report.contains("\"kind\": \"\(kind.rawValue)\""),
                "no \(kind.rawValue) fault injected (\(replay))\n\(run.stdout)")
        }
        #expect(report.contains("\"dataDirectory\": null"), "a passing run deletes its directory")
    }

    @Test("ledger chaos rejects an unknown fault kind with exit code 2")
    func badFaultsFlag() throws {
        let binary = try ledgerBinary()
        let scratch = try makeTemporaryDirectory(prefix: "ledger-chaos-test")
        defer {
            do {
                try removeTree(scratch)
            } catch {
                Issue.record("cannot remove \(scratch): \(error)")
            }
        }
        let run = try ChildProcess.run(binary, ["chaos", "--faults", "meteor"], scratchDirectory: scratch)
        #expect(run.status == .exited(2))
        #expect(run.stderr.contains("--faults: expected a comma-separated list of kill, pause, restart, partition"))
    }
}
