import LedgerModel

/// How `ledger consume` records its progress.
package enum CommitMode: Sendable, Hashable {
    /// `--auto-commit MS` (the default, every 5000 ms): every queue's offset that moved, every
    /// interval, and at exit.
    case automatic(intervalMilliseconds: Int)
    /// `--manual`: each queue's offset right after each batch of its messages is printed.
    case manual
    /// `--broadcast`: nothing is committed to the broker (each member keeps its own offsets).
    case none
}

/// `ledger consume` settings.
package struct ConsumeOptions: Sendable, Hashable {
    package var topic: String
    package var group: String
    /// The subscription: `*` or `TagA || TagB`.
    package var tags = "*"
    package var start: ConsumeStart = .last
    /// Every member reads every queue (no rebalancing, no locks, no commits).
    package var broadcast = false
    /// Read only queues this member holds the lock of.
    package var orderly = false
    package var commit: CommitMode = .automatic(intervalMilliseconds: 5_000)

    package init(topic: String, group: String) {
        self.topic = topic
        self.group = group
    }
}

/// What `ledger query` looks for.
package enum MessageQuery: Sendable, Hashable {
    /// Messages with this key, in one topic or (nil) in every topic.
    case key(String, topic: String?)
    /// The message with this offset message id.
    case messageID(String)
}

/// The consumer commands of `ledger`: `consume`, `query`, `groups`.
package enum ConsumerInvocation: Sendable, Hashable {
    case consume(ClientFlags, ConsumeOptions)
    case query(ClientFlags, MessageQuery, json: Bool)
    /// `ledger groups [--group G] [--json]`.
    case groups(ClientFlags, group: String?, json: Bool)
}

/// The consumer subcommands and their flags.
enum ConsumerCommand: String, CaseIterable {
    case consume
    case query
    case groups

    var title: String { "ledger \(rawValue)" }

    var flags: [FlagSpec] {
        let json = FlagSpec(["--json"], help: "print one JSON object instead of text")
        switch self {
        case .consume:
            return ClientFlags.flags + [
                FlagSpec(["--topic"], value: "T", help: "the topic to consume (required)"),
                FlagSpec(["--group"], value: "G", help: "the consumer group to join (required)"),
                FlagSpec(["--tags"], value: "EXPR", help: "only tags matching EXPR: * (default) or TagA || TagB"),
                FlagSpec(
                    ["--from"], value: "WHERE",
                    help:
                        "where a queue the group never committed on starts: first, last (default) or a time "
                        + "(RFC 3339 such as 2026-12-07T17:30:00Z, or ms since the epoch)"),
                FlagSpec(
                    ["--broadcast"], help: "every member reads every queue; no offsets are committed to the broker"),
                FlagSpec(
                    ["--orderly"], help: "read a queue only while holding its lock, so one member reads it at a time"),
                FlagSpec(
                    ["--auto-commit"], value: "MS",
                    help: "commit the offsets read every MS ms, 10 to 600000 (default 5000), and at exit"),
                FlagSpec(["--manual"], help: "commit each queue's offset right after each printed batch"),
            ]
        case .query:
            return ClientFlags.flags + [
                FlagSpec(["--key"], value: "K", help: "the messages with this key (with --topic, of that topic only)"),
                FlagSpec(["--topic"], value: "T", help: "look up --key in this topic only (default: every topic)"),
                FlagSpec(["--msg-id"], value: "ID", help: "the message with this message id (as send prints it)"),
                json,
            ]
        case .groups:
            return ClientFlags.flags + [
                FlagSpec(["--group"], value: "G", help: "only this consumer group"),
                json,
            ]
        }
    }

