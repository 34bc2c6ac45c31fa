import LedgerCLI
import Testing

@testable import LedgerChaos

/// Parsing of `ledger chaos`: its flags, defaults and usage errors.
@Suite struct ChaosInvocationTests {
    @Test func optionsParse() throws {
        var options = ChaosOptions()
        options.duration = .seconds(20)
        options.seed = 7
        options.faults = [.kill, .partition]
        options.rate = 50
        options.workload = .rawAppend
        options.keepData = true
        options.reportPath = "r.json"
        #expect(
            try ChaosInvocation.parse([
                "chaos", "--duration", "20s", "--seed", "7", "--faults", "partition,kill", "--rate", "50",
                "--workload", "raw-append", "--keep-data",
                "--report", "r.json",
            ]) == .chaos(options))
        #expect(try ChaosInvocation.parse(["chaos"]) == .chaos(ChaosOptions()))
        #expect(ChaosOptions().faults == [.kill, .pause, .restart, .partition], "long-pause is opt-in")
        var lagging = ChaosOptions()
        lagging.faults = [.kill, .pause, .restart, .partition, .longPause]
        #expect(
            try ChaosInvocation.parse(["chaos", "--faults", "long-pause,kill,pause,restart,partition"])
                == .chaos(lagging))
        lagging.faults = [.longPause]
        #expect(try ChaosInvocation.parse(["chaos", "--faults", "long-pause"]) == .chaos(lagging))
        #expect(ChaosOptions().workload == .messages, "messages are the default workload")
        var minutes = ChaosOptions()
        minutes.duration = .seconds(600)
        #expect(try ChaosInvocation.parse(["chaos", "--duration", "10m"]) == .chaos(minutes))
        var millis = ChaosOptions()
        millis.duration = .milliseconds(1500)
        #expect(try ChaosInvocation.parse(["chaos", "--duration=1500ms"]) == .chaos(millis))
    }

    @Test(arguments: [
        (
            ["chaos", "--faults", "kill,flood"],
            "ledger chaos: --faults: expected a comma-separated list of kill, pause, restart, partition, long-pause, netem, slow-disk, disk-full, got \"kill,flood\"; see ledger chaos --help"
        ),
        (
            ["chaos", "--duration", "soon"],
            "ledger chaos: --duration: expected a time from 1s to 24h such as 60s, 10m or 1500ms, got \"soon\"; see ledger chaos --help"
        ),
        (
            ["chaos", "--workload", "queues"],
            "ledger chaos: --workload: expected messages or raw-append, got \"queues\"; see ledger chaos --help"
        ),
        (
            ["chaos", "--rate", "0"],
            "ledger chaos: --rate: expected operations per second from 1 to 10000, got \"0\"; see ledger chaos --help"
        ),
        (
            ["chaos", "--seed", "-1"],
            "ledger chaos: --seed: expected a whole number from 0 to 18446744073709551615, got \"-1\"; see ledger chaos --help"
        ),
    ])
    func badChaosFlags(arguments: [String], message: String) {
        #expect(throws: UsageError.self) { try ChaosInvocation.parse(arguments) }
        do {
            _ = try ChaosInvocation.parse(arguments)
        } catch {
            #expect(error.description == message)
        }
    }
}
