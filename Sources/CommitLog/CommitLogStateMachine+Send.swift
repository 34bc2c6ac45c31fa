import LedgerModel
import Raft

/// A validated message, ready to store once its queue is chosen.
struct PreparedMessage {
    var message: ProducerMessage
    /// Properties in stored order, without `UNIQ_KEY` (the producer's, or the offset message id
    /// once the offset is known).
    var properties: [MessagePropertyPair]
    var recordSize: Int
    var tagsCode: Int64
}

extension CommitLogStateMachine {
    func applySend(_ message: ProducerMessage, stamp: StoreStamp, index: LogIndex) -> [ApplyResult] {
        if let producer = message.producer {
            switch producers.check(producer) {
            case .new: break
            case .duplicate(let results): return duplicates(results)
            case .stale(let last): return [.rejected(.staleSequence(producer, lastApplied: last))]
            }
        }
        if let original = storedUnder(message.uniqueKey) { return [uniqueKeyDuplicate(original)] }
        let prepared: PreparedMessage
        switch prepare(message, stamp: stamp) {
        case .success(let value): prepared = value
        case .failure(let reason): return [.rejected(reason)]
        }
        let result = store(prepared, stamp: stamp)
        recordUniqueKey(of: message, result)
        if let producer = message.producer { producers.record(producer, results: [result], index: index) }
        return [.stored(result)]
    }

    func applyBatch(_ batch: MessageBatch, stamp: StoreStamp, index: LogIndex) -> [ApplyResult] {
        guard !batch.messages.isEmpty else { return [.rejected(.emptyBatch)] }
        if let producer = batch.producer {
            switch producers.check(producer) {
            case .new: break
            case .duplicate(let results): return duplicates(results)
            case .stale(let last): return [.rejected(.staleSequence(producer, lastApplied: last))]
            }
        }
        // Validate everything before storing anything: a batch is all or nothing.
        var prepared: [PreparedMessage] = []
        prepared.reserveCapacity(batch.messages.count)
        for (position, message) in batch.messages.enumerated() {
            if message.producer != nil { return [.rejected(.stampInsideBatch(index: position))] }
            switch prepare(message, stamp: stamp) {
            case .success(let value): prepared.append(value)
            case .failure(let reason): return [.rejected(.batchMessageRejected(index: position, reason))]
            }
        }
        let results = prepared.map { storeOnce($0, stamp: stamp) }
        if let producer = batch.producer {
            producers.record(producer, results: results.compactMap(\.sendResult), index: index)
        }
        return results
    }

    private func duplicates(_ results: [SendResult]) -> [ApplyResult] {
        for result in results {
            runningDigest.fold(UInt8(0xD0))
            runningDigest.fold(result.physicalOffset.rawValue)
        }
        return results.map { .duplicate($0) }
    }

    /// Checks a message against RocketMQ's rules and this store's limits without changing
    /// anything. Topics that do not exist yet are checked as if created with the default
    /// queue count.
    func prepare(_ message: ProducerMessage, stamp: StoreStamp) -> Result<PreparedMessage, CommandRejection> {
        let topic = message.topic
        if let reason = TopicName.problem(topic) { return .failure(.invalidTopic(topic, reason: reason)) }
        let queueCount = topics[topic]?.queueCount ?? configuration.defaultTopicQueueNums
        var properties: [MessagePropertyPair] = []
        switch message.target {
        case .queue(let id):
            guard id >= 0, id < queueCount else {
                return .failure(.queueOutOfRange(MessageQueue(topic: topic, queueID: id), queueCount: queueCount))
            }
        case .shardingKey(let key):
            if let reason = Self.textProblem(key, allowSpaces: true) {
                return .failure(.invalidField(topic: topic, field: "sharding key", reason: reason))
            }
        case .automatic:
            break
        }
        guard message.body.count <= configuration.maxMessageSize else {
            return .failure(.bodyTooLarge(topic: topic, bytes: message.body.count, limit: configuration.maxMessageSize))
        }
        if let tags = message.tags, !tags.isEmpty {
            if let reason = Self.textProblem(tags, allowSpaces: true) {
                return .failure(.invalidField(topic: topic, field: "tags", reason: reason))
            }
            properties.append(MessagePropertyPair(MessageProperty.tags, tags))
        }
        if !message.keys.isEmpty {
            for key in message.keys {
                if let reason = Self.textProblem(key, allowSpaces: false) {
                    return .failure(.invalidField(topic: topic, field: "key \"\(key)\"", reason: reason))
                }
            }
            properties.append(MessagePropertyPair(MessageProperty.keys, message.keys.joined(separator: " ")))
        }
        if case .shardingKey(let key) = message.target {
            properties.append(MessagePropertyPair(MessageProperty.shardingKey, key))
        }
        for name in message.properties.keys.sorted(by: utf8Precedes) {
            let value = message.properties[name, default: ""]
            if MessageProperty.reserved.contains(name) {
                return .failure(.invalidField(topic: topic, field: "property \(name)", reason: "reserved name"))
            }
            if let reason = Self.textProblem(name, allowSpaces: true)
                ?? Self.textProblem(value, allowSpaces: true, allowEmpty: true)
            {
                return .failure(.invalidField(topic: topic, field: "property \(name)", reason: reason))
            }
            properties.append(MessagePropertyPair(name, value))
        }
        if let uniqueKey = message.uniqueKey, let reason = Self.textProblem(uniqueKey, allowSpaces: false) {
            return .failure(.invalidField(topic: topic, field: "unique key", reason: reason))
        }
        let uniqueKeyLength =
            MessageProperty.uniqueKey.utf8.count + 2
            + (message.uniqueKey?.utf8.count ?? (stamp.storeHost.isIPv6 ? 56 : 32))
        let propertiesLength = MessageRecord.propertiesCount(properties) + uniqueKeyLength
        guard propertiesLength <= MessageRecord.maxPropertiesLength else {
            return .failure(
                .invalidField(
                    topic: topic, field: "properties",
                    reason: "\(propertiesLength) bytes stored exceed \(MessageRecord.maxPropertiesLength)"))
        }
        let size = MessageRecord.size(
            body: message.body.count, topic: topic.utf8.count, properties: propertiesLength,
            bornIPv6: message.bornHost.isIPv6, storeIPv6: stamp.storeHost.isIPv6)
        guard size + MessageRecord.blankLength <= commitLog.fileSize else {
            return .failure(.recordTooLarge(topic: topic, bytes: size, fileSize: commitLog.fileSize))
        }
        return .success(
            PreparedMessage(
                message: message, properties: properties, recordSize: size,
                tagsCode: JavaHash.tagsCode(message.tags)))
    }

