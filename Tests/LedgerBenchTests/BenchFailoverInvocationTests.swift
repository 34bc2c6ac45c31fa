import Testing

@testable import LedgerBench
@testable import LedgerCLI

/// Parsing of `ledger bench-failover`, and its place in `ledger --help`.
@Suite struct BenchFailoverInvocationTests {
    @Test func flags() throws {
        var bench = BenchFailoverOptions()
        bench.kills = 3
        bench.keepDirectory = true
        #expect(try BenchInvocation.parse(["bench-failover", "--kills", "3", "--keep"]) == .benchFailover(bench))
    }

    @Test func helpWinsAndIsListed() throws {
        guard case .help(let main) = try Invocation.parse(["--help"]) else {
            Issue.record("--help did not give help")
            return
        }
        #expect(main.contains("  bench-failover "), "ledger --help lacks bench-failover")
        guard case .help(let text) = try BenchInvocation.parse(["bench-failover", "--bogus", "-h"]) else {
            Issue.record("bench-failover -h did not give help")
            return
        }
        #expect(text.hasPrefix("usage: ledger bench-failover"))
        #expect(text.contains("exit codes:"))
    }
}
