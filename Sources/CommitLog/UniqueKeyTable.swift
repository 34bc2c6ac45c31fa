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
/// Kept as a queue of entries in recording order, the keys' UTF-8 back to back in one byte
/// queue beside it, and an index from each live key's fingerprint (``HashedKey``) to its entry
/// (``FingerprintIndex``).
/// An entry holds no object of its own (no key string, no id string, no address array): a full
/// table of tens of thousands of keys is a few flat arrays, and recording a key and evicting the
/// oldest, which every stored message costs on every replica, allocate and free nothing and touch
/// little memory. Two live keys with one fingerprint (never seen in practice) are told apart by
/// their text: the second is indexed by its text in ``collisions``.
package struct UniqueKeyTable: Hashable {
    /// A recorded key — its fingerprint and where its UTF-8 lies in ``keyBytes`` — and its send's
    /// result. The result's message id is the offset id of its record's store host (every message
    /// stored here), made again when the result is asked for (a retry); a result restored with
    /// another id (its record is gone) keeps the id in ``messageIDs``.
    private struct Entry {
        let fingerprint: UInt64
        /// The number of the key's first byte: it is `keyBytes[keyStart - keyBase]`.
        let keyStart: Int
        let keyLength: Int32
        let queueID: Int32
        let topic: String
        let queueOffset: QueueOffset
        let physicalOffset: PhysicalOffset
        let storeTimestamp: Int64
        /// The store host whose offset id the result carries, or nil when the id is in
        /// ``messageIDs``.
        let storeHost: HostAddress?
    }

    /// Recorded keys oldest first; `entries[head...]` are live. Entry `i` was recorded as number
    /// `base + i`.
    private var entries: [Entry] = []
    private var head = 0
    private var base = 0
    /// The keys' UTF-8 in recording order; byte `i` is byte number `keyBase + i`.
    private var keyBytes: [UInt8] = []
    private var keyBase = 0
    /// The number of each live key's entry, by the key's fingerprint (one number a
    /// fingerprint).
    private var numbers: FingerprintIndex
    /// The number of each live key whose fingerprint another live key holds in ``numbers``.
    private var collisions: [String: Int] = [:]
    /// The message id of each live entry whose result does not carry its record's offset id, by
    /// entry number.
    private var messageIDs: [Int: String] = [:]
    package let capacity: Int

    /// An empty table for `capacity` keys; `indexSeed` places its index's slots (see
    /// ``FingerprintIndex``).
    package init(capacity: Int, indexSeed: UInt64 = 0) {
        precondition(capacity > 0, "the unique-key table needs room for one key")
        self.capacity = capacity
        numbers = FingerprintIndex(seed: indexSeed)
    }

    package static func == (lhs: UniqueKeyTable, rhs: UniqueKeyTable) -> Bool {
        lhs.capacity == rhs.capacity && lhs.count == rhs.count
            && zip(lhs.head..<lhs.entries.count, rhs.head..<rhs.entries.count).allSatisfy { left, right in
                lhs.keyText(lhs.entries[left]) == rhs.keyText(rhs.entries[right])
                    && lhs.result(left) == rhs.result(right)
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
        if let number = indexed(key.fingerprint, mixed: numbers.mix(key.fingerprint)),
            holds(entries[number - base], key.text)
        {
            return result(number - base)
        }
        guard !collisions.isEmpty, let number = collisions[key.text] else { return nil }
        return result(number - base)
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
        let mixed = numbers.mix(key.fingerprint)
        if let holder = indexed(key.fingerprint, mixed: mixed) {
            // Another live key has this fingerprint: it keeps the index, this one goes aside.
            precondition(!holds(entries[holder - base], key.text), "unique key \(key.text) recorded twice")
            let previous = collisions.updateValue(number, forKey: key.text)
            precondition(previous == nil, "unique key \(key.text) recorded twice")
        } else {
            numbers.insert(mixed, number)
        }
        if let storeHost {
            assert(
                MessageID.isID(result.messageID, storeHost: storeHost, physicalOffset: result.physicalOffset),
                "the result of \(key.text) does not carry its record's offset id")
        } else {
            messageIDs[number] = result.messageID
        }
        let keyStart = keyBase + keyBytes.count
        keyBytes.append(contentsOf: key.text.utf8)
        entries.append(
            Entry(
                fingerprint: key.fingerprint, keyStart: keyStart, keyLength: Int32(keyBase + keyBytes.count - keyStart),
                queueID: result.queue.queueID, topic: result.queue.topic, queueOffset: result.queueOffset,
                physicalOffset: result.physicalOffset, storeTimestamp: result.storeTimestamp, storeHost: storeHost))
        if count > capacity { evictOldest() }
        // The key evicted a few records from now: its slot is somewhere in an index too large
        // for the cache, and is known long before it is needed.
        let evictedSoon = head + Self.prefetchLead
        if count == capacity, evictedSoon < entries.count {
            numbers.prefetch(numbers.mix(entries[evictedSoon].fingerprint))
        }
    }

    /// How many records ahead the slot of a key to evict is brought into the cache.
    private static let prefetchLead = 4

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
        for index in head..<entries.count {
            let entry = entries[index]
            if entry.physicalOffset < start {
                results.append((keyText(entry), result(index)))
            } else {
                offsets.append(entry.physicalOffset)
            }
        }
        return (results, offsets)
    }

    /// The number the index holds for `fingerprint` (whose mix is `mixed`), if any.
    private func indexed(_ fingerprint: UInt64, mixed: UInt64) -> Int? {
        numbers.first(mixed, near: base + entries.count - 1) { entries[$0 - base].fingerprint == fingerprint }
    }

    /// The key bytes of `entry`.
    private func keyUTF8(_ entry: Entry) -> ArraySlice<UInt8> {
        let start = entry.keyStart - keyBase
        return keyBytes[start..<(start + Int(entry.keyLength))]
    }

    private func keyText(_ entry: Entry) -> String { String(decoding: keyUTF8(entry), as: UTF8.self) }

    /// Whether `entry` is the entry of `key` (given its fingerprint matched).
    private func holds(_ entry: Entry, _ key: String) -> Bool {
        var key = key
        return key.withUTF8 { $0.elementsEqual(keyUTF8(entry)) }
    }

    /// The result recorded in `entries[index]`.
    private func result(_ index: Int) -> SendResult {
        let entry = entries[index]
        let id: String
        if let storeHost = entry.storeHost {
            id = MessageID.make(storeHost: storeHost, physicalOffset: entry.physicalOffset)
        } else {
            guard let text = messageIDs[base + index] else {
                preconditionFailure("entry \(base + index) keeps neither its store host nor its message id")
            }
            id = text
        }
        return SendResult(
            queue: MessageQueue(topic: entry.topic, queueID: entry.queueID), queueOffset: entry.queueOffset,
            physicalOffset: entry.physicalOffset, messageID: id, storeTimestamp: entry.storeTimestamp)
    }

    private mutating func evictOldest() {
        let oldest = entries[head]
        let number = base + head
        // Not indexed: another key held its fingerprint when it came, and it went aside.
        if !numbers.remove(numbers.mix(oldest.fingerprint), number) { collisions[keyText(oldest)] = nil }
        if oldest.storeHost == nil { messageIDs[number] = nil }
        head += 1
        // Drop the evicted prefix once it is as long as what is kept, so memory stays within
        // twice the capacity and each append costs amortized O(1); the evicted keys' bytes go
        // with it.
        if head >= 1024 && head * 2 >= entries.count {
            entries.removeFirst(head)
            base += head
            head = 0
            let keptFrom = entries[0].keyStart
            keyBytes.removeFirst(keptFrom - keyBase)
            keyBase = keptFrom
        }
    }
}
