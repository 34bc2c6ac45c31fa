import LedgerCLI

/// `ledger bench` and `ledger bench-failover` as the executable runs them.
package enum BenchCommands {
    /// The command names this module parses.
    package static let names: Set<String> = Set(BenchCommand.allCases.map(\.rawValue))

    /// Parses `arguments` (the command name first, one of ``names``) and runs the command;
    /// returns the process exit code. Throws the usage error to print (exit code 2).
    package static func run(_ arguments: [String]) throws(UsageError) -> Int32 {
        try BenchInvocation.parse(arguments).run()
    }
}

/// A parsed `ledger bench` or `ledger bench-failover` command line.
enum BenchInvocation: Sendable, Hashable {
    /// Print this text on stdout and exit 0.
    case help(String)
    case bench(BenchOptions)
    case benchFailover(BenchFailoverOptions)

    /// Parses `arguments`, the command name first. Precondition: it names a bench command.
    static func parse(_ arguments: [String]) throws(UsageError) -> BenchInvocation {
        guard let name = arguments.first, let command = BenchCommand(rawValue: name) else {
            preconditionFailure("not a bench command line: \(arguments)")
        }
        let flags = try FlagParser.parse(Array(arguments.dropFirst()), flags: command.flags, command: command.title)
        if flags.wantsHelp { return .help(command.help) }
        switch command {
        case .benchFailover:
            var options = BenchFailoverOptions()
            let title = command.title
            options.kills = try flags.wholeNumber("--kills", in: 1...1000, command: title) ?? options.kills
            options.writeInterval = .milliseconds(
                try flags.wholeNumber("--interval-ms", in: 1...10_000, command: title) ?? 5)
            options.keepDirectory = flags.has("--keep")
            return .benchFailover(options)
        case .bench:
            let client = try ClientFlags.parse(flags, command: command.title)
            return .bench(try BenchOptions.parse(flags, client: client, command: command.title))
        }
    }

    /// Runs the command; returns the process exit code.
    func run() -> Int32 {
        switch self {
        case .help(let text):
            Console.out(text)
            return ExitCode.success
        case .bench(let options):
            return Bench(options: options).run()
        case .benchFailover(let options):
            return BenchFailover(options: options).run()
        }
    }
}

/// The bench commands, their flags and their `--help`.
enum BenchCommand: String, CaseIterable {
    case benchFailover = "bench-failover"
    case bench

    var title: String { "ledger \(rawValue)" }

    var flags: [FlagSpec] {
        switch self {
        case .benchFailover:
            [
                FlagSpec(["--kills"], value: "N", help: "how many times to kill -9 the leader (default 20)"),
                FlagSpec(["--interval-ms"], value: "MS", help: "pause between appends of the write load (default 5)"),
                FlagSpec(["--keep"], help: "keep the temporary directory with configs, data and logs"),
            ]
        case .bench:
            BenchOptions.flags
        }
    }

    var help: String {
        switch self {
        case .benchFailover:
            Help.text(
                usage: "ledger bench-failover [--kills N] [--interval-ms MS] [--keep]",
                about: """
                    Starts a fresh three-node group (default settings) in a temporary directory, appends
                    every MS milliseconds, and N times kills -9 the leader (restarting it afterwards).
                    Prints, for each kill, the time until a write succeeded on the new leader, then the
                    p50 and the maximum. Exits 1 when a round saw no successful write within 10 s.
                    """, flags: flags, findsPeers: false)
        case .bench:
            Help.text(
                usage: "ledger bench [--producers N] [--inflight N] [--size BYTES] [--batch N] [--duration TIME] "
                    + "[--mode sync|async] [--topic T] [--json] [--limits] [--spawn | --peers LIST | -c FILE] "
                    + "[--timeout MS] [--matrix] [--pause-follower AFTER+FOR]",
                about: BenchOptions.helpText, flags: flags, findsPeers: true)
        }
    }
}
