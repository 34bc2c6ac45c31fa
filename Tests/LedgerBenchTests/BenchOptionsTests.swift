import Testing

@testable import LedgerBench
@testable import LedgerCLI

@Suite struct BenchOptionsTests {
    private func bench(_ arguments: [String]) throws -> BenchOptions {
        guard case .bench(let options) = try BenchInvocation.parse(["bench"] + arguments) else {
            throw UsageError("not a bench invocation", command: "test")
        }
        return options
    }

    @Test func defaults() throws {
        let options = try bench([])
        #expect(options == BenchOptions())
        #expect(options.client == ClientFlags(peers: .defaultConfigFiles, timeout: .seconds(3)))
        #expect(!options.spawn && !options.json && !options.limits && !options.matrix && !options.raw)
        #expect(options.topic == "BenchmarkTest")
        #expect(options.producers == 1 && options.inflight == 1 && options.size == 1024 && options.batch == 1)
        #expect(options.duration == .seconds(15) && options.mode == .sync)
    }

    @Test func everyFlag() throws {
        let options = try bench([
            "--producers", "4", "--inflight=64", "--size", "128", "--batch", "32", "--duration", "500ms", "--json",
            "--limits", "--spawn", "--timeout", "1000", "--topic", "orders",
        ])
        var expected = BenchOptions()
        expected.client.timeout = .milliseconds(1000)
        expected.spawn = true
        expected.producers = 4
        expected.inflight = 64
        expected.size = 128
        expected.batch = 32
        expected.duration = .milliseconds(500)
        expected.mode = .async  // implied by --inflight 64
        expected.json = true
        expected.limits = true
        expected.topic = "orders"
        #expect(options == expected)
        #expect(try bench(["-c", "conf/n1.conf", "--mode", "async"]).client.peers == .configFile("conf/n1.conf"))
        #expect(try bench(["--mode", "async"]).mode == .async)
        #expect(try bench(["--raw"]).operation(size: 8, batch: 2) is RawAppendOperation)
        #expect(try bench(["--rate", "5000"]).rate == 5000 && BenchOptions().rate == nil)
        #expect(try bench(["--topic", "t"]).operation(size: 8, batch: 2) is MessageSendOperation)
        #expect(try bench(["--peers", "n0-127.0.0.1:1"]).client.peers == .list("n0-127.0.0.1:1"))
    }

    @Test func remotingComparesOneMessageSendsAtFullSpeed() throws {
        let options = try bench(["--remoting", "--spawn", "--producers", "4", "--inflight", "64"])
        #expect(options.remoting && options.producers == 4 && options.inflight == 64 && options.mode == .async)
        for refused in [["--raw"], ["--batch", "8"], ["--rate", "100"], ["--json"], ["--matrix"]] {
            let error = #expect(throws: UsageError.self, "\(refused)") { try bench(["--remoting"] + refused) }
            #expect(error?.description.contains(refused[0]) == true, "\(String(describing: error))")
        }
    }

    @Test func pauseFollowerTakesWhenAndHowLong() throws {
        let options = try bench(["--spawn", "--duration", "40s", "--pause-follower", "3s+35s"])
        #expect(options.pauseFollower == FollowerPause(flagValue: "3s+35s"))
        #expect(options.pauseFollower?.after == .seconds(3) && options.pauseFollower?.hold == .seconds(35))
        #expect(options.pauseFollower?.end == .seconds(38))
        #expect(try bench(["--spawn"]).pauseFollower == nil)
        // Any time a flag takes, decimals too; the pause may end exactly when the run does.
        let decimals = try #require(FollowerPause(flagValue: "0.5+1500ms"))
        #expect(decimals.after == .milliseconds(500) && decimals.hold == .milliseconds(1500))
        #expect(try bench(["--spawn", "--duration", "2s", "--pause-follower=0.5+1500ms"]).pauseFollower == decimals)
        #expect(FollowerPause(flagValue: "0s+100ms")?.after == .zero)
        for malformed in ["3s", "3s+", "+35s", "3s+35s+1s", "3s+50ms", "x+35s", "3s-35s", ""] {
            #expect(FollowerPause(flagValue: malformed) == nil, "\(malformed) was accepted")
        }
    }

