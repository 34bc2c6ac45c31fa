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
        "ledger soak [--duration 30m] [--reserved 2m] [--rate 300] [--message-size 1024] [--file-size SIZE] [--interval TIME] [--keep-data]"

    static let about = """
        Retention under a steady load, over time (`make soak`, SOAK=10m to shorten). Starts three
        `ledger server` processes (this binary) on free loopback ports in a fresh temporary
        directory, with fileReservedTime = --reserved, dataFileSize = --file-size, deleteWhen naming
        every hour (so expired files go at once) and the disk ratios at their defaults. Four
        producers send --rate messages per second together (each --message-size bytes, a key
        each, round the 4 queues of topic SoakTest, synchronously through the client, paced) and
        one consumer group, soak-g, reads every queue and commits its offsets every 5 s.
        Every --interval it prints one row per node: the bytes of storage the files under its
        storeBaseDir take (DISK, as du counts), of which the log's data files (DATA), open
        descriptors (FDS, /proc/<pid>/fd), resident memory (RSS, VmRSS), and its log's first
        index (FIRST); then the sends acknowledged.
        The growth rule: the judged window starts one --reserved after the first retention pass
        on every node (each node's first index above 1). Of the samples in it, the last third
        (rounded up) must stay, for each node and figure, at or below the largest value before
        it plus a margin: DISK one data file + 5 %, DISK less DATA (the log's index, consume
        queues, key index, snapshots, checkpoints) 1 MiB + 5 %, FDS 8 + 5 %, RSS 8 MiB + 5 %.
        At least 3 samples must lie in the window, and every node's first index must have moved
        on within it (retention keeps running).
        After the load stops: every node up and, within 60 s, at one last index with the same
        applied index and state digest (stateApplied, stateDigest); every acknowledged message
        not yet expired (its store time within --reserved of the moment it is read) pulled from
        the leader at its queue offset with its physical offset and key, older ones either there
        too or below the queue's min offset; a pull at 0 and at min offset - 1 of every queue
        answered OFFSET_ILLEGAL with next offset = min offset (and min offset above 0); no send
        or read failed. It prints each check, how each node's store changed by directory over
        the window, the retention passes each node logged, and the verdict.
        Exits 0 when every check passed, 1 otherwise, naming the node and the figure (2 for
        usage errors). A failing run keeps its directory (configs, data, node logs).
        """
}
