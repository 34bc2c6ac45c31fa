import Bytes
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
    /// Where the record goes: the message's topic, or the schedule or half topic that holds a
    /// delayed or half message back (its real topic and queue are then in its properties).
    var storedTopic: String
    /// The queue the store must use (a delay level's, the half topic's), or nil to place it.
    var storedQueue: Int32?
}

extension CommitLogStateMachine {
    /// Applies a send's records (``RecordsEntry``) whose entry data starts at log position
    /// `bodyPosition`: all or nothing. Every record must sit where the leader said (its physical
    /// offset is its log position), at the next offset of a valid queue, and pass the rules a
    /// send is checked against; otherwise nothing is stored and the send is rejected (a leader
    /// whose prediction went stale, a damaged entry). A producer stamp already applied answers
    /// with the original results and stores nothing.
    func applyRecords(_ header: RecordsEntry, _ bytes: [UInt8], bodyPosition: Int64, index: LogIndex)
        -> [ApplyResult]
    {
        if let producer = header.producer {
            switch producers.check(producer) {
            case .new: break
            case .duplicate(let results): return duplicates(results)
            case .stale(let last): return [.rejected(.staleSequence(producer, lastApplied: last))]
            }
        }
        if let origin = header.origin {
            if case .sentBack(let group, let source) = origin,
                let original = kinds.sentBack.lookup(MessageKindsState.sentBackKey(group: group, source: source))
            {
                return [uniqueKeyDuplicate(original)]
            }
            if let problem = originProblem(origin, count: header.count) { return [.rejected(problem)] }
        }
        // Placement is checked before anything is stored: a batch is all or nothing. A record
        // whose producer unique key was stored before (or earlier in this batch) is a retry: it
        // takes no queue offset, and is answered with the original result.
        // Each record's producer key is worked out once; only a batch can repeat a key in itself.
        enum Fate { case store, retry(SendResult?) }
        var records: [(message: StoredMessage, start: Int, size: Int, key: HashedKey?, fate: Fate)] = []
        records.reserveCapacity(header.count)
        var nextOffsets: [MessageQueue: QueueOffset] = [:]
        var keysInBatch: Set<HashedKey> = []
        if header.count > 1 { keysInBatch.reserveCapacity(header.count) }
        var at = header.recordsStart
        for position in 0..<header.count {
            let message: StoredMessage
            do {
                message = try StoredMessage(decoding: bytes, at: at, verifyingCRC: false)
            } catch {
                return [.rejected(.malformed(error))]
            }
            let size = message.storeSize
            if let origin = header.origin, let problem = movedRecordProblem(message, origin, position: position) {
                return [.rejected(problem)]
            }
            // A moved record keeps its message's unique key: its move is checked by its origin.
            let key = header.origin == nil ? producerKey(of: message) : nil
            if let key {
                if let original = uniqueKeys.lookup(key) {
                    records.append((message, at, size, key, .retry(original)))
                    at += size
                    continue
                }
                if header.count > 1 && !keysInBatch.insert(key).inserted {
                    records.append((message, at, size, key, .retry(nil)))
                    at += size
                    continue
                }
            }
            let queue = MessageQueue(topic: message.topic, queueID: message.queueID)
            let expected = nextOffsets[queue] ?? topics[message.topic]?.queue(message.queueID)?.maxOffset ?? .zero
            if let problem = recordProblem(message, size: size, at: PhysicalOffset(bodyPosition + Int64(at)), expected)
            {
                return [.rejected(header.count == 1 ? problem : .batchMessageRejected(index: position, problem))]
            }
            nextOffsets[queue] = expected.next
            records.append((message, at, size, key, .store))
            at += size
        }
        guard at == bytes.count else {
            return [
                .rejected(
                    .malformed(
                        .invalidValue(
                            field: "records", offset: at, reason: "\(bytes.count - at) bytes after the last record")))
            ]
        }
        var results: [ApplyResult] = []
        results.reserveCapacity(records.count)
        for record in records {
            switch record.fate {
            case .store:
                let result = store(record.message, record: bytes[record.start..<(record.start + record.size)])
                if let key = record.key { recordUniqueKey(key, result, storeHost: record.message.storeHost) }
                results.append(.stored(result))
            case .retry(let original):
                // A key repeated inside this batch was recorded by its first message just now.
                guard let original = original ?? record.key.flatMap(uniqueKeys.lookup) else {
                    preconditionFailure("a repeated unique key was not recorded by its first message")
                }
                results.append(uniqueKeyDuplicate(original))
            }
        }
        if let producer = header.producer {
            producers.record(producer, results: results.compactMap(\.sendResult), index: index)
        }
        if let origin = header.origin { completeMove(origin, results: results) }
        return results
    }

    /// Why a record the leader placed cannot be stored here, or nil.
    private func recordProblem(
        _ message: StoredMessage, size: Int, at position: PhysicalOffset, _ expected: QueueOffset
    )
        -> CommandRejection?
    {
        let topic = message.topic
        if let reason = TopicName.problem(topic) { return .invalidTopic(topic, reason: reason) }
        let queueCount = topics[topic]?.queueCount ?? newTopicQueueCount(topic)
        let queue = MessageQueue(topic: topic, queueID: message.queueID)
        guard message.queueID >= 0, message.queueID < queueCount else {
            return .queueOutOfRange(queue, queueCount: queueCount)
        }
        if let problem = heldRecordProblem(message) { return problem }
        guard message.body.count <= configuration.maxMessageSize else {
            return .bodyTooLarge(topic: topic, bytes: message.body.count, limit: configuration.maxMessageSize)
        }
        guard message.physicalOffset == position, message.queueOffset == expected else {
            return .misplaced(
                queue, physicalOffset: message.physicalOffset, queueOffset: message.queueOffset,
                expectedPhysicalOffset: position, expectedQueueOffset: expected)
        }
        return nil
    }

