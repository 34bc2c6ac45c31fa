import LedgerModel

/// How `ledger send` hands messages to the group.
enum SendMode: String, Sendable, Hashable, CaseIterable {
    /// Wait for each message to be stored; print where it went.
    case sync
    /// Hand each message to a background sender; print where it went as each completes (in order).
    case async
    /// Fire and forget: no answer is awaited, nothing is printed.
    case oneway
}

/// `ledger send` settings.
package struct SendOptions: Sendable, Hashable {
    var topic: String
    var tags: String?
    var keys: [String] = []
    var target: QueueTarget = .automatic
    var properties: [String: String] = [:]
    var mode: SendMode = .sync
    /// One message with this body; nil: one message per line of stdin.
    var body: String?
}

/// `ledger pull` settings.
package struct PullOptions: Sendable, Hashable {
    var topic: String
    var queueID: Int32
    /// Nil: the group's committed offset (with `--group`), else the queue's min offset.
    var offset: Int64?
    var maxCount = 32
    var tags = "*"
    var group: String?
    /// Commit the next offset for `group` after the pull.
    var commit = false
    var json = false
    /// Long-poll wait for a pull that finds nothing new.
    var waitMilliseconds = 0
}

/// The message commands of `ledger`: `send`, `pull`, `offsets`, `topics`.
package enum MessageInvocation: Sendable, Hashable {
    case send(ClientFlags, SendOptions)
    case pull(ClientFlags, PullOptions)
    /// `ledger offsets --group G [--topic T] [--json]`.
    case offsets(ClientFlags, group: String, topic: String?, json: Bool)
    /// `ledger topics [--json]`.
    case topics(ClientFlags, json: Bool)
}

/// The message subcommands and their flags. Parsed apart from ``Command`` so the two sets stay
/// independent (the other subcommands know nothing of topics and queues).
enum MessageCommand: String, CaseIterable {
    case send
    case pull
    case offsets
    case topics

    var title: String { "ledger \(rawValue)" }

    static let propertyFlag = FlagSpec(
        ["--property"], value: "K=V", help: "a user property; repeat for more (send only)")

    var flags: [FlagSpec] {
        let topic = FlagSpec(["--topic"], value: "T", help: "the topic (required)")
        let json = FlagSpec(["--json"], help: "print one JSON object instead of text")
        switch self {
        case .send:
            return ClientFlags.flags + [
                topic,
                FlagSpec(["--tags"], value: "TAGS", help: "the message's tag (consumers filter on it)"),
                FlagSpec(["--keys"], value: "K", help: "lookup keys, separated by spaces"),
                FlagSpec(
                    ["--key"], value: "SHARDING_KEY",
                    help: "pick the queue by this key's hash: same key, same queue, send order kept"),
                FlagSpec(["--queue"], value: "N", help: "send to queue N (not with --key)"),
                MessageCommand.propertyFlag,
                FlagSpec(
                    ["--delay-level"], value: "N",
                    help: "deliver after delay level N (1s 5s 10s 30s 1m ... by default; messageDelayLevel)"),
                FlagSpec(["--mode"], value: "MODE", help: "sync (default), async or oneway"),
                FlagSpec(
                    ["--body"], value: "TEXT",
                    help: "send one message with this body; without it, one per line of stdin"),
            ]
        case .pull:
            return ClientFlags.flags + [
                topic,
                FlagSpec(["--queue"], value: "N", help: "the queue id (required)"),
                FlagSpec(
                    ["--offset"], value: "O",
                    help:
                        "the first queue offset (default: the group's committed offset with --group, else the queue's first)"
                ),
                FlagSpec(["--max"], value: "N", help: "at most N messages (default 32)"),
                FlagSpec(["--tags"], value: "EXPR", help: "only tags matching EXPR: * (default) or TagA || TagB"),
                FlagSpec(["--group"], value: "G", help: "the consumer group (start from and --commit its offset)"),
                FlagSpec(["--commit"], help: "commit the next offset for --group after the pull"),
                FlagSpec(
                    ["--wait"], value: "MS",
                    help: "when nothing is new, wait up to MS ms for a message (long polling, at most 30000)"),
                json,
            ]
        case .offsets:
            return ClientFlags.flags + [
                FlagSpec(["--group"], value: "G", help: "the consumer group (required)"),
                FlagSpec(["--topic"], value: "T", help: "only this topic's queues"),
                json,
            ]
        case .topics:
            return ClientFlags.flags + [json]
        }
    }