    @Test(arguments: [
        ("15s", Duration.seconds(15)), ("15", .seconds(15)), ("0.5", .milliseconds(500)), ("250ms", .milliseconds(250)),
        ("2m", .seconds(120)), ("1h", .seconds(3600)),
    ])
    func durations(text: String, duration: Duration) throws {
        #expect(try bench(["--duration", text]).duration == duration)
    }

    @Test func theMatrixRunsFiveSecondCellsUnlessTold() throws {
        let matrix = try bench(["--matrix", "--spawn", "--limits"])
        #expect(matrix.matrix && matrix.duration == .seconds(5))
        #expect(try bench(["--matrix", "--duration", "2s"]).duration == .seconds(2))
        #expect(BenchMatrix.cells.count == 12)
        #expect(Set(BenchMatrix.cells.map { $0.producers * $0.inflight }) == [1, 16, 256])
        #expect(Set(BenchMatrix.cells.map(\.size)) == [128, 1024] && Set(BenchMatrix.cells.map(\.batch)) == [1, 32])
        #expect(BenchMatrix.cells.allSatisfy { $0.rate == nil })
    }

    @Test(arguments: [
        (
            ["--mode", "sync", "--inflight", "2"],
            "--mode sync sends one request at a time; --inflight 2 needs --mode async"
        ),
        (["--mode", "fast"], "--mode: expected sync or async, got \"fast\""),
        (["--spawn", "--peers", "n0-127.0.0.1:1"], "--spawn benches a group of its own; --peers names another"),
        (["--spawn", "-c", "conf/n0.conf"], "--spawn benches a group of its own; --config names another"),
        (["--matrix", "--size", "128"], "--matrix runs a fixed load; --size cannot change it"),
        (["--matrix", "--json"], "--matrix prints a Markdown table, not --json"),
        (["--matrix", "--rate", "100"], "--matrix runs a fixed load; --rate cannot change it"),
        (["--rate", "0"], "--rate: expected a whole number from 1 to 10000000, got \"0\""),
        (["--size", "0"], "--size: expected a whole number from 1 to 4194304, got \"0\""),
        (["--producers", "many"], "--producers: expected a whole number from 1 to 1024, got \"many\""),
        (["--size", "1048576", "--batch", "8"], "--size × --batch is 8388608 bytes per request; at most 4194304"),
        (
            ["--duration", "soon"],
            "--duration: expected a time from 100ms to 1h such as 15s, 500ms or 2m, got \"soon\""
        ),
        (
            ["--duration", "10ms"],
            "--duration: expected a time from 100ms to 1h such as 15s, 500ms or 2m, got \"10ms\""
        ),
        (["--topic", ""], "--topic: \"\" is not a topic name: empty"),
        (["--topic", "a b"], "--topic: \"a b\" is not a topic name: only letters, digits and %|_- are allowed"),
        (["--raw", "--topic", "t"], "--raw sends no messages; --topic names their topic"),
        (
            ["--spawn", "--pause-follower", "3s"],
            "--pause-follower: expected AFTER+FOR, when to stop a follower and for how long (FOR at least 100ms), "
                + "such as 3s+35s, got \"3s\""
        ),
        (
            ["--pause-follower", "3s+5s"],
            "--pause-follower stops a follower of the group --spawn starts; add --spawn"
        ),
        (
            ["--spawn", "--pause-follower", "3s+35s"],
            "--pause-follower 3s+35s continues the follower 38000 ms into the run, after --duration (15000 ms) ends"
        ),
        (
            ["--matrix", "--spawn", "--pause-follower", "1s+1s"],
            "--matrix runs a fixed load; --pause-follower cannot change it"
        ),
    ])
    func usageErrors(arguments: [String], message: String) {
        do {
            _ = try BenchInvocation.parse(["bench"] + arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(error.description == "ledger bench: \(message); see ledger bench --help")
        }
    }

    @Test func helpListsEveryFlag() throws {
        guard case .help(let main) = try Invocation.parse(["--help"]) else {
            Issue.record("--help did not give help")
            return
        }
        #expect(main.contains("  bench "))
        guard case .help(let text) = try BenchInvocation.parse(["bench", "-h"]) else {
            Issue.record("bench -h did not give help")
            return
        }
        for flag in BenchOptions.flags.flatMap(\.names) { #expect(text.contains(flag), "bench --help lacks \(flag)") }
        #expect(text.contains("--batch N: a request is one send of N messages"))
    }
}

@Suite struct BenchReportTests {
    private func report(limits: MachineLimits?) -> BenchReport {
        var latency = LatencyHistogram()
        for microseconds in 1...1000 { latency.record(UInt64(microseconds) * 1_000) }
        var leader = NodeUsage(id: "n1", cpuSeconds: 2.5, peakRssBytes: 40 << 20)
        leader.isLeader = true
        leader.diskWriteBytes = 27_000_000
        var follower = NodeUsage(id: "n0", cpuSeconds: 1.25, peakRssBytes: 30 << 20)
        follower.diskWriteBytes = 25_000_000
        return BenchReport(
            load: "raw appends of 1024 B", messages: 20_000, elapsed: .seconds(8), messageSize: 1024, latency: latency,
            errors: 3,
            nodes: [
                follower, leader,
                NodeUsage(id: "n2", cpuSeconds: nil, peakRssBytes: nil, note: "process unknown: nothing listens"),
            ], limits: limits)
    }

    /// `--remoting`'s slices of one protocol add up into one report.
    @Test func slicesAddUpIntoOneRun() {
        var later = report(limits: nil)
        later.messages = 4_000
        later.elapsed = .seconds(2)
        later.errors = 0
        later.firstError = "later"
        later.latency = LatencyHistogram()
        later.latency.record(5_000_000)
        later.nodes[0].peakRssBytes = 50 << 20
        later.nodes[1].isLeader = false
        later.nodes[2] = NodeUsage(id: "n2", cpuSeconds: 1, peakRssBytes: 1, note: nil)
        let sum = report(limits: nil).adding(later)
        #expect(sum.messages == 24_000 && sum.elapsed == .seconds(10) && sum.errors == 3)
        #expect(sum.messagesPerSecond == 2_400)
        #expect(sum.firstError == "later")
        #expect(sum.latency.count == 1_001 && sum.latency.value(atPercentile: 100) == 5_000_000)
        #expect(sum.nodes.map(\.cpuSeconds) == [2.5, 5, nil])
        #expect(sum.nodes.map(\.peakRssBytes) == [50 << 20, 40 << 20, nil])
        #expect(sum.nodes.map(\.diskWriteBytes) == [50_000_000, 54_000_000, nil])
        #expect(sum.nodes.map(\.isLeader) == [false, false, false])
        #expect(sum.nodes[2].note == "process unknown: nothing listens")
        #expect(sum.load == "raw appends of 1024 B")
    }

    /// Percentiles are their buckets' highest values (500 µs → 0.502 ms), capped at the maximum.
    @Test func jsonHasExactlyTheDocumentedShape() {
        let limits = MachineLimits(fdatasyncPerSecond: 15_000.04, sequentialWriteMBps: 400.26, loopbackRttMicros: 25.01)
        #expect(
            report(limits: limits).json.rendered
                == #"{"messagesPerSecond": 2500.0, "megabytesPerSecond": 2.56, "#
                + #""latencyMs": {"p50": 0.502, "p90": 0.901, "p99": 0.991, "p999": 1.0, "max": 1.0}, "errors": 3, "#
                + #""diskBytesPerMessage": 1300.0, "#
                + #""nodes": [{"id": "n0", "cpuSeconds": 1.25, "peakRssBytes": 31457280, "diskWriteBytes": 25000000}, "#
                + #"{"id": "n1", "cpuSeconds": 2.5, "peakRssBytes": 41943040, "diskWriteBytes": 27000000}, "#
                + #"{"id": "n2", "cpuSeconds": null, "peakRssBytes": null, "diskWriteBytes": null}], "#
                + #""limits": {"fdatasyncPerSecond": 15000.0, "sequentialWriteMBps": 400.3, "loopbackRttMicros": 25.0}}"#
        )
        #expect(!report(limits: nil).json.rendered.contains("limits"))
        var messages = report(limits: nil)
        messages.storedRecordBytes = 1200
        #expect(
            messages.text.contains(
                "disk:        1300.0 bytes written per message on each node (1.08 × the 1200-byte stored record)\n"),
            "\(messages.text)")
    }

