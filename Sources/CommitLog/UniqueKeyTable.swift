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
/// - otherwise the message is stored and its key recorded with the result (unless the key is
///   the message's own offset id, which the store would have given it anyway: such a record
///   cannot be told from one without a producer key when the table is rebuilt).
///
/// Bounded: the table holds at most `capacity` keys (config key `maxUniqueKeys`). Recording a
/// key in a full table evicts the oldest one, the key recorded first in log order; a retry of
/// an evicted key is stored again. Eviction order is the log order of recording (a queue), so
/// every replica evicts the same key and no decision iterates a hash table. `capacity` is
/// replicated state: every member of a group must use the same value.
///
/// Persisted compactly: a checkpoint holds only the physical offsets of the recorded messages,
/// oldest first (8 bytes a key); reopening reads those records back for their keys and results.
struct UniqueKeyTable: Hashable {
    private(set) var results: [String: SendResult] = [:]
    /// Keys in the order they were recorded, with their records' physical offsets;
    /// `order[head...]` are live, oldest first.
    private var order: [(key: String, offset: PhysicalOffset)] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "the unique-key table needs room for one key")
        self.capacity = capacity
    }

    static func == (lhs: UniqueKeyTable, rhs: UniqueKeyTable) -> Bool {
        lhs.results == rhs.results && lhs.offsets == rhs.offsets && lhs.capacity == rhs.capacity
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(offsets)
        hasher.combine(capacity)
    }

    /// Keys recorded.
    var count: Int { results.count }

    /// The original result of the message stored under `key`, or nil when the key is new (or was
    /// evicted).
    func lookup(_ key: String) -> SendResult? { results[key] }

    /// Whether a message stored with `key` and `result` is recorded: it has a key, and one
    /// other than the offset id the store would have given it.
    static func records(_ key: String?, _ result: SendResult) -> Bool {
        guard let key else { return false }
        return key != result.messageID
    }

    /// Records the result of a new message stored under `key`; evicts the oldest key when the
    /// table is full. `key` must not be recorded already.
    mutating func record(_ key: String, result: SendResult) {
        // One hash of the key to insert and check; evicting after inserting drops the same key
        // (the new one is the newest) without looking the key up first.
        let previous = results.updateValue(result, forKey: key)
        precondition(previous == nil, "unique key \(key) recorded twice")
        order.append((key, result.physicalOffset))
        if results.count > capacity { evictOldest() }
    }

    /// The physical offsets of the recorded messages, oldest first: what a checkpoint keeps.
    var offsets: [PhysicalOffset] { order[head...].map(\.offset) }

    /// What a checkpoint keeps when the log holds only the records from `start` on: the keys
    /// whose records lie before it with their results, then the offsets of the others, each
    /// oldest first (records are recorded in log order, so the first kind precedes the other).
    func persisted(logStart start: PhysicalOffset) -> (
        results: [(key: String, result: SendResult)], offsets: [PhysicalOffset]
    ) {
        var results: [(key: String, result: SendResult)] = []
        var offsets: [PhysicalOffset] = []
        for (key, offset) in order[head...] {
            if offset < start {
                results.append((key, self.results[key]!))
            } else {
                offsets.append(offset)
            }
        }
        return (results, offsets)
    }

    private mutating func evictOldest() {
        results[order[head].key] = nil
        head += 1
        // Drop the evicted prefix once it is as long as what is kept, so memory stays within
        // twice the capacity and each append costs amortized O(1).
        if head >= 1024 && head * 2 >= order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
