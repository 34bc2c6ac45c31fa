extension Command: CustomStringConvertible {
    /// One line for people (`ledger get` shows it for a command entry), e.g.
    /// `send to orders (queue 2), tags TagA, keys k1 k2, 120-byte body, producer 7 sequence 3, stamped 1700000000000 by 127.0.0.1:40911`.
    public var description: String {
        switch self {
        case .send(let message, let stamp):
            var parts = ["send to \(message.topic) (\(message.target.summary))"]
            parts += message.summary
            if let producer = message.producer { parts.append(producer.description) }
            parts.append("stamped \(stamp.storeTimestamp) by \(stamp.storeHost)")
            return parts.joined(separator: ", ")
        case .sendBatch(let batch, let stamp):
            var topics: [String] = []
            for message in batch.messages where !topics.contains(message.topic) { topics.append(message.topic) }
            let bytes = batch.messages.reduce(0) { $0 + $1.body.count }
            var parts = ["send a batch of \(batch.messages.count) messages to \(topics.joined(separator: " "))"]
            parts.append("\(bytes) body bytes")
            if let producer = batch.producer { parts.append(producer.description) }
            parts.append("stamped \(stamp.storeTimestamp) by \(stamp.storeHost)")
            return parts.joined(separator: ", ")
        case .commitOffset(let commit):
            return "commit offset \(commit.offset) of group \(commit.group) on \(commit.queue)"
        case .updateTopic(let update):
            return "\(update.mode) topic \(update.topic) with \(update.queueCount) queues"
        case .deleteTopic(let deletion):
            return "delete topic \(deletion.topic)"
        case .rollbackTransaction(let rollback):
            return "roll back the transaction of the half message at \(rollback.half)"
        case .checkTransaction(let check):
            return check.discard
                ? "discard the half message at \(check.half) after its last check (at \(check.at))"
                : "check back the half message at \(check.half) (at \(check.at))"
        }
    }
}

extension QueueTarget {
    var summary: String {
        switch self {
        case .queue(let id): "queue \(id)"
        case .shardingKey(let key): "sharding key \(key)"
        case .automatic: "any queue"
        }
    }
}

extension ProducerMessage {
    var summary: [String] {
        var parts: [String] = []
        if let tags, !tags.isEmpty { parts.append("tags \(tags)") }
        if !keys.isEmpty { parts.append("keys \(keys.joined(separator: " "))") }
        parts.append("\(body.count)-byte body")
        return parts
    }
}
