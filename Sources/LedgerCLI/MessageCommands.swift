import Bytes
import LedgerClient
import LedgerModel
import Posix
import Synchronization

/// Runs `ledger send`, `pull`, `offsets` and `topics`. Each returns the process exit code
/// (``ExitCode``): a refused request (bad input, unknown topic) is 1, no quorum 3.
enum MessageCommands {
    static func run(_ invocation: MessageInvocation) -> Int32 {
        switch invocation {
        case .send(let flags, let options):
            return ClientCommands.withClient("send", flags) { client, _ in send(client, options) }
        case .pull(let flags, let options):
            return ClientCommands.withClient("pull", flags) { client, _ in pull(client, options) }
        case .offsets(let flags, let group, let topic, let json):
            return ClientCommands.withClient("offsets", flags) { client, _ in
                offsets(client, group: group, topic: topic, json: json)
            }
        case .topics(let flags, let json):
            return ClientCommands.withClient("topics", flags) { client, _ in topics(client, json: json) }
        }
    }

    // MARK: - send

    /// `<topic> <queue> <queueOffset> <msgId>`.
    static func line(_ result: SendResult) -> String {
        "\(result.queue.topic) \(result.queue.queueID) \(result.queueOffset) \(result.messageID)"
    }

    private static func send(_ client: LedgerClient, _ options: SendOptions) -> Int32 {
        func message(_ body: String) -> ProducerMessage {
            ProducerMessage(
                topic: options.topic, target: options.target, tags: options.tags, keys: options.keys,
                body: Array(body.utf8), properties: options.properties,
                bornTimestamp: WallClock.nowMilliseconds())
        }
        var bodies: AnyIterator<String>
        if let body = options.body {
            bodies = AnyIterator([body].makeIterator())
        } else {
            bodies = AnyIterator { readLine(strippingNewline: true) }
        }
        switch options.mode {
        case .sync:
            while let body = bodies.next() {
                do {
                    Console.out(line(try client.send(message(body))))
                } catch {
                    return ClientCommands.fail("send", error)
                }
            }
            return ExitCode.success
        case .oneway:
            while let body = bodies.next() {
                do {
                    try client.sendOneWay(message(body))
                } catch {
                    return ClientCommands.fail("send", error)
                }
            }
            return ExitCode.success
        case .async:
            // Completions run one at a time, in submission order, on the sender's thread.
            let failure = Mutex<Int32?>(nil)
            while let body = bodies.next(), failure.withLock({ $0 }) == nil {
                client.sendAsync(message(body)) { result in
                    switch result {
                    case .success(let stored):
                        if failure.withLock({ $0 }) == nil { Console.out(line(stored)) }
                    case .failure(let error):
                        failure.withLock { code in
                            if code == nil { code = ClientCommands.fail("send", error) }
                        }
                    }
                }
            }
            client.waitForAsyncSends()
            return failure.withLock { $0 } ?? ExitCode.success
        }
    }

    // MARK: - pull

    private static func pull(_ client: LedgerClient, _ options: PullOptions) -> Int32 {
        do {
            let queue = MessageQueue(topic: options.topic, queueID: options.queueID)
            let start = try startOffset(client, options, queue)
            let result = try client.pull(
                topic: options.topic, queueID: options.queueID, offset: start, maxCount: options.maxCount,
                tags: options.tags, wait: .milliseconds(options.waitMilliseconds))
            if options.commit, let group = options.group, result.status == .found || result.status == .noMatchedMessage
            {
                try client.commitOffset(group: group, queue: queue, offset: result.nextOffset)
            }
            if options.json {
                Console.out(MessageJSON.pull(result).rendered)
            } else {
                for message in result.messages { Console.out(textLine(message)) }
                Console.out(
                    "next \(result.nextOffset) status \(result.status.rawValue) min \(result.minOffset) max \(result.maxOffset)"
                )
            }
            return ExitCode.success
        } catch {
            return ClientCommands.fail("pull", error)
        }
    }

    /// `--offset`, else the group's committed offset, else the queue's first offset.
    private static func startOffset(_ client: LedgerClient, _ options: PullOptions, _ queue: MessageQueue)
        throws(LedgerClientError) -> QueueOffset
    {
        if let offset = options.offset { return QueueOffset(offset) }
        if let group = options.group,
            let committed = try client.consumerOffsets(group: group, topic: options.topic).first(where: {
                $0.queue == queue
            })
        {
            return committed.committedOffset
        }
        return try client.queueOffsets(topic: options.topic, queueID: options.queueID).minOffset
    }

    /// `<queueOffset> <tags> <keys> <body>`, `-` for no tags or keys; the body as UTF-8 (or base64).
    static func textLine(_ message: StoredMessage) -> String {
        let keys = message.keys.isEmpty ? "-" : message.keys.joined(separator: ",")
        let body = String(validating: message.body, as: UTF8.self) ?? "base64:\(Base64.encode(message.body))"
        return "\(message.queueOffset) \(message.tags ?? "-") \(keys) \(body)"
    }

    // MARK: - offsets, topics

    private static func offsets(_ client: LedgerClient, group: String, topic: String?, json: Bool) -> Int32 {
        do {
            let progress = try client.consumerOffsets(group: group, topic: topic)
            let total = progress.reduce(Int64(0)) { $0 + $1.lag }
            if json {
                Console.out(MessageJSON.offsets(group: group, progress, totalLag: total).rendered)
            } else {
                var rows = [["TOPIC", "QUEUE", "COMMITTED", "MAX", "LAG"]]
                for item in progress {
                    rows.append([
                        item.queue.topic, "\(item.queue.queueID)", "\(item.committedOffset)", "\(item.maxOffset)",
                        "\(item.lag)",
                    ])
                }
                Console.out(table(rows) + "\ngroup \(group): total lag \(total)")
            }
            return ExitCode.success
        } catch {
            return ClientCommands.fail("offsets", error)
        }
    }

    private static func topics(_ client: LedgerClient, json: Bool) -> Int32 {
        do {
            let topics = try client.topics()
            if json {
                Console.out(MessageJSON.topics(topics).rendered)
            } else {
                var rows = [["TOPIC", "QUEUE", "MIN", "MAX"]]
                for topic in topics {
                    for (id, range) in topic.queues.enumerated() {
                        rows.append([topic.name, "\(id)", "\(range.minOffset)", "\(range.maxOffset)"])
                    }
                }
                Console.out(table(rows))
            }
            return ExitCode.success
        } catch {
            return ClientCommands.fail("topics", error)
        }
    }

    /// Left-aligned columns two spaces apart.
    static func table(_ rows: [[String]]) -> String {
        var widths: [Int] = []
        for row in rows {
            for (column, cell) in row.enumerated() {
                if column == widths.count { widths.append(0) }
                widths[column] = max(widths[column], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
