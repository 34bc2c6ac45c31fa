import Testing

@testable import LedgerCLI

@Suite struct InvocationTests {
    @Test func clientFlagsAndDefaults() throws {
        #expect(
            try Invocation.parse(["status"])
                == .status(ClientFlags(peers: .defaultConfigFiles, timeout: .seconds(3)), json: false, watch: nil))
        #expect(
            try Invocation.parse(["status", "--json", "--watch", "0.5", "--peers", "n0-127.0.0.1:1"])
                == .status(ClientFlags(peers: .list("n0-127.0.0.1:1")), json: true, watch: .milliseconds(500)))
        #expect(
            try Invocation.parse(["get", "-c", "conf/n1.conf", "--index=7", "--timeout", "500"])
                == .get(
                    ClientFlags(peers: .configFile("conf/n1.conf"), timeout: .milliseconds(500)), index: 7, json: false)
        )
        #expect(try Invocation.parse(["append", "--data", "-x"]) == .append(ClientFlags(), data: "-x"))
        #expect(try Invocation.parse(["append"]) == .append(ClientFlags(), data: nil))
        #expect(try Invocation.parse(["transfer-leader", "--to", "n2"]) == .transferLeader(ClientFlags(), to: "n2"))
        #expect(
            try Invocation.parse(["server", "-c", "conf/n0.conf"])
                == .server(configPath: "conf/n0.conf", faultInjection: false))
        #expect(
            try Invocation.parse(["server", "-c", "conf/n0.conf", "--fault-injection"])
                == .server(configPath: "conf/n0.conf", faultInjection: true))
    }

    @Test(arguments: [
        (["status", "--bogus"], "ledger status: unknown flag \"--bogus\"; see ledger status --help"),
        (["status", "stray"], "ledger status: unexpected argument \"stray\"; see ledger status --help"),
        (["get"], "ledger get: --index N is required; see ledger get --help"),
        (["get", "--index"], "ledger get: --index needs a value (--index N); see ledger get --help"),
        (
            ["get", "--index", "0"],
            "ledger get: --index: expected a log index (1 or more), got \"0\"; see ledger get --help"
        ),
        (["status", "--json", "--json"], "ledger status: --json given twice; see ledger status --help"),
        (["status", "--json=yes"], "ledger status: --json takes no value; see ledger status --help"),
        (
            ["status", "--watch", "0"],
            "ledger status: --watch: expected seconds from 0.1 to 86400, got \"0\"; see ledger status --help"
        ),
        (
            ["status", "--peers", "x", "-c", "y"],
            "ledger status: give either --peers or -c, not both; see ledger status --help"
        ),
        (
            ["append", "--timeout", "soon"],
            "ledger append: --timeout: expected a whole number from 1 to 600000, got \"soon\"; see ledger append --help"
        ),
        (
            ["transfer-leader", "--to", "leader"],
            "ledger transfer-leader: --to: expected a node id such as n2, got \"leader\"; see ledger transfer-leader --help"
        ),
        (["server"], "ledger server: -c FILE is required; see ledger server --help"),
        (["nope"], "ledger: unknown command \"nope\"; see ledger --help"),
        ([], "ledger: no command given; see ledger --help"),
    ])
    func usageErrors(arguments: [String], message: String) {
        #expect(throws: UsageError.self) { try Invocation.parse(arguments) }
        do {
            _ = try Invocation.parse(arguments)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func helpWinsAndListsEveryFlag() throws {
        guard case .help(let main) = try Invocation.parse(["--help"]) else {
            Issue.record("--help did not give help")
            return
        }
        for command in ["server", "status", "append", "get", "transfer-leader"] {
            #expect(main.contains("  \(command) "), "ledger --help lacks \(command)")
            guard case .help(let text) = try Invocation.parse([command, "--bogus", "-h"]) else {
                Issue.record("\(command) -h did not give help")
                continue
            }
            #expect(text.hasPrefix("usage: ledger \(command)"))
            #expect(text.contains("exit codes:"))
        }
        guard case .help(let status) = try Invocation.parse(["status", "--help"]) else { return }
        for flag in ["--peers LIST", "-c, --config FILE", "--timeout MS", "--json", "--watch SECONDS", "-h, --help"] {
            #expect(status.contains(flag), "status --help lacks \(flag)")
        }
    }
}