    private func duplicates(_ results: [SendResult]) -> [ApplyResult] {
        for result in results {
            runningDigest.fold(UInt8(0xD0))
            runningDigest.fold(result.physicalOffset.rawValue)
        }
        return results.map { .duplicate($0) }
    }

    /// Indexes a validated record that stays in the log where it is: creates its topic if needed,
    /// appends its consume-queue entry and key-index entries.
    private func store(_ message: StoredMessage, record: ArraySlice<UInt8>) -> SendResult {
        if topics[message.topic] == nil {
            topics[message.topic] = TopicState(queueCount: newTopicQueueCount(message.topic))
        }
        lastStoreTimestamp = max(lastStoreTimestamp, message.storeTimestamp)
        let physicalOffset = message.physicalOffset
        lastRecordEnd = PhysicalOffset(physicalOffset.rawValue + Int64(record.count))
        // The body is covered by its CRC in the header; hashing it again would double the cost.
        let bodyStart = record.startIndex + MessageRecord.bodyOffset(sysFlag: message.sysFlag)
        runningDigest.fold(UInt8(0x5E))
        runningDigest.fold(physicalOffset.rawValue)
        runningDigest.fold(record[record.startIndex..<bodyStart])
        runningDigest.fold(record[(bodyStart + message.body.count)...])
        topics[message.topic, default: TopicState(queueCount: 0)].queues[Int(message.queueID)].append(
            ConsumeQueueEntry(
                physicalOffset: physicalOffset, size: Int32(record.count),
                tagsCode: deliverTime(of: message) ?? JavaHash.tagsCode(message.tags)))
        if message.topic == SystemTopic.transactionHalf { holdHalf(message) }
        if let keys = message.property(MessageProperty.keys) {
            keyIndex.insert(keys: keys, topic: message.topic, offset: physicalOffset)
        }
        unpersistedMessages += 1
        return SendResult(
            queue: MessageQueue(topic: message.topic, queueID: message.queueID), queueOffset: message.queueOffset,
            physicalOffset: physicalOffset,
            messageID: MessageID.make(storeHost: message.storeHost, physicalOffset: physicalOffset),
            storeTimestamp: message.storeTimestamp)
    }

    /// Checks a message against RocketMQ's rules and this store's limits without changing
    /// anything. Topics that do not exist yet are checked as if created with the default
    /// queue count.
    func prepare(_ message: ProducerMessage, stamp: StoreStamp) -> Result<PreparedMessage, CommandRejection> {
        let topic = message.topic
        if let reason = TopicName.problem(topic) { return .failure(.invalidTopic(topic, reason: reason)) }
        if topic == SystemTopic.schedule || topic == SystemTopic.transactionHalf {
            return .failure(
                .invalidTopic(topic, reason: "a system topic: messages reach it by a delay level or a transaction"))
        }
        let queueCount = topics[topic]?.queueCount ?? newTopicQueueCount(topic)
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
        var storedTopic = topic
        var storedQueue: Int32?
        switch holdBack(message, queueCount: queueCount) {
        case .failure(let reason): return .failure(reason)
        case .success(nil): break
        case .success(let held?):
            storedTopic = held.topic
            storedQueue = held.queue
            properties = properties.map { $0.name == MessageProperty.delayLevel ? held.delayProperty ?? $0 : $0 }
            properties += held.properties
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
            body: message.body.count, topic: storedTopic.utf8.count, properties: propertiesLength,
            bornIPv6: message.bornHost.isIPv6, storeIPv6: stamp.storeHost.isIPv6)
        guard size + Self.entryOverheadBytes <= configuration.commitLogFileSize else {
            return .failure(.recordTooLarge(topic: topic, bytes: size, fileSize: configuration.commitLogFileSize))
        }
        return .success(
            PreparedMessage(
                message: message, properties: properties, recordSize: size,
                tagsCode: JavaHash.tagsCode(message.tags), storedTopic: storedTopic, storedQueue: storedQueue))
    }

    /// Why a tag, key or property text cannot be stored, or nil: it must not contain the
    /// property separators (and, for keys, spaces) and must fit a 2-byte length.
    static func textProblem(_ text: String, allowSpaces: Bool, allowEmpty: Bool = false) -> String? {
        if text.isEmpty && !allowEmpty { return "empty" }
        var text = text
        return text.withUTF8 { bytes in
            if bytes.count > MessageRecord.maxPropertiesLength {
                return "longer than \(MessageRecord.maxPropertiesLength) bytes"
            }
            // The separators (1, 2) and the space sort below every other printable byte.
            for byte in bytes where byte <= UInt8(ascii: " ") {
                if byte == MessageProperty.nameValueSeparator || byte == MessageProperty.pairSeparator {
                    return "contains a property separator (\\u{1} or \\u{2})"
                }
                if !allowSpaces && byte == UInt8(ascii: " ") { return "contains a space" }
            }
            return nil
        }
    }
}
