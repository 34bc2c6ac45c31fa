import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft

/// Runs `ledger topics create|alter|delete|describe`. Each returns the process exit code
/// (``ExitCode``): a refused change (the topic exists, queues would shrink, no such topic) is
/// 1 with the node's reason on stderr, no quorum 3, an unknown outcome 4.
enum TopicAdminCommands {
    static func run(_ invocation: TopicAdminInvocation) -> Int32 {
        switch invocation {
        case .create(let flags, let topic, let queues):
            return ClientCommands.withClient("topics create", flags) { client, _ in
                change("topics create", client) { () throws(LedgerClientError) in
                    let info = try client.updateTopic(topic, queueCount: queues, mode: .create)
                    return "created topic \(info.name) with \(info.queues.count) queues"
                }
            }
        case .alter(let flags, let topic, let queues):
            return ClientCommands.withClient("topics alter", flags) { client, _ in
                change("topics alter", client) { () throws(LedgerClientError) in
                    let info = try client.updateTopic(topic, queueCount: queues, mode: .alter)
                    return "topic \(info.name) has \(info.queues.count) queues"
                }
            }
        case .delete(let flags, let topic):
            return ClientCommands.withClient("topics delete", flags) { client, _ in
                change("topics delete", client) { () throws(LedgerClientError) in
                    try client.deleteTopic(topic)
                    return "deleted topic \(topic)"
                }
            }
        case .describe(let flags, let topic, let json):
            return ClientCommands.withClient("topics describe", flags) { client, _ in
                describe(client, topic: topic, json: json)
            }
        }
    }

    private static func change(
        _ command: String, _ client: LedgerClient, _ body: () throws(LedgerClientError) -> String
    ) -> Int32 {
        do {
            Console.out(try body())
            return ExitCode.success
        } catch {
            return ClientCommands.fail(command, error)
        }
    }

    /// Per queue: min, max, first and last store time; then the group: its leader, its replicas
    /// and which of them are in sync (answering, and the leader or a follower less than
    /// `StatusResponse.catchingUpLag` entries behind it).
    private static func describe(_ client: LedgerClient, topic: String, json: Bool) -> Int32 {
        let description: TopicDescription
        do {
            description = try client.describeTopic(topic)
        } catch {
            return ClientCommands.fail("topics describe", error)
        }
        let view = client.statusAll()
        let replicas = view.nodes.map(\.peer.name)
        let inSync = view.nodes.filter { node in
            guard let status = node.response, view.leader != nil else { return false }
            return status.role == .leader || (status.role == .follower && !view.isCatchingUp(node))
        }.map(\.peer.name)
        let leader = view.leader.map { view.name(of: $0.peer.id) }
        if json {
            Console.out(
                TopicAdminJSON.describe(description, leader: leader, replicas: replicas, inSync: inSync).rendered)
            return ExitCode.success
        }
        func time(_ milliseconds: Int64?) -> String {
            milliseconds.map { WallClock.Time(milliseconds: $0).utcText } ?? "-"
        }
        var rows = [["QUEUE", "MIN", "MAX", "FIRST STORED", "LAST STORED"]]
        for (id, queue) in description.queues.enumerated() {
            rows.append([
                "\(id)", "\(queue.range.minOffset)", "\(queue.range.maxOffset)", time(queue.earliestStoreTimestamp),
                time(queue.latestStoreTimestamp),
            ])
        }
        Console.out(
            "topic \(description.topic): \(description.queues.count) queues\n" + MessageCommands.table(rows)
                + "\nleader \(leader ?? "none")  replicas \(replicas.joined(separator: " "))  in sync "
                + (inSync.isEmpty ? "none" : inSync.joined(separator: " ")))
        return ExitCode.success
    }
}

/// `ledger topics describe --json`.
enum TopicAdminJSON {
    static func describe(_ description: TopicDescription, leader: String?, replicas: [String], inSync: [String])
        -> JSON
    {
        func timestamp(_ value: Int64?) -> JSON { value.map { .number($0) } ?? .null }
        return .object([
            ("topic", .string(description.topic)),
            (
                "queues",
                .array(
                    description.queues.enumerated().map { id, queue in
                        .object([
                            ("queueId", .number(Int64(id))),
                            ("minOffset", .number(queue.range.minOffset.rawValue)),
                            ("maxOffset", .number(queue.range.maxOffset.rawValue)),
                            ("firstStoreTimestamp", timestamp(queue.earliestStoreTimestamp)),
                            ("lastStoreTimestamp", timestamp(queue.latestStoreTimestamp)),
                        ])
                    })
            ),
            ("leader", .optional(leader)),
            ("replicas", .array(replicas.map { .string($0) })),
            ("inSync", .array(inSync.map { .string($0) })),
        ])
    }
}