    /// Parses the arguments after the command name.
    func invocation(_ arguments: [String]) throws(UsageError) -> Invocation {
        let (rest, properties) = try extractProperties(arguments)
        let flags = try FlagParser.parse(rest, flags: self.flags, command: title)
        if flags.wantsHelp { return .help(MessageHelp.text(for: self)) }
        let client = try ClientFlags.parse(flags, command: title)
        switch self {
        case .send:
            var options = SendOptions(topic: try required(flags, "--topic"))
            options.tags = flags.value("--tags")
            options.keys = flags.value("--keys")?.split(separator: " ").map(String.init) ?? []
            switch (flags.value("--key"), flags.value("--queue")) {
            case (let key?, nil): options.target = .shardingKey(key)
            case (nil, let text?):
                options.target = .queue(
                    Int32(try FlagParser.wholeNumber(text, flag: "--queue", in: 0...65_535, command: title)))
            case (nil, nil): options.target = .automatic
            case (_?, _?): throw UsageError("give either --key or --queue, not both", command: title)
            }
            for property in properties {
                guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                    throw UsageError("--property: expected K=V, got \(quoted(property))", command: title)
                }
                let name = String(property[..<equals])
                if options.properties.updateValue(String(property[property.index(after: equals)...]), forKey: name)
                    != nil
                {
                    throw UsageError("--property: \(name) given twice", command: title)
                }
            }
            if let level = try flags.wholeNumber("--delay-level", in: 1...64, command: title) {
                if options.properties[MessageProperty.delayLevel] != nil {
                    throw UsageError("give either --delay-level or --property DELAY=N, not both", command: title)
                }
                options.properties[MessageProperty.delayLevel] = String(level)
            }
            if let text = flags.value("--mode") {
                guard let mode = SendMode(rawValue: text) else {
                    throw UsageError("--mode: expected sync, async or oneway, got \(quoted(text))", command: title)
                }
                options.mode = mode
            }
            options.body = flags.value("--body")
            return .messages(.send(client, options))
        case .pull:
            let queue = try FlagParser.wholeNumber(
                try required(flags, "--queue"), flag: "--queue", in: 0...65_535, command: title)
            var options = PullOptions(topic: try required(flags, "--topic"), queueID: Int32(queue))
            if let text = flags.value("--offset") {
                guard let offset = Int64(text), offset >= 0 else {
                    throw UsageError(
                        "--offset: expected a queue offset (0 or more), got \(quoted(text))", command: title)
                }
                options.offset = offset
            }
            options.maxCount = try flags.wholeNumber("--max", in: 1...1024, command: title) ?? options.maxCount
            options.waitMilliseconds =
                try flags.wholeNumber("--wait", in: 0...30_000, command: title) ?? options.waitMilliseconds
            options.tags = flags.value("--tags") ?? "*"
            options.group = flags.value("--group")
            options.commit = flags.has("--commit")
            options.json = flags.has("--json")
            if options.commit && options.group == nil {
                throw UsageError("--commit needs --group G", command: title)
            }
            return .messages(.pull(client, options))
        case .offsets:
            return .messages(
                .offsets(
                    client, group: try required(flags, "--group"), topic: flags.value("--topic"),
                    json: flags.has("--json")))
        case .topics:
            return .messages(.topics(client, json: flags.has("--json")))
        }
    }

    /// Pulls every `--property K=V` (and `--property=K=V`) out of `arguments`, which the flag
    /// parser would refuse as a flag given twice. Values of other flags are skipped, so
    /// `--body --property` sends the body "--property".
    private func extractProperties(_ arguments: [String]) throws(UsageError) -> ([String], [String]) {
        var rest: [String] = []
        var properties: [String] = []
        var position = 0
        while position < arguments.count {
            let argument = arguments[position]
            position += 1
            if argument.hasPrefix("--property=") {
                guard self == .send else { throw UsageError("unknown flag \"--property\"", command: title) }
                properties.append(String(argument.dropFirst("--property=".count)))
                continue
            }
            if argument == "--property" {
                guard self == .send else { throw UsageError("unknown flag \"--property\"", command: title) }
                guard position < arguments.count else {
                    throw UsageError("--property needs a value (--property K=V)", command: title)
                }
                properties.append(arguments[position])
                position += 1
                continue
            }
            rest.append(argument)
            if let spec = flags.first(where: { $0.names.contains(argument) }), spec.valueName != nil,
                position < arguments.count
            {
                rest.append(arguments[position])
                position += 1
            }
        }
        return (rest, properties)
    }

    private func required(_ flags: ParsedFlags, _ name: String) throws(UsageError) -> String {
        guard let value = flags.value(name) else {
            let placeholder = self.flags.first { $0.name == name }?.valueName ?? "VALUE"
            throw UsageError("\(name) \(placeholder) is required", command: title)
        }
        return value
    }
}