    /// Parses the arguments after the command name.
    func invocation(_ arguments: [String]) throws(UsageError) -> Invocation {
        let flags = try FlagParser.parse(arguments, flags: self.flags, command: title)
        if flags.wantsHelp { return .help(ConsumerHelp.text(for: self)) }
        let client = try ClientFlags.parse(flags, command: title)
        switch self {
        case .consume:
            return .consumers(.consume(client, try consumeOptions(flags)))
        case .query:
            let query: MessageQuery
            switch (flags.value("--key"), flags.value("--msg-id")) {
            case (let key?, nil):
                guard !key.isEmpty else { throw UsageError("--key: expected a key, got \"\"", command: title) }
                query = .key(
                    key,
                    topic: try flags.value("--topic").map { (topic) throws(UsageError) in
                        try checkedTopic(topic)
                    })
            case (nil, let id?):
                guard flags.value("--topic") == nil else {
                    throw UsageError("--topic goes with --key; a message id names its message alone", command: title)
                }
                guard MessageID.parse(id) != nil else {
                    throw UsageError(
                        "--msg-id: expected a message id (32 or 56 hex digits, as send prints it), got \(quoted(id))",
                        command: title)
                }
                query = .messageID(id)
            case (nil, nil): throw UsageError("give --key K or --msg-id ID", command: title)
            case (_?, _?): throw UsageError("give either --key or --msg-id, not both", command: title)
            }
            return .consumers(.query(client, query, json: flags.has("--json")))
        case .groups:
            let group = try flags.value("--group").map { (group) throws(UsageError) in try checkedGroup(group) }
            return .consumers(.groups(client, group: group, json: flags.has("--json")))
        }
    }

    private func consumeOptions(_ flags: ParsedFlags) throws(UsageError) -> ConsumeOptions {
        guard let topic = flags.value("--topic") else { throw UsageError("--topic T is required", command: title) }
        guard let group = flags.value("--group") else { throw UsageError("--group G is required", command: title) }
        var options = ConsumeOptions(topic: try checkedTopic(topic), group: try checkedGroup(group))
        if let tags = flags.value("--tags") {
            guard !tags.utf8.contains(where: { $0 < 0x20 }) else {
                throw UsageError("--tags: control characters are not allowed, got \(quoted(tags))", command: title)
            }
            options.tags = tags
        }
        if let text = flags.value("--from") {
            guard let start = ConsumeStart(flagValue: text) else {
                throw UsageError(
                    "--from: expected first, last, an RFC 3339 time (2026-12-07T17:30:00Z) or ms since the epoch, "
                        + "got \(quoted(text))",
                    command: title)
            }
            options.start = start
        }
        options.broadcast = flags.has("--broadcast")
        options.orderly = flags.has("--orderly")
        let interval = try flags.wholeNumber("--auto-commit", in: 10...600_000, command: title)
        switch (interval, flags.has("--manual"), options.broadcast) {
        case (nil, false, false): options.commit = .automatic(intervalMilliseconds: 5_000)
        case (let interval?, false, false): options.commit = .automatic(intervalMilliseconds: interval)
        case (nil, true, false): options.commit = .manual
        case (nil, false, true): options.commit = .none
        case (_?, true, _): throw UsageError("give either --auto-commit or --manual, not both", command: title)
        case (_, _, true):
            throw UsageError(
                "--broadcast commits nothing to the broker: not with --auto-commit or --manual", command: title)
        }
        if options.broadcast && options.orderly {
            throw UsageError(
                "--orderly locks each queue to one member of a clustering group: not with --broadcast", command: title)
        }
        return options
    }

    private func checkedTopic(_ topic: String) throws(UsageError) -> String {
        if let problem = TopicName.problem(topic) {
            throw UsageError("--topic: \(quoted(topic)) is not a topic name: \(problem)", command: title)
        }
        return topic
    }

    /// RocketMQ's rule for group names (`Validators.checkGroup`): 1 to 255 letters, digits and
    /// `%|_-`.
    private func checkedGroup(_ group: String) throws(UsageError) -> String {
        let allowed = group.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "%"), UInt8(ascii: "|"), UInt8(ascii: "_"),
                UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
        guard !group.isEmpty, group.utf8.count <= 255, allowed else {
            throw UsageError(
                "--group: \(quoted(group)) is not a group name: 1 to 255 letters, digits and %|_- are allowed",
                command: title)
        }
        return group
    }
}
