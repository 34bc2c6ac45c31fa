import LedgerConfig
import LedgerModel

/// A parsed `ledger` command line: the node and the client commands. (`bench`,
/// `bench-failover` and `chaos` are parsed by their own modules; the executable dispatches.)
package enum Invocation: Sendable, Hashable {
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
    /// `ledger send`, `pull`, `offsets`, `topics` (see `MessageInvocation.swift`).
    case messages(MessageInvocation)
    /// `ledger topics create|alter|delete|describe` (see `TopicAdminInvocation.swift`).
    case topicAdmin(TopicAdminInvocation)
    /// `ledger consume`, `query`, `groups` (see `ConsumerInvocation.swift`).
    case consumers(ConsumerInvocation)

    /// Parses `arguments` (without the program name). Throws for anything it cannot run.
    package static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        guard let name = arguments.first else { throw UsageError("no command given", command: "ledger") }
        let rest = Array(arguments.dropFirst())
        if ["--help", "-h", "help"].contains(name) { return .help(Help.main) }
        if name == MessageCommand.topics.rawValue, let word = rest.first, !word.hasPrefix("-") {
            guard let command = TopicAdminCommand(rawValue: word) else {
                throw UsageError(
                    "unknown subcommand \(quoted(word)) (create, alter, delete, describe; none lists every topic)",
                    command: "ledger topics")
            }
            return try command.invocation(Array(rest.dropFirst()))
        }
        if let command = MessageCommand(rawValue: name) { return try command.invocation(rest) }
        if let command = ConsumerCommand(rawValue: name) { return try command.invocation(rest) }
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

    var title: String { "ledger \(rawValue)" }

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
            ClientFlags.flags + [
                FlagSpec(["--json"], help: "print one JSON object instead of the table"),
                FlagSpec(["--watch"], value: "SECONDS", help: "redraw every SECONDS (e.g. 1 or 0.5) until interrupted"),
            ]
        case .append:
            ClientFlags.flags + [
                FlagSpec(
                    ["--data"], value: "TEXT",
                    help: "append one entry holding TEXT; without it, one entry per line of stdin")
            ]
        case .get:
            ClientFlags.flags + [
                FlagSpec(["--index"], value: "N", help: "the log index to read (required, 1 or more)"),
                FlagSpec(["--json"], help: "print {\"index\", \"term\", \"data\"} instead of the data"),
            ]
        case .transferLeader:
            ClientFlags.flags + [
                FlagSpec(["--to"], value: "ID", help: "the node to hand leadership to, e.g. n2 (required)")
            ]
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
        }
    }

    private func clientFlags(_ flags: ParsedFlags) throws(UsageError) -> ClientFlags {
        try ClientFlags.parse(flags, command: title)
    }
}
