import LedgerModel
import Raft

/// Idempotence by message unique key (`UNIQ_KEY`, ``UniqueKeyTable``): a message whose key
/// was stored before is answered with its original result and not stored again. A record is
/// checked before its placement (a retry gets its original answer even if the state changed
/// since); each record of a batch is checked on its own, so a retried batch stores only those
/// of its messages not stored yet, and a key repeated inside one batch is stored once. A
/// leader places a retry without giving it a queue offset (``ProposalTail``). Every decision is
/// folded into the digest.
extension CommitLogStateMachine {
    /// The original result of the message stored under `key`, if any.
    func storedUnder(_ key: HashedKey) -> SendResult? { uniqueKeys.lookup(key) }

    /// A retry recognised by its unique key: the original result, folded into the digest.
    func uniqueKeyDuplicate(_ original: SendResult) -> ApplyResult {
        runningDigest.fold(UInt8(0xD1))
        runningDigest.fold(original.physicalOffset.rawValue)
        return .duplicate(original)
    }

    /// The unique key a producer stamped on a stored message, or nil when the store gave it its
    /// own offset message id (a message without a producer key). Compared without formatting
    /// the id: this runs for every record applied.
    func producerKey(of message: StoredMessage) -> HashedKey? {
        guard let key = message.property(MessageProperty.uniqueKey),
            !MessageID.isID(key, storeHost: message.storeHost, physicalOffset: message.physicalOffset)
        else { return nil }
        return HashedKey(key)
    }

    /// Remembers `result`, just stored from a record of `storeHost`, under `key`: the record's
    /// ``producerKey(of:)``, so ``UniqueKeyTable/records(_:_:)`` holds without comparing it again.
    func recordUniqueKey(_ key: HashedKey, _ result: SendResult, storeHost: HostAddress) {
        assert(UniqueKeyTable.records(key.text, result), "unique key \(key.text) is its record's own id")
        uniqueKeys.record(key, result: result, storeHost: storeHost)
    }

    /// Records the keys a checkpoint or snapshot lists with their results (oldest first).
    func restoreUniqueKeys(_ keys: [(key: String, result: SendResult)], file: String) throws(CommitLogError) {
        for (key, result) in keys {
            guard UniqueKeyTable.records(key, result), uniqueKeys.lookup(key) == nil else {
                throw .inconsistent(file: file, detail: "unique key \(key) is listed twice or is its record's own id")
            }
            uniqueKeys.record(key, result: result)
        }
    }

    /// Rebuilds the table from the records a checkpoint names (`offsets`, oldest first): each
    /// must be an intact record whose `UNIQ_KEY` is a producer's key, each key once.
    func restoreUniqueKeys(at offsets: [PhysicalOffset], checkpointPath: String) throws(CommitLogError) {
        for offset in offsets {
            let message: StoredMessage
            do {
                message = try indexedMessage(at: offset)
            } catch {
                if case .unreadable(let cause) = error { throw cause }
                throw .inconsistent(file: checkpointPath, detail: "unique-key record at \(offset): \(error)")
            }
            let result = SendResult(
                queue: MessageQueue(topic: message.topic, queueID: message.queueID), queueOffset: message.queueOffset,
                physicalOffset: offset, messageID: MessageID.make(storeHost: message.storeHost, physicalOffset: offset),
                storeTimestamp: message.storeTimestamp)
            let key = message.property(MessageProperty.uniqueKey)
            guard let key, UniqueKeyTable.records(key, result), uniqueKeys.lookup(key) == nil else {
                throw .inconsistent(
                    file: checkpointPath,
                    detail: "the record at \(offset) holds no producer unique key, or one named twice")
            }
            uniqueKeys.record(key, result: result, storeHost: message.storeHost)
        }
    }
}
