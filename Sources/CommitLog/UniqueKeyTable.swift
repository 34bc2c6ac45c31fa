import LedgerModel
import Raft

/// The RocketMQ producers' idempotence table: for each message unique key (`UNIQ_KEY`, the id a
/// RocketMQ client stamps on a message and keeps when it retries the send), the result of the
/// send that stored it, so a retried send — to the same leader or, after a failover, to the
/// next one — is answered with its original result instead of being stored again. It plays the
/// role ``ProducerTable`` plays for our own protocol's (producer id, sequence) stamps.
///
/// Rules, evaluated in log order on every replica:
/// - a message whose unique key is in the table is a retry: nothing is stored, the recorded
///   result is returned;
/// - otherwise the message is stored and its key recorded with the result.
///
/// Bounded: the table holds at most `capacity` keys (config key `maxUniqueKeys`). Recording a
/// key in a full table evicts the oldest one, the key recorded first in log order; a retry of
/// an evicted key is stored again. Eviction order is the log order of recording (a queue), so
/// every replica evicts the same key and no decision iterates a hash table. `capacity` is
/// replicated state: every member of a group must use the same value.
struct UniqueKeyTable: Hashable {
    /// What a recorded key remembers.
    struct Record: Hashable {
        var result: SendResult
        /// The log index of the entry that stored the message.
        var index: LogIndex
    }

    private(set) var records: [String: Record] = [:]
    /// Keys in the order they were recorded; `order[head...]` are live, oldest first.
    private var order: [String] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "the unique-key table needs room for one key")
        self.capacity = capacity
    }

    /// Keys recorded.
    var count: Int { records.count }

    /// The original result of the message stored under `key`, or nil when the key is new (or was
    /// evicted).
    func lookup(_ key: String) -> SendResult? { records[key]?.result }

    /// Records the result of a new message stored under `key` by the entry at `index`; evicts the
    /// oldest key when the table is full. `key` must not be recorded already.
    mutating func record(_ key: String, result: SendResult, index: LogIndex) {
        precondition(records[key] == nil, "unique key \(key) recorded twice")
        if records.count >= capacity { evictOldest() }
        records[key] = Record(result: result, index: index)
        order.append(key)
    }

    /// Restores a record read from a checkpoint; records come oldest first, each key once (a
    /// checkpoint holding more than `capacity` keeps the newest).
    mutating func restore(_ key: String, _ saved: Record) {
        record(key, result: saved.result, index: saved.index)
    }

    /// The records oldest first: the order checkpoints are written in and restored from.
    var inRecordingOrder: [(String, Record)] {
        order[head...].map { key in (key, records[key]!) }
    }

    private mutating func evictOldest() {
        records[order[head]] = nil
        head += 1
        // Drop the evicted prefix once it is as long as what is kept, so memory stays within
        // twice the capacity and each append costs amortized O(1).
        if head >= 1024 && head * 2 >= order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
