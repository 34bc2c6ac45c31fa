import LedgerCLI

/// `ledger soak` as the executable runs it.
package enum SoakCommand {
    /// The command name this module parses.
    package static let name = "soak"
    static let title = "ledger \(name)"

    /// Parses `arguments` (the command name first) and runs the command; returns the process
    /// exit code. Throws the usage error to print (exit code 2).
    package static func run(_ arguments: [String]) throws(UsageError) -> Int32 {
        try SoakInvocation.parse(arguments).run()
    }
}

/// A parsed `ledger soak` command line.
enum SoakInvocation: Sendable, Hashable {
    /// Print this text on stdout and exit 0.
    case help(String)
    case soak(SoakOptions)

    /// Parses `arguments`, the command name first. Precondition: it is `soak`.
    static func parse(_ arguments: [String]) throws(UsageError) -> SoakInvocation {
        precondition(arguments.first == SoakCommand.name, "not a soak command line: \(arguments)")
        let flags = try FlagParser.parse(
            Array(arguments.dropFirst()), flags: SoakOptions.flags, command: SoakCommand.title)
        if flags.wantsHelp {
            return .help(
                Help.text(usage: SoakHelp.usage, about: SoakHelp.about, flags: SoakOptions.flags, findsPeers: false))
        }
        return .soak(try SoakOptions.parse(flags))
    }

    /// Runs the command; returns the process exit code.
    func run() -> Int32 {
        switch self {
        case .help(let text):
            Console.out(text)
            return ExitCode.success
        case .soak(let options):
            return SoakRunner(options: options).run()
        }
    }
}

/// The `ledger soak --help` text.
enum SoakHelp {
    static let usage =
        "ledger soak [--duration 30m] [--reserved 2m] [--rate 300] [--message-size 1024] [--file-size SIZE] [--interval TIME] [--seed N] [--faults LIST] [--fault-every 60s] [--report FILE] [--keep-data]"

    static let about = """
        Retention over time under faults (`make soak`, SOAK=10m or SOAK=2h for other lengths).
        Starts three `ledger server` processes (this binary; with --fault-injection when
        partitions are among the faults) on free loopback ports in a fresh temporary directory,
        with fileReservedTime = --reserved, dataFileSize = --file-size, deleteWhen naming every
        hour (so expired files go at once) and the disk ratios at their defaults.
        The load is `ledger chaos`'s message workload without held messages: four idempotent
        producers send --rate messages per second together (bodies of --message-size bytes
        naming the operation, a key each) to the 4 queues each of chaos-a and chaos-b, and
        consumer groups chaos-g0 (two members) and chaos-g1 (one) read them and commit their
        offsets every 500 ms. A fault of --faults (kill, pause, restart, partition, as
        `ledger chaos` injects them, aimed at the leader two times in three) comes a random
        half to 1.5 times --fault-every after the last one healed (30-90 s by default), drawn
        from --seed; each prints a line when injected and one when healed.
        Every --interval it prints one row per node: the bytes of storage the files under its
        storeBaseDir take (DISK, as du counts), of which the log's data files (DATA), open
        descriptors (FDS, /proc/<pid>/fd), resident memory (RSS, VmRSS), and its log's first
        index (FIRST); then the load's row: sends acknowledged in all, acknowledged per second
        over the interval, the p99 latency of those acknowledged in it, those not acknowledged,
        faults so far. Faults and samples take turns on one thread: a row after a fault comes
        once the group is stable again.
        The growth rule: the judged window starts one --reserved after the first retention pass
        on every node (each node's first index above 1). Of the samples in it, the last third
        (rounded up) must stay, for each node and figure, at or below the largest value before
        it plus a margin: DISK one data file + 5 %, DISK less DATA (the log's index, consume
        queues, key index, snapshots, checkpoints) 1 MiB + 5 %, FDS 8 + 5 %, RSS 8 MiB + 5 %.
        At least 3 samples must lie in the window, and every node's first index must have moved
        on within it (retention keeps running).
        After the load it heals everything and checks: every node up and, within 60 s, at one
        last index with the same applied index and state digest; a pull at 0 and at min
        offset - 1 of every queue answered OFFSET_ILLEGAL with next offset = min offset (and
        min offset above 0). Then every check of `ledger chaos` over the run's history, each
        node's log read from its first index (the state before it from the node's snapshot):
        logs, queues and digests compared where every node still holds data; an acknowledged
        send retention deleted passes only if its first attempt started --reserved or more
        before the logs were read, a younger one must be where it was acknowledged; committed
        offsets may lie below a queue's start, never beyond its end. Reads, duplicates and
        order across the deleted part cannot be checked.
        --report writes one JSON object: {"seed", "durationMs", "reservedMs", "rate",
        "messageSize", "dataFileSize", "sampleIntervalMs", "faultsEnabled", "faultGapMs",
        "samples": [{"atMs", "acknowledgedTotal", "acknowledged", "perSecond", "p99Ms",
        "notAcknowledged", "faultsSoFar", "nodes": [{"node", "diskBytes", "dataBytes",
        "descriptors", "rssBytes", "firstIndex"}]}], "firstRetentionPassMs", "finalLogs":
        [{"node", "firstIndex", "commitIndex", "entriesRead"}], "retentionCut": {"firstIndex",
        "queueStarts", "expiredAcknowledged"}, "soakChecks": [{"name", "passed", "detail"}],
        "chaos": (the `ledger chaos --report` object of the run), "verdict", "dataDirectory"}.
        Exits 0 when every check passed, 1 otherwise, naming the node and the figure or the
        check, and the seed (2 for usage errors). A failing run keeps its directory (configs,
        data, node logs).
        """
}
