import Bytes
import LedgerClient
import LedgerModel
import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `ledger consume`, `query` and `groups`. Each returns the process exit code
/// (``ExitCode``).
enum ConsumerCommands {
    static func run(_ invocation: ConsumerInvocation) -> Int32 {
        switch invocation {
        case .consume(let flags, let options):
            // Before the client starts any thread, so every thread blocks SIGINT and SIGTERM and
            // they reach the descriptor.
            let signals: SignalSource
            do {
                signals = try SignalSource()
            } catch {
                Console.error("ledger consume: cannot watch for SIGINT and SIGTERM: \(error)")
                return ExitCode.failure
            }
            return ClientCommands.withClient("consume", flags) { client, _ in
                GroupMember(client: client, options: options, clientID: clientID(), signals: signals).run()
            }
        case .query(let flags, let query, let json):
            return ClientCommands.withClient("query", flags) { client, _ in Self.query(client, query, json: json) }
        case .groups(let flags, let group, let json):
            return ClientCommands.withClient("groups", flags) { client, _ in groups(client, only: group, json: json) }
        }
    }

    /// `consume@<pid>#<8 hex digits>`: the process id, as RocketMQ's instance name, and a random
    /// part so members on different hosts never share an id.
    static func clientID() -> String {
        var random = SystemRandomNumberGenerator()
        let suffix = String(UInt32.random(in: .min ... .max, using: &random), radix: 16)
        return "consume@\(getpid())#\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }

    // MARK: - query

    private static func query(_ client: LedgerClient, _ query: MessageQuery, json: Bool) -> Int32 {
        var found: [StoredMessage] = []
        do {
            switch query {
            case .messageID(let id):
                found = [try client.viewMessage(id: id)]
            case .key(let key, let topic?):
                found = try client.messages(topic: topic, key: key)
            case .key(let key, nil):
                for topic in try client.topics() { found += try client.messages(topic: topic.name, key: key) }
            }
        } catch {
            return ClientCommands.fail("query", error)
        }
        if json {
            Console.out(JSON.object([("messages", .array(found.map(MessageJSON.message)))]).rendered)
        } else if !found.isEmpty {
            Console.out(found.map(description).joined(separator: "\n\n"))
        }
        guard !found.isEmpty else {
            if case .key(let key, let topic) = query {
                Console.error("ledger query: no message has key \(quoted(key))\(topic.map { " in topic \($0)" } ?? "")")
            }
            return ExitCode.failure
        }
        return ExitCode.success
    }

    /// A message and where it is stored, one field a line.
    static func description(_ message: StoredMessage) -> String {
        func time(_ milliseconds: Int64) -> String {
            "\(WallClock.Time(milliseconds: milliseconds).utcText) (\(milliseconds))"
        }
        let body = String(validating: message.body, as: UTF8.self) ?? "base64:\(Base64.encode(message.body))"
        let properties = message.properties.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        let rows: [(String, String)] = [
            ("topic", message.topic), ("queue", "\(message.queueID)"), ("queue offset", "\(message.queueOffset)"),
            ("physical offset", "\(message.physicalOffset)"), ("message id", message.messageID),
            ("store time", time(message.storeTimestamp)), ("store host", "\(message.storeHost)"),
            ("born time", time(message.bornTimestamp)), ("born host", "\(message.bornHost)"),
            ("tags", message.tags ?? "-"), ("keys", message.keys.isEmpty ? "-" : message.keys.joined(separator: " ")),
            ("properties", properties.isEmpty ? "-" : properties), ("body", body),
        ]
        return rows.map { name, value in
            "\(name):" + String(repeating: " ", count: 17 - name.count) + value
        }.joined(separator: "\n")
    }

    // MARK: - groups

    private static func groups(_ client: LedgerClient, only group: String?, json: Bool) -> Int32 {
        let report: ConsumerGroupsReport
        do {
            report = try client.consumerGroups(only: group)
        } catch {
            return ClientCommands.fail("groups", error)
        }
        if let group, report.groups.isEmpty {
            Console.error(
                "ledger groups: no consumer group \(quoted(group)): no member is live and it committed no offset")
            return ExitCode.failure
        }
        Console.out(json ? GroupsReport.json(report).rendered : GroupsReport.text(report))
        return ExitCode.success
    }
}
