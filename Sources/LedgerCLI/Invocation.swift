import LedgerConfig
import LedgerModel

/// Where a client command gets the group's peer list.
public enum PeerSource: Sendable, Hashable {
    /// `--peers LIST`, in the config files' `peers` format.
    case list(String)
    /// `-c FILE`: the `peers` of one node's config file.
    case configFile(String)
    /// Neither flag: the `peers` of `conf/n0.conf`, `conf/n1.conf` and `conf/n2.conf`, whichever exist.
    case defaultConfigFiles
}

/// The flags every client command shares.
public struct ClientFlags: Sendable, Hashable {
    public var peers: PeerSource
    /// The overall timeout of one operation, retries included.
    public var timeout: Duration

    public init(peers: PeerSource = .defaultConfigFiles, timeout: Duration = .seconds(3)) {
        self.peers = peers
        self.timeout = timeout
    }
}

/// Settings of `ledger bench-failover`.
public struct BenchFailoverOptions: Sendable, Hashable {
    /// How many times the leader is killed.
    public var kills = 20
    /// The pause between two appends of the write load.
    public var writeInterval: Duration = .milliseconds(5)
    /// Keep the temporary directory (configs, data, logs) afterwards.
    public var keepDirectory = false

    public init() {}
}

/// A parsed `ledger` command line.
public enum Invocation: Sendable, Hashable {
    /// Print this text on stdout and exit 0.
    case help(String)
    /// `ledger server -c FILE [--fault-injection]`.
    case server(configPath: String, faultInjection: Bool)
    /// `ledger status`: `watch` is the refresh interval of `--watch`.
    case status(ClientFlags, json: Bool, watch: Duration?)
    /// `ledger append`: one entry from `--data`, or one per line of stdin when nil.
    case append(ClientFlags, data: String?)
    /// `ledger get --index N`.
    case get(ClientFlags, index: UInt64, json: Bool)
    /// `ledger transfer-leader --to ID`: the node id as written (`n2`).
    case transferLeader(ClientFlags, to: String)
    /// `ledger bench-failover`.
    case benchFailover(BenchFailoverOptions)
    /// `ledger bench`.
    case bench(BenchOptions)
    /// `ledger send`, `pull`, `offsets`, `topics` (see `MessageInvocation.swift`).
    case messages(MessageInvocation)
    /// `ledger chaos`.
    case chaos(ChaosOptions)

    /// Parses `arguments` (without the program name). Throws for anything it cannot run.
    public static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        guard let name = arguments.first else { throw UsageError("no command given", command: "ledger") }
        let rest = Array(arguments.dropFirst())
        if ["--help", "-h", "help"].contains(name) { return .help(Help.main) }
        if let command = MessageCommand(rawValue: name) { return try command.invocation(rest) }
        guard let command = Command(rawValue: name) else {
            throw UsageError("unknown command \(quoted(name))", command: "ledger")
        }
        let flags = try FlagParser.parse(rest, flags: command.flags, command: command.title)
        if flags.wantsHelp { return .help(Help.text(for: command)) }
        return try command.invocation(from: flags)
    }
}

/// The subcommands and the flags each accepts.
enum Command: String, CaseIterable {
    case server
    case status
    case append
    case get
    case transferLeader = "transfer-leader"
    case benchFailover = "bench-failover"
    case bench
    case chaos

    var title: String { "ledger \(rawValue)" }

    static let peersFlag = FlagSpec(
        ["--peers"], value: "LIST",
        help: "the group's members, e.g. n0-127.0.0.1:40911;n1-127.0.0.1:40912 (as in config files)")
    static let configFlag = FlagSpec(
        ["--config", "-c"], value: "FILE", help: "read the member list from this node config file")
    static let timeoutFlag = FlagSpec(
        ["--timeout"], value: "MS", help: "give up after this many milliseconds, retries included (default 3000)")
    static let clientFlags = [peersFlag, configFlag, timeoutFlag]