    @Test func aPausedFollowerAddsLeadershipAndCatchUp() {
        var report = report(limits: nil)
        report.lag = LagReport(
            follower: "n2", stopped: .milliseconds(3004), continued: .milliseconds(38_010),
            leaders: [LagReport.Leader(node: "n1", term: 1, at: .milliseconds(20))], highestTerm: 1,
            catchUp: .milliseconds(1750))
        #expect(report.json.rendered.hasSuffix(#""diskWriteBytes": null}], "leaderChanges": 0, "catchUpMs": 1750}"#))
        #expect(
            report.text.contains(
                "paused:      n2 SIGSTOPped at 3004 ms, SIGCONT at 38010 ms; caught up (lag 0) 1750 ms after SIGCONT\n"
                    + "leadership:  0 changes (n1 led term 1 throughout; highest term reported 1)\n"))
        report.lag = LagReport(
            follower: "n2", stopped: .milliseconds(3004), continued: .milliseconds(38_010),
            leaders: [
                LagReport.Leader(node: "n1", term: 1, at: .milliseconds(20)),
                LagReport.Leader(node: "n0", term: 3, at: .milliseconds(38_512)),
                LagReport.Leader(node: "n1", term: 5, at: .milliseconds(40_003)),
            ], highestTerm: 6, catchUp: nil)
        #expect(report.json.rendered.hasSuffix(#""leaderChanges": 2, "catchUpMs": null}"#))
        #expect(report.text.contains("; not caught up within 120000 ms of SIGCONT\n"))
        #expect(
            report.text.contains(
                "leadership:  2 changes (n1 in term 1, then n0 in term 3 at 38512 ms, n1 in term 5 at 40003 ms; "
                    + "highest term reported 6)\n"))
        report.lag = LagReport(
            follower: nil, note: "no leader with a follower to stop was seen in time; nothing was paused")
        #expect(
            report.text.contains(
                "paused:      no follower paused — no leader with a follower to stop was seen in time; nothing was paused"
            ))
    }

    @Test func textNamesEveryFigure() {
        let text = report(limits: nil).text
        for part in [
            "2500.0 messages/s", "2.56 MB/s", "p99.9 1.000", "errors:      3", "node n1:", "leader",
            "cpu unknown, peak RSS unknown — process unknown: nothing listens",
        ] {
            #expect(text.contains(part), "the report lacks \(part):\n\(text)")
        }
    }

    @Test func fixedDecimals() {
        #expect(fixed(812.3, 2) == "812.30")
        #expect(fixed(0.0004, 3) == "0.000")
        #expect(fixed(-1.25, 1) == "-1.3")
        #expect(fixed(1e-5, 2) == "0.00")
        #expect(fixed(42, 0) == "42")
        #expect(fixed(.infinity, 1) == "-")
    }
}

