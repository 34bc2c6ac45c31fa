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
///
/// Kept as a queue of entries in recording order and an index from each live key's fingerprint
/// (``HashedKey``) to its entry: 16 bytes a key in the hash table, so the lookup, insertion and
/// eviction every stored message costs on every replica touch little memory. Two live keys with
/// one fingerprint (never seen in practice) are told apart by their text: the second is indexed
/// by its text in ``collisions``.
package struct UniqueKeyTable: Hashable {
    /// A recorded key and its send's result. A result whose message id is the offset id of its
    /// record's store host (every message stored here) keeps the host instead, and the id is
    /// made again when the result is asked for (a retry): a full table then holds no string a
    /// key but the key, and evicting one frees none.
    private struct Entry {
        let key: HashedKey
        let queue: MessageQueue
        let queueOffset: QueueOffset
        let physicalOffset: PhysicalOffset
        let storeTimestamp: Int64
        let messageID: MessageIDSource

        enum MessageIDSource {
            case offsetID(storeHost: HostAddress)
            case text(String)
        }

        init(key: HashedKey, result: SendResult, storeHost: HostAddress?) {
            self.key = key
            queue = result.queue
            queueOffset = result.queueOffset
            physicalOffset = result.physicalOffset
            storeTimestamp = result.storeTimestamp
            if let storeHost {
                assert(
                    MessageID.isID(result.messageID, storeHost: storeHost, physicalOffset: result.physicalOffset),
                    "the result of \(key.text) does not carry its record's offset id")
                messageID = .offsetID(storeHost: storeHost)
            } else {
                messageID = .text(result.messageID)
            }
        }

        var result: SendResult {
            let id =
                switch messageID {
                case .offsetID(let storeHost): MessageID.make(storeHost: storeHost, physicalOffset: physicalOffset)
                case .text(let text): text
                }
            return SendResult(
                queue: queue, queueOffset: queueOffset, physicalOffset: physicalOffset, messageID: id,
                storeTimestamp: storeTimestamp)
        }
    }

    /// Recorded keys oldest first; `entries[head...]` are live. Entry `i` was recorded as number
    /// `base + i`.
    private var entries: [Entry] = []
    private var head = 0
    private var base = 0
    /// The number of each live key's entry, by the key's fingerprint.
    private var numbers: [UInt64: Int] = [:]
    /// The number of each live key whose fingerprint another live key holds in ``numbers``.
    private var collisions: [String: Int] = [:]
    package let capacity: Int

    package init(capacity: Int) {
        precondition(capacity > 0, "the unique-key table needs room for one key")
        self.capacity = capacity
    }

    package static func == (lhs: UniqueKeyTable, rhs: UniqueKeyTable) -> Bool {
        lhs.capacity == rhs.capacity
            && lhs.entries[lhs.head...].elementsEqual(rhs.entries[rhs.head...]) {
                $0.key == $1.key && $0.result == $1.result
            }
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(offsets)
        hasher.combine(capacity)
    }

    /// Keys recorded.
    package var count: Int { entries.count - head }

    /// The original result of the message stored under `key`, or nil when the key is new (or was
    /// evicted).
    package func lookup(_ key: String) -> SendResult? { lookup(HashedKey(key)) }

    package func lookup(_ key: HashedKey) -> SendResult? {
        if let number = numbers[key.fingerprint] {
            let entry = entries[number - base]
            if entry.key == key { return entry.result }
        }
        guard !collisions.isEmpty, let number = collisions[key.text] else { return nil }
        return entries[number - base].result
    }

    /// Whether a message stored with `key` and `result` is recorded: it has a key, and one
    /// other than the offset id the store would have given it.
    static func records(_ key: String?, _ result: SendResult) -> Bool {
        guard let key else { return false }
        return key != result.messageID
    }

    /// Records the result of a new message stored under `key`; evicts the oldest key when the
    /// table is full. `key` must not be recorded already.
    package mutating func record(_ key: String, result: SendResult, storeHost: HostAddress? = nil) {
        record(HashedKey(key), result: result, storeHost: storeHost)
    }

    /// Records `result` under `key`; `storeHost`, when given, is the store host of the record,
    /// whose offset id `result` carries (see ``Entry``).
    package mutating func record(_ key: HashedKey, result: SendResult, storeHost: HostAddress? = nil) {
        let number = base + entries.count
        if let holder = numbers.updateValue(number, forKey: key.fingerprint) {
            // Another live key has this fingerprint: it keeps the index, this one goes aside.
            numbers[key.fingerprint] = holder
            precondition(entries[holder - base].key != key, "unique key \(key.text) recorded twice")
            let previous = collisions.updateValue(number, forKey: key.text)
            precondition(previous == nil, "unique key \(key.text) recorded twice")
        }
        entries.append(Entry(key: key, result: result, storeHost: storeHost))
        if count > capacity { evictOldest() }
    }

    /// The physical offsets of the recorded messages, oldest first: what a checkpoint keeps.
    package var offsets: [PhysicalOffset] { entries[head...].map(\.physicalOffset) }

    /// What a checkpoint keeps when the log holds only the records from `start` on: the keys
    /// whose records lie before it with their results, then the offsets of the others, each
    /// oldest first (records are recorded in log order, so the first kind precedes the other).
    func persisted(logStart start: PhysicalOffset) -> (
        results: [(key: String, result: SendResult)], offsets: [PhysicalOffset]
    ) {
        var results: [(key: String, result: SendResult)] = []
        var offsets: [PhysicalOffset] = []
        for entry in entries[head...] {
            if entry.physicalOffset < start {
                results.append((entry.key.text, entry.result))
            } else {
                offsets.append(entry.physicalOffset)
            }
        }
        return (results, offsets)
    }

    private mutating func evictOldest() {
        let oldest = entries[head].key
        // One removal by fingerprint; put back when it held another key (this one was aside).
        let indexed = numbers.removeValue(forKey: oldest.fingerprint)
        if indexed != base + head {
            if let indexed { numbers[oldest.fingerprint] = indexed }
            collisions[oldest.text] = nil
        }
        head += 1
        // Drop the evicted prefix once it is as long as what is kept, so memory stays within
        // twice the capacity and each append costs amortized O(1).
        if head >= 1024 && head * 2 >= entries.count {
            entries.removeFirst(head)
            base += head
            head = 0
        }
    }
}
