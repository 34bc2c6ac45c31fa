import Posix
import TestSupport
import Testing

@testable import LedgerLocalGroup

/// `ledger soak` end to end, shortened: real processes, retention running within seconds, the
/// table printed every second, every check passing.
@Suite(.serialized)
struct SoakRunTests {
    @Test("a 20-second soak with fileReservedTime 5s deletes files on every node and passes every check")
    func shortSoakPasses() throws {
        let binary = try ledgerBinary()
        let scratch = try TemporaryDirectory(prefix: "ledger-soak-test")
        defer {
            do {
                try scratch.remove()
            } catch {
                Issue.record("cannot remove \(scratch.path): \(error)")
            }
        }
        let run = try ChildProcess.run(
            binary, ["soak", "--duration", "20s", "--reserved", "5s"], scratchDirectory: scratch.path,
            timeout: .seconds(120))
        let output = "\(run.stdout)\n\(run.stderr)"
        #expect(run.status == .exited(0), "\(output)")
        #expect(run.stdout.contains("verdict: PASS"), "\(output)")
        #expect(run.stdout.contains("dataFileSize 262144 bytes"), "a short --reserved gets small data files")
        for check in ["retention-continues", "converged", "retained-pullable", "offset-illegal-below-min", "load"] {
            #expect(run.stdout.contains("ok   \(check): "), "\(check)\n\(output)")
        }
        for node in ["n0", "n1", "n2"] {
            #expect(run.stdout.contains("ok   \(node) disk: "), "\(output)")
            #expect(run.stdout.contains("ok   \(node) RSS: "), "\(output)")
        }
        #expect(!run.stdout.contains("data directory kept"), "a passing run deletes its directory")
    }
}