    var flags: [FlagSpec] {
        switch self {
        case .server:
            [
                FlagSpec(
                    ["--config", "-c"], value: "FILE",
                    help: "the node's configuration file, e.g. conf/n0.conf (required)"),
                FlagSpec(
                    ["--fault-injection"],
                    help: "test only: accept the chaos runner's requests to drop Raft traffic to and from peers"),
            ]
        case .status:
            Command.clientFlags + [
                FlagSpec(["--json"], help: "print one JSON object instead of the table"),
                FlagSpec(["--watch"], value: "SECONDS", help: "redraw every SECONDS (e.g. 1 or 0.5) until interrupted"),
            ]
        case .append:
            Command.clientFlags + [
                FlagSpec(
                    ["--data"], value: "TEXT",
                    help: "append one entry holding TEXT; without it, one entry per line of stdin")
            ]
        case .get:
            Command.clientFlags + [
                FlagSpec(["--index"], value: "N", help: "the log index to read (required, 1 or more)"),
                FlagSpec(["--json"], help: "print {\"index\", \"term\", \"data\"} instead of the data"),
            ]
        case .transferLeader:
            Command.clientFlags + [
                FlagSpec(["--to"], value: "ID", help: "the node to hand leadership to, e.g. n2 (required)")
            ]
        case .benchFailover:
            [
                FlagSpec(["--kills"], value: "N", help: "how many times to kill -9 the leader (default 20)"),
                FlagSpec(["--interval-ms"], value: "MS", help: "pause between appends of the write load (default 5)"),
                FlagSpec(["--keep"], help: "keep the temporary directory with configs, data and logs"),
            ]
        case .bench:
            BenchOptions.flags
        case .chaos:
            Command.chaosFlags
        }
    }

    func invocation(from flags: ParsedFlags) throws(UsageError) -> Invocation {
        switch self {
        case .server:
            guard let path = flags.value("--config") else { throw UsageError("-c FILE is required", command: title) }
            return .server(configPath: path, faultInjection: flags.has("--fault-injection"))
        case .status:
            var watch: Duration?
            if let text = flags.value("--watch") {
                guard let seconds = Double(text), seconds.isFinite, seconds >= 0.1, seconds <= 86_400 else {
                    throw UsageError("--watch: expected seconds from 0.1 to 86400, got \(quoted(text))", command: title)
                }
                watch = .milliseconds(Int64(seconds * 1000))
            }
            return .status(try clientFlags(flags), json: flags.has("--json"), watch: watch)
        case .append:
            return .append(try clientFlags(flags), data: flags.value("--data"))
        case .get:
            guard let text = flags.value("--index") else { throw UsageError("--index N is required", command: title) }
            guard let index = UInt64(text), index >= 1 else {
                throw UsageError("--index: expected a log index (1 or more), got \(quoted(text))", command: title)
            }
            return .get(try clientFlags(flags), index: index, json: flags.has("--json"))
        case .transferLeader:
            guard let target = flags.value("--to") else { throw UsageError("--to ID is required", command: title) }
            guard Peer.nodeID(forName: target) != nil else {
                throw UsageError("--to: expected a node id such as n2, got \(quoted(target))", command: title)
            }
            return .transferLeader(try clientFlags(flags), to: target)
        case .benchFailover:
            var options = BenchFailoverOptions()
            options.kills = try number(flags, "--kills", default: options.kills, 1...1000)
            options.writeInterval = .milliseconds(try number(flags, "--interval-ms", default: 5, 1...10_000))
            options.keepDirectory = flags.has("--keep")
            return .benchFailover(options)
        case .bench:
            return .bench(try BenchOptions.parse(flags, client: try clientFlags(flags), command: title))
        case .chaos:
            return .chaos(try chaosOptions(from: flags))
        }
    }

    private func clientFlags(_ flags: ParsedFlags) throws(UsageError) -> ClientFlags {
        try Command.parseClientFlags(flags, command: title)
    }

    /// `--peers`/`-c` and `--timeout`, for any client command.
    static func parseClientFlags(_ flags: ParsedFlags, command title: String) throws(UsageError) -> ClientFlags {
        var client = ClientFlags()
        switch (flags.value("--peers"), flags.value("--config")) {
        case (let list?, nil): client.peers = .list(list)
        case (nil, let path?): client.peers = .configFile(path)
        case (nil, nil): client.peers = .defaultConfigFiles
        case (_?, _?): throw UsageError("give either --peers or -c, not both", command: title)
        }
        if let text = flags.value("--timeout") {
            guard let milliseconds = Int(text), (1...600_000).contains(milliseconds) else {
                throw UsageError(
                    "--timeout: expected a whole number from 1 to 600000, got \(quoted(text))", command: title)
            }
            client.timeout = .milliseconds(milliseconds)
        }
        return client
    }

    private func number(_ flags: ParsedFlags, _ name: String, default value: Int, _ range: ClosedRange<Int>)
        throws(UsageError) -> Int
    {
        guard let text = flags.value(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                "\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(quoted(text))",
                command: title)
        }
        return number
    }
}
