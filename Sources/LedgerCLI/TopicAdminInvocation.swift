import LedgerModel

/// `ledger topics create|alter|delete|describe`: topic administration, through the log.
/// (`ledger topics` alone lists every topic, ``MessageInvocation/topics(_:json:)``.)
package enum TopicAdminInvocation: Sendable, Hashable {
    /// `create --topic T --queues N`: the topic must not exist.
    case create(ClientFlags, topic: String, queues: Int32)
    /// `alter --topic T --queues N`: the topic must exist; queues only grow.
    case alter(ClientFlags, topic: String, queues: Int32)
    /// `delete --topic T`.
    case delete(ClientFlags, topic: String)
    /// `describe --topic T [--json]`.
    case describe(ClientFlags, topic: String, json: Bool)
}

/// The subcommands of `ledger topics` and their flags.
enum TopicAdminCommand: String, CaseIterable {
    case create, alter, delete, describe

    var title: String { "ledger topics \(rawValue)" }

    var flags: [FlagSpec] {
        let topic = FlagSpec(["--topic"], value: "T", help: "the topic (required)")
        let queues = FlagSpec(
            ["--queues"], value: "N", help: "the number of queues, 1 to \(TopicUpdate.maxQueues) (required)")
        switch self {
        case .create, .alter: return ClientFlags.flags + [topic, queues]
        case .delete: return ClientFlags.flags + [topic]
        case .describe:
            return ClientFlags.flags + [topic, FlagSpec(["--json"], help: "print one JSON object instead of text")]
        }
    }

    /// Parses the arguments after `ledger topics <subcommand>`. A bad topic name or queue count
    /// is a usage error here, before anything is sent.
    func invocation(_ arguments: [String]) throws(UsageError) -> Invocation {
        let flags = try FlagParser.parse(arguments, flags: self.flags, command: title)
        if flags.wantsHelp { return .help(TopicAdminHelp.text(for: self)) }
        let client = try ClientFlags.parse(flags, command: title)
        guard let topic = flags.value("--topic") else { throw UsageError("--topic T is required", command: title) }
        if let problem = TopicName.problem(topic) {
            throw UsageError("--topic: invalid topic \(quoted(topic)): \(problem)", command: title)
        }
        func queues() throws(UsageError) -> Int32 {
            guard let text = flags.value("--queues") else { throw UsageError("--queues N is required", command: title) }
            return Int32(
                try FlagParser.wholeNumber(
                    text, flag: "--queues", in: 1...Int(TopicUpdate.maxQueues), command: title))
        }
        switch self {
        case .create: return .topicAdmin(.create(client, topic: topic, queues: try queues()))
        case .alter: return .topicAdmin(.alter(client, topic: topic, queues: try queues()))
        case .delete: return .topicAdmin(.delete(client, topic: topic))
        case .describe: return .topicAdmin(.describe(client, topic: topic, json: flags.has("--json")))
        }
    }
}
