import LedgerCLI
import LedgerClient
import LedgerConfig

/// Settings of `ledger soak`.
struct SoakOptions: Sendable, Hashable {
    /// How long the load runs (the final checks come after).
    var duration: Duration = .seconds(1800)
    /// The group's `fileReservedTime`.
    var reserved: Duration = .seconds(120)
    /// Messages per second all producers together send.
    var rate = 300
    /// Bytes of each message's body.
    var messageSize = 1024
    /// The group's `dataFileSize` as `--file-size` gave it; nil for ``defaultFileSize``.
    var fileSize: Int?
    /// Time between two samples as `--interval` gave it; nil for ``defaultInterval``.
    var interval: Duration?
    /// Keep the temporary directory even when the run passes.
    var keepData = false
    /// The seed of the fault schedule and the workload's choices; nil picks one from the clock.
    var seed: UInt64?
    /// The faults injected, one at a time (empty: none).
    var faults: [ChaosFaultKind] = ChaosFaultKind.defaults
    /// The mean time from one fault's heal to the next fault: each gap is drawn from half of it
    /// to one and a half times it (30–90 s for the default minute).
    var faultEvery: Duration = .seconds(60)
    /// Where to write the JSON report, if anywhere.
    var reportPath: String?

    /// The shortest and longest gap between a heal and the next fault, in ms.
    var faultGaps: ClosedRange<Int> {
        let mean = Int(faultEvery.wholeMilliseconds)
        return (mean / 2)...(mean + mean / 2)
    }

    /// The queues of each of the workload's topics (``ChaosMessageWorkload/topics``).
    static let queueCount: Int32 = 4
    /// Every node's `maxMessageSize`: above any `--message-size` plus its record's header and
    /// properties, below the smallest data file.
    static let maxMessageSize = 32 << 10
    /// The smallest and largest `--file-size`.
    static let fileSizes = (64 << 10)...(1 << 30)
    /// Bytes a stored message takes beyond its body (record header, topic, properties), roughly.
    static let recordOverhead = 200

    /// The group's `dataFileSize`: ``fileSize``, or else the largest power of two the load fills
    /// within a quarter of ``reserved`` (so retention always has whole files to delete), from
    /// 64 KiB to 8 MiB: 8 MiB for the defaults, 256 KiB for `--reserved 5s`.
    var dataFileSize: Int {
        if let fileSize { return fileSize }
        let bytesPerSecond = Double(rate * (messageSize + Self.recordOverhead))
        let target = bytesPerSecond * Double(reserved.wholeMilliseconds) / 4000
        var size = Self.fileSizes.lowerBound
        while size < 8 << 20 && Double(size * 2) <= target { size *= 2 }
        return size
    }

    /// The time between two samples: ``interval``, or else a minute, or a twentieth of the
    /// duration when that is shorter (at least a second).
    var sampleInterval: Duration {
        interval ?? max(.seconds(1), min(.seconds(60), duration / 20))
    }

    /// Entries of each consume-queue file and of each key-index file: the largest power of two
    /// (1024 at least, the products' defaults at most) that the load fills within a quarter of
    /// ``reserved``, so those files too come and go within the run and growth would show.
    var consumeQueueFileEntries: Int {
        Self.filled(
            by: Double(rate) / Double(Int(Self.queueCount) * ChaosMessageWorkload.topics.count), within: reserved,
            most: 300_000)
    }
    var keyIndexFileEntries: Int { Self.filled(by: Double(rate), within: reserved, most: 1 << 18) }

    private static func filled(by perSecond: Double, within reserved: Duration, most: Int) -> Int {
        let target = perSecond * Double(reserved.wholeMilliseconds) / 4000
        var entries = 1024
        while entries * 2 <= most && Double(entries * 2) <= target { entries *= 2 }
        return entries
    }

    /// The config lines every node of the soak's group gets beside the harness's own.
    var settings: [String] {
        [
            "dataFileSize=\(dataFileSize)", "maxMessageSize=\(Self.maxMessageSize)",
            "fileReservedTime=\(reserved.wholeMilliseconds)ms", "deleteWhen=\(Self.everyHour)",
            "defaultTopicQueueNums=\(Self.queueCount)",
            "mappedFileSizeConsumeQueue=\(consumeQueueFileEntries * 20)", "maxIndexNum=\(keyIndexFileEntries)",
        ]
    }

    /// `deleteWhen` naming every hour of the day: retention deletes as soon as files expire.
    static let everyHour = (0..<24).map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ";")
}

extension SoakOptions {
    /// What `ledger soak` accepts.
    static let flags = [
        FlagSpec(["--duration"], value: "TIME", help: "how long the load runs: 30m, 10m, 90s (default 30m)"),
        FlagSpec(
            ["--reserved"], value: "TIME",
            help: "the group's fileReservedTime: 2m, 90s, 5s (default 2m; at most a third of --duration)"),
        FlagSpec(["--rate"], value: "N", help: "messages per second, all producers together (default 300)"),
        FlagSpec(["--message-size"], value: "BYTES", help: "bytes of each message's body, 1 to 16384 (default 1024)"),
        FlagSpec(
            ["--file-size"], value: "SIZE",
            help:
                "the group's dataFileSize, 64KiB to 1GiB (default: 8MiB, or less when the load would not fill "
                + "a file within a quarter of --reserved)"),
        FlagSpec(
            ["--interval"], value: "TIME",
            help: "time between two samples (default 1m, or a twentieth of --duration when shorter)"),
        FlagSpec(["--keep-data"], help: "keep the temporary directory (configs, data, logs) even when the run passes"),
        FlagSpec(
            ["--seed"], value: "N", help: "seed of the fault schedule and every random choice (default: from the clock)"
        ),
        FlagSpec(
            ["--faults"], value: "LIST",
            help: "faults to inject, comma-separated: kill, pause, restart, partition, long-pause, or none "
                + "(default kill,pause,restart,partition)"),
        FlagSpec(
            ["--fault-every"], value: "TIME",
            help: "mean time from a fault's heal to the next, each gap drawn from half to 1.5 times it (default 60s)"),
        FlagSpec(["--report"], value: "FILE", help: "also write the report as JSON to FILE"),
    ]