@Suite struct BenchPacingTests {
    @Test func aRateSpreadsRequestsEvenlyOverTheProducers() {
        var load = BenchLoad(
            operation: MessageSendOperation(topic: "t", size: 8, batch: 4), producers: 2, inflight: 8, mode: .async,
            duration: .seconds(1), timeout: .seconds(1))
        #expect(load.requestInterval == nil)
        load.rate = 1000
        // 1,000 msg/s in batches of 4 over 2 producers: each sends a request every 8 ms.
        #expect(load.requestInterval == .milliseconds(8))
        #expect(load.description.contains("paced at 1000 msg/s"))
    }
}

@Suite struct BenchQuarterPeakTests {
    private func report(_ messagesPerSecond: Double) -> BenchReport {
        BenchReport(
            load: "test", messages: Int(messagesPerSecond), elapsed: .seconds(1), messageSize: 1024,
            latency: LatencyHistogram(), errors: 0, nodes: [])
    }

    @Test func theLastRowIsPacedAtAQuarterOfTheBest1KiBBatch1Throughput() {
        let rows: [(BenchMatrix.Cell, BenchReport)] = [
            (BenchMatrix.Cell(producers: 1, inflight: 16, size: 1024, batch: 1), report(20_000)),
            (BenchMatrix.Cell(producers: 4, inflight: 64, size: 1024, batch: 1), report(40_000)),
            (BenchMatrix.Cell(producers: 4, inflight: 64, size: 1024, batch: 32), report(90_000)),
            (BenchMatrix.Cell(producers: 4, inflight: 64, size: 128, batch: 1), report(80_000)),
        ]
        #expect(
            BenchMatrix.quarterPeakCell(after: rows)
                == BenchMatrix.Cell(producers: 4, inflight: 64, size: 1024, batch: 1, rate: 10_000))
        #expect(BenchMatrix.quarterPeakCell(after: []) == nil)
    }
}