    /// Stores a prepared message: creates its topic if needed, picks its queue, appends its
    /// record and consume-queue entry.
    func store(_ prepared: PreparedMessage, stamp: StoreStamp) -> SendResult {
        let message = prepared.message
        if topics[message.topic] == nil {
            topics[message.topic] = TopicState(queueCount: configuration.defaultTopicQueueNums)
        }
        let queueID = resolveQueue(message)
        let queueOffset = topics[message.topic, default: TopicState(queueCount: 0)].queues[Int(queueID)].maxOffset
        let storeTimestamp = max(stamp.storeTimestamp, lastStoreTimestamp)
        lastStoreTimestamp = storeTimestamp

        let (physicalOffset, blank) = commitLog.reserve(prepared.recordSize)
        if let blank { runningDigest.fold(blank[...]) }
        let messageID = MessageID.make(storeHost: stamp.storeHost, physicalOffset: physicalOffset)
        var properties = prepared.properties
        properties.append(MessagePropertyPair(MessageProperty.uniqueKey, message.uniqueKey ?? messageID))
        let stored = StoredMessage(
            queueID: queueID, flag: message.flag, queueOffset: queueOffset, physicalOffset: physicalOffset,
            sysFlag: message.bodyCompressed ? MessageSysFlag.compressed : 0,
            bornTimestamp: message.bornTimestamp, bornHost: message.bornHost, storeTimestamp: storeTimestamp,
            storeHost: stamp.storeHost, body: message.body, topic: message.topic, properties: properties)
        commitLog.append(prepared.recordSize) { file in
            let start = file.count
            // The body CRC is computed here, not in `prepare`: a precheck before proposing needs none.
            MessageRecord.encode(stored, bodyCRC: MessageRecord.bodyCRC(message.body), into: &file)
            // The body is covered by its CRC in the header; hashing it again would double the cost.
            let bodyStart = start + 88
            runningDigest.fold(file[start..<bodyStart])
            runningDigest.fold(file[(bodyStart + message.body.count)...])
        }
        topics[message.topic, default: TopicState(queueCount: 0)].queues[Int(queueID)].append(
            ConsumeQueueEntry(
                physicalOffset: physicalOffset, size: Int32(prepared.recordSize), tagsCode: prepared.tagsCode))
        for key in message.keys {
            keyIndex.insert(hash: KeyIndex.hash(topic: message.topic, key: key), offset: physicalOffset)
        }
        return SendResult(
            queue: MessageQueue(topic: message.topic, queueID: queueID), queueOffset: queueOffset,
            physicalOffset: physicalOffset, messageID: messageID, storeTimestamp: storeTimestamp)
    }

    /// The queue a message goes to; the topic exists.
    private func resolveQueue(_ message: ProducerMessage) -> Int32 {
        let queues = topics[message.topic, default: TopicState(queueCount: 0)].queues
        switch message.target {
        case .queue(let id):
            return id
        case .shardingKey(let key):
            // RocketMQ's SelectMessageQueueByHash: abs(hashCode % count).
            let value = JavaHash.hashCode(key) % Int32(queues.count)
            return value < 0 ? -value : value
        case .automatic:
            var best = 0
            for (id, queue) in queues.enumerated() where queue.count < queues[best].count { best = id }
            return Int32(best)
        }
    }

    /// Why a tag, key or property text cannot be stored, or nil: it must not contain the
    /// property separators (and, for keys, spaces) and must fit a 2-byte length.
    static func textProblem(_ text: String, allowSpaces: Bool, allowEmpty: Bool = false) -> String? {
        if text.isEmpty && !allowEmpty { return "empty" }
        if text.utf8.count > MessageRecord.maxPropertiesLength {
            return "longer than \(MessageRecord.maxPropertiesLength) bytes"
        }
        for byte in text.utf8 {
            if byte == MessageProperty.nameValueSeparator || byte == MessageProperty.pairSeparator {
                return "contains a property separator (\\u{1} or \\u{2})"
            }
            if !allowSpaces && byte == UInt8(ascii: " ") { return "contains a space" }
        }
        return nil
    }
}