    /// The options `flags` give (parsed with ``flags``).
    static func parse(_ flags: ParsedFlags) throws(UsageError) -> SoakOptions {
        let title = SoakCommand.title
        var options = SoakOptions()
        if let duration = try time(
            flags, "--duration", in: .seconds(10)...(.seconds(86_400)), example: "30m, 10m or 90s")
        {
            options.duration = duration
        }
        if let reserved = try time(flags, "--reserved", in: .seconds(1)...(.seconds(86_400)), example: "2m, 90s or 5s")
        {
            options.reserved = reserved
        }
        options.rate = try flags.wholeNumber("--rate", in: 1...5_000, command: title) ?? options.rate
        options.messageSize =
            try flags.wholeNumber("--message-size", in: 1...16_384, command: title) ?? options.messageSize
        if let text = flags.value("--file-size") { options.fileSize = try fileSize(text) }
        if let interval = try time(flags, "--interval", in: .seconds(1)...(.seconds(3600)), example: "1m, 30s or 2s") {
            options.interval = interval
        }
        options.keepData = flags.has("--keep-data")
        if let text = flags.value("--seed") {
            guard let seed = UInt64(text) else {
                throw UsageError(
                    "--seed: expected a whole number from 0 to \(UInt64.max), got \(quoted(text))", command: title)
            }
            options.seed = seed
        }
        if let text = flags.value("--faults") { options.faults = try faults(text) }
        if let every = try time(flags, "--fault-every", in: .seconds(2)...(.seconds(3600)), example: "60s, 5m or 4s") {
            options.faultEvery = every
        }
        options.reportPath = flags.value("--report")
        // The growth rule needs the first retention pass (about one reserved time after the
        // first file fills), one more reserved time, and samples after that.
        guard options.duration >= options.reserved * 3 else {
            throw UsageError(
                "--duration \(options.duration.flagText) is too short for --reserved \(options.reserved.flagText): "
                    + "give at least three times --reserved",
                command: title)
        }
        guard options.sampleInterval * 6 <= options.duration else {
            throw UsageError(
                "--interval \(options.sampleInterval.flagText) leaves fewer than 6 samples in --duration "
                    + "\(options.duration.flagText): give at most a sixth of it",
                command: title)
        }
        return options
    }

    private static func time(_ flags: ParsedFlags, _ name: String, in range: ClosedRange<Duration>, example: String)
        throws(UsageError) -> Duration?
    {
        guard let text = flags.value(name) else { return nil }
        guard let duration = Duration(flagValue: text, fractions: false), range.contains(duration) else {
            throw UsageError(
                "\(name): expected a time from \(range.lowerBound.wholeMilliseconds / 1000)s to "
                    + "\(range.upperBound.wholeMilliseconds / 3_600_000)h such as \(example), got \(quoted(text))",
                command: SoakCommand.title)
        }
        return duration
    }

    /// `--faults`: `none`, or kinds `ledger chaos --faults` accepts but netem (which needs
    /// `ledger chaos --netns`).
    private static func faults(_ text: String) throws(UsageError) -> [ChaosFaultKind] {
        if text == "none" { return [] }
        guard let kinds = ChaosOptions.parseFaults(text) else {
            throw UsageError(
                "--faults: expected none or a comma-separated list of kill, pause, restart, partition, long-pause, "
                    + "got \(quoted(text))",
                command: SoakCommand.title)
        }
        guard !kinds.contains(.netem) else {
            throw UsageError(
                "--faults: netem needs `ledger chaos --netns` (it degrades a node's own link); the soak runs on loopback",
                command: SoakCommand.title)
        }
        return kinds
    }

    /// `--file-size`, read by the config file's own parser for `dataFileSize`.
    private static func fileSize(_ text: String) throws(UsageError) -> Int {
        let problem = UsageError(
            "--file-size: expected a size from 64KiB to 1GiB such as 8MiB or 256KiB, got \(quoted(text))",
            command: SoakCommand.title)
        guard !text.contains("\n") else { throw problem }
        let sample = [
            "group=soak", "selfId=n0", "peers=n0-127.0.0.1:1", "storeBaseDir=soak",
            "maxMessageSize=\(maxMessageSize)", "dataFileSize=\(text)",
        ]
        do {
            let size = try NodeConfig.parse(sample.joined(separator: "\n"), source: "--file-size").dataFileSize
            guard fileSizes.contains(size) else { throw problem }
            return size
        } catch {
            throw problem
        }
    }
}

extension Duration {
    /// As a flag would give it: whole seconds as `90s`, anything else as `1500ms`.
    var flagText: String {
        let milliseconds = wholeMilliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
