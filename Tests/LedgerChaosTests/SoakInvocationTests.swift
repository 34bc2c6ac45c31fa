import LedgerCLI
import Testing

@testable import LedgerChaos

/// Parsing of `ledger soak`: its flags, defaults, derived settings and usage errors.
@Suite struct SoakInvocationTests {
    @Test func optionsParse() throws {
        #expect(try SoakInvocation.parse(["soak"]) == .soak(SoakOptions()))
        var options = SoakOptions()
        options.duration = .seconds(600)
        options.reserved = .seconds(90)
        options.rate = 200
        options.messageSize = 512
        options.fileSize = 256 << 10
        options.interval = .seconds(20)
        options.keepData = true
        options.seed = 18
        options.faults = [.kill, .partition]
        options.faultEvery = .seconds(4)
        options.reportPath = "soak.json"
        #expect(
            try SoakInvocation.parse([
                "soak", "--duration", "10m", "--reserved=90s", "--rate", "200", "--message-size", "512", "--file-size",
                "256KiB", "--interval", "20s", "--keep-data", "--seed", "18", "--faults", "partition,kill",
                "--fault-every", "4s", "--report", "soak.json",
            ]) == .soak(options))
        #expect(try SoakInvocation.parse(["soak", "--duration", "2h", "--faults", "none"]) == .soak(Self.twoHours))
        guard case .help(let text) = try SoakInvocation.parse(["soak", "--help"]) else {
            Issue.record("--help gives no help")
            return
        }
        for flag in [
            "--duration", "--reserved", "--rate", "--message-size", "--file-size", "--interval", "--keep-data",
            "--seed", "--faults", "--fault-every", "--report",
        ] {
            #expect(text.contains(flag))
        }
        #expect(text.contains("make soak"))
    }

    /// `--duration 2h --faults none`.
    static var twoHours: SoakOptions {
        var options = SoakOptions()
        options.duration = .seconds(7200)
        options.faults = []
        return options
    }

    @Test func derivedSettings() {
        let defaults = SoakOptions()
        #expect(defaults.dataFileSize == 8 << 20 && defaults.sampleInterval == .seconds(60))
        #expect(defaults.faults == [.kill, .pause, .restart, .partition])
        #expect(defaults.faultGaps == 30_000...90_000, "a fault every 30-90 s")
        var short = SoakOptions()
        short.duration = .seconds(20)
        short.reserved = .seconds(5)
        #expect(short.dataFileSize == 256 << 10, "300 × 1224 B/s fills 256 KiB within 1.25 s, not 512 KiB")
        #expect(short.sampleInterval == .seconds(1))
        var ten = SoakOptions()
        ten.duration = .seconds(600)
        #expect(ten.sampleInterval == .seconds(30))
        #expect(defaults.settings.contains("fileReservedTime=120000ms"))
        // 37.5 messages a second in each of 8 queues, 300 keys a second: files that fill within 30 s.
        #expect(defaults.settings.contains("mappedFileSizeConsumeQueue=20480"))
        #expect(defaults.settings.contains("maxIndexNum=8192"))
        #expect(
            defaults.settings.contains(
                "deleteWhen=00;01;02;03;04;05;06;07;08;09;10;11;12;13;14;15;16;17;18;19;20;21;22;23"))
    }

    @Test(arguments: [
        (
            ["soak", "--duration", "soon"],
            "ledger soak: --duration: expected a time from 10s to 24h such as 30m, 10m or 90s, got \"soon\"; see ledger soak --help"
        ),
        (
            ["soak", "--duration", "20s", "--reserved", "10s"],
            "ledger soak: --duration 20s is too short for --reserved 10s: give at least three times --reserved; see ledger soak --help"
        ),
        (
            ["soak", "--file-size", "10KiB"],
            "ledger soak: --file-size: expected a size from 64KiB to 1GiB such as 8MiB or 256KiB, got \"10KiB\"; see ledger soak --help"
        ),
        (
            ["soak", "--file-size", "lots"],
            "ledger soak: --file-size: expected a size from 64KiB to 1GiB such as 8MiB or 256KiB, got \"lots\"; see ledger soak --help"
        ),
        (
            ["soak", "--rate", "0"],
            "ledger soak: --rate: expected a whole number from 1 to 5000, got \"0\"; see ledger soak --help"
        ),
        (
            ["soak", "--interval", "10m"],
            "ledger soak: --interval 600s leaves fewer than 6 samples in --duration 1800s: give at most a sixth of it; see ledger soak --help"
        ),
        (
            ["soak", "--seed", "soon"],
            "ledger soak: --seed: expected a whole number from 0 to 18446744073709551615, got \"soon\"; see ledger soak --help"
        ),
        (
            ["soak", "--faults", "kill,crash"],
            "ledger soak: --faults: expected none or a comma-separated list of kill, pause, restart, partition, "
                + "long-pause, got \"kill,crash\"; see ledger soak --help"
        ),
        (
            ["soak", "--faults", "netem"],
            "ledger soak: --faults: netem needs `ledger chaos --netns` (it degrades a node's own link); the soak "
                + "runs on loopback; see ledger soak --help"
        ),
        (
            ["soak", "--fault-every", "1s"],
            "ledger soak: --fault-every: expected a time from 2s to 1h such as 60s, 5m or 4s, got \"1s\"; see ledger soak --help"
        ),
    ])
    func usageErrors(arguments: [String], message: String) {
        #expect(throws: UsageError.self) { try SoakInvocation.parse(arguments) }
        do {
            _ = try SoakInvocation.parse(arguments)
        } catch {
            #expect(error.description == message)
        }
    }
}
