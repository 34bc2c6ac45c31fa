import LedgerModel
import Raft

/// Idempotence by message unique key (`UNIQ_KEY`, ``UniqueKeyTable``): a message whose key
/// was stored before is answered with its original result and not stored again. A single send
/// is checked before it is validated (a retry gets its original answer even if the state
/// changed since); each message of a batch is checked on its own, so a retried batch stores
/// only those of its messages not stored yet, and a key repeated inside one batch is stored
/// once. Every decision is folded into the digest.
extension CommitLogStateMachine {
    /// The original result of the message stored under `key`, if any.
    func storedUnder(_ key: String?) -> SendResult? {
        guard let key else { return nil }
        return uniqueKeys.lookup(key)
    }

    /// A retry recognised by its unique key: the original result, folded into the digest.
    func uniqueKeyDuplicate(_ original: SendResult) -> ApplyResult {
        runningDigest.fold(UInt8(0xD1))
        runningDigest.fold(original.physicalOffset.rawValue)
        return .duplicate(original)
    }

    /// Remembers the result of `message`, just stored by the entry at `index`, under its
    /// unique key (if it has one).
    func recordUniqueKey(of message: ProducerMessage, _ result: SendResult, index: LogIndex) {
        guard let key = message.uniqueKey else { return }
        uniqueKeys.record(key, result: result, index: index)
    }

    /// Stores a validated message of a batch unless its unique key was stored before.
    func storeOnce(_ prepared: PreparedMessage, stamp: StoreStamp, index: LogIndex) -> ApplyResult {
        if let original = storedUnder(prepared.message.uniqueKey) { return uniqueKeyDuplicate(original) }
        let result = store(prepared, stamp: stamp)
        recordUniqueKey(of: prepared.message, result, index: index)
        return .stored(result)
    }
}
