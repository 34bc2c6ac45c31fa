import Bytes
import LedgerModel

/// The JSON shapes of the message commands (documented in their `--help`).
enum MessageJSON {
    /// `{"status", "nextOffset", "minOffset", "maxOffset", "messages": [...]}`.
    static func pull(_ result: PullResult) -> JSON {
        .object([
            ("status", .string(result.status.rawValue)), ("nextOffset", .number(result.nextOffset.rawValue)),
            ("minOffset", .number(result.minOffset.rawValue)), ("maxOffset", .number(result.maxOffset.rawValue)),
            ("messages", .array(result.messages.map(message))),
        ])
    }

    /// One stored message: the body as UTF-8 text, or base64 with `"bodyEncoding": "base64"`;
    /// `tags` and `keys` (space-separated) null when absent; every stored property.
    static func message(_ message: StoredMessage) -> JSON {
        var members: [(String, JSON)] = [
            ("topic", .string(message.topic)), ("queueId", .number(Int64(message.queueID))),
            ("queueOffset", .number(message.queueOffset.rawValue)),
            ("physicalOffset", .number(message.physicalOffset.rawValue)), ("msgId", .string(message.messageID)),
            ("tags", JSON.optional(message.tags)),
            ("keys", message.keys.isEmpty ? .null : .string(message.keys.joined(separator: " "))),
        ]
        if let text = String(validating: message.body, as: UTF8.self) {
            members.append(("body", .string(text)))
        } else {
            members.append(("body", .string(Base64.encode(message.body))))
            members.append(("bodyEncoding", .string("base64")))
        }
        members += [
            ("properties", .object(message.properties.map { ($0.name, .string($0.value)) })),
            ("bornTimestamp", .number(message.bornTimestamp)), ("storeTimestamp", .number(message.storeTimestamp)),
        ]
        return .object(members)
    }

    /// `{"group", "totalLag", "queues": [{"topic", "queueId", "committedOffset", "maxOffset", "lag"}]}`.
    static func offsets(group: String, _ progress: [ConsumerProgress], totalLag: Int64) -> JSON {
        .object([
            ("group", .string(group)), ("totalLag", .number(totalLag)),
            (
                "queues",
                .array(
                    progress.map { item in
                        .object([
                            ("topic", .string(item.queue.topic)), ("queueId", .number(Int64(item.queue.queueID))),
                            ("committedOffset", .number(item.committedOffset.rawValue)),
                            ("maxOffset", .number(item.maxOffset.rawValue)), ("lag", .number(item.lag)),
                        ])
                    })
            ),
        ])
    }

    /// `{"topics": [{"name", "queues": [{"queueId", "minOffset", "maxOffset"}]}]}`.
    static func topics(_ topics: [TopicInfo]) -> JSON {
        .object([
            (
                "topics",
                .array(
                    topics.map { topic in
                        .object([
                            ("name", .string(topic.name)),
                            (
                                "queues",
                                .array(
                                    topic.queues.enumerated().map { id, range in
                                        .object([
                                            ("queueId", .number(Int64(id))),
                                            ("minOffset", .number(range.minOffset.rawValue)),
                                            ("maxOffset", .number(range.maxOffset.rawValue)),
                                        ])
                                    })
                            ),
                        ])
                    })
            )
        ])
    }
}
