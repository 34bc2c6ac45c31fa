import CommitLog
import LedgerModel
import Raft
import Testing

/// ``UniqueKeyTable`` on its own: lookups, eviction oldest first, and two live keys that share a
/// fingerprint (made here on purpose; FNV-1a collisions of real keys are never seen).
@Suite struct UniqueKeyTableTests {
    func result(_ offset: Int64) -> SendResult {
        SendResult(
            queue: MessageQueue(topic: "T", queueID: 0), queueOffset: QueueOffset(offset),
            physicalOffset: PhysicalOffset(offset * 100), messageID: "id-\(offset)", storeTimestamp: offset)
    }

    @Test func remembersTheNewestKeysAndEvictsTheOldestFirst() {
        var table = UniqueKeyTable(capacity: 3)
        for number in 0..<5 { table.record("K\(number)", result: result(Int64(number))) }
        #expect(table.count == 3)
        #expect(table.lookup("K0") == nil)
        #expect(table.lookup("K1") == nil)
        #expect((2..<5).map { table.lookup("K\($0)") } == (2..<5).map { result(Int64($0)) })
        #expect(table.offsets == [PhysicalOffset(200), PhysicalOffset(300), PhysicalOffset(400)])
    }

    @Test func keysSharingAFingerprintAreToldApartAndEvictedInOrder() {
        var table = UniqueKeyTable(capacity: 3)
        let shared: UInt64 = 42
        table.record(HashedKey("A", fingerprint: shared), result: result(1))
        table.record(HashedKey("B", fingerprint: shared), result: result(2))
        #expect(table.lookup(HashedKey("A", fingerprint: shared)) == result(1))
        #expect(table.lookup(HashedKey("B", fingerprint: shared)) == result(2))
        #expect(table.lookup(HashedKey("C", fingerprint: shared)) == nil)
        // A, the fingerprint's holder, goes first; B is still found, and C takes the fingerprint.
        table.record(HashedKey("X", fingerprint: 7), result: result(3))
        table.record(HashedKey("C", fingerprint: shared), result: result(4))
        #expect(table.lookup(HashedKey("A", fingerprint: shared)) == nil)
        #expect(table.lookup(HashedKey("B", fingerprint: shared)) == result(2))
        #expect(table.lookup(HashedKey("C", fingerprint: shared)) == result(4))
        // Then B, kept aside, goes; C stays.
        table.record(HashedKey("Y", fingerprint: 8), result: result(5))
        #expect(table.lookup(HashedKey("B", fingerprint: shared)) == nil)
        #expect(table.lookup(HashedKey("C", fingerprint: shared)) == result(4))
        #expect(table.count == 3)
    }

    @Test func aKeySetAsideIsEvictedAfterItsFingerprintsHolderLeft() {
        var table = UniqueKeyTable(capacity: 2)
        table.record(HashedKey("A", fingerprint: 1), result: result(1))
        table.record(HashedKey("B", fingerprint: 1), result: result(2))
        table.record(HashedKey("X", fingerprint: 2), result: result(3))  // evicts A, the holder
        table.record(HashedKey("Y", fingerprint: 3), result: result(4))  // evicts B, set aside
        #expect(table.lookup(HashedKey("B", fingerprint: 1)) == nil)
        table.record(HashedKey("B", fingerprint: 1), result: result(5))
        #expect(table.lookup(HashedKey("B", fingerprint: 1)) == result(5))
        #expect(table.count == 2)
    }

    @Test func aResultKeptByItsStoreHostComesBackWithItsOffsetID() {
        let host = HostAddress(ipv4: 10, 0, 0, 7, port: 30_911)
        let offset = PhysicalOffset(123_456)
        let stored = SendResult(
            queue: MessageQueue(topic: "T", queueID: 2), queueOffset: QueueOffset(9), physicalOffset: offset,
            messageID: MessageID.make(storeHost: host, physicalOffset: offset), storeTimestamp: 77)
        var table = UniqueKeyTable(capacity: 2)
        table.record("K", result: stored, storeHost: host)
        table.record("L", result: result(5))
        #expect(table.lookup("K") == stored)
        var other = UniqueKeyTable(capacity: 2)
        other.record("K", result: stored)
        other.record("L", result: result(5))
        #expect(table == other, "kept by host or by text, the same result")
    }

    @Test func equalTablesHoldTheSameKeysInTheSameOrder() {
        var one = UniqueKeyTable(capacity: 2)
        var other = UniqueKeyTable(capacity: 2)
        for number in 0..<4 { one.record("K\(number)", result: result(Int64(number))) }
        for number in 2..<4 { other.record("K\(number)", result: result(Int64(number))) }
        #expect(one == other)
        other.record("K9", result: result(9))
        #expect(one != other)
    }

    @Test func manyKeysStayFoundAcrossCompactions() {
        var table = UniqueKeyTable(capacity: 1500)
        for number in 0..<10_000 { table.record("KEY-\(number)", result: result(Int64(number))) }
        #expect(table.count == 1500)
        #expect(table.lookup("KEY-8499") == nil)
        #expect(table.lookup("KEY-8500") == result(8500))
        #expect(table.lookup("KEY-9999") == result(9999))
    }

    /// A seeded run against a plain model (a dictionary and a queue): keys drawn from a small
    /// space of fingerprints, so many live keys share one, retried keys, and a table that
    /// grows its index and compacts its queue many times over.
    @Test(arguments: [(1, 8, true), (2, 300, true), (3, 2500, true), (4, 2500, false), (5, 7, false)])
    func agreesWithAPlainModel(seed: UInt64, capacity: Int, sharedFingerprints: Bool) {
        func key(_ text: String, _ drawn: UInt64) -> HashedKey {
            sharedFingerprints ? HashedKey(text, fingerprint: drawn % 97) : HashedKey(text)
        }
        var random = SplitMix64(seed: seed)
        var table = UniqueKeyTable(capacity: capacity)
        var model: [String: SendResult] = [:]
        var order: [String] = []
        for number in 0..<20_000 {
            let drawn = random.next() % UInt64(capacity * 3)
            let text = "K\(drawn)"
            let key = key(text, drawn)
            #expect(table.lookup(key) == model[text], "step \(number)")
            guard model[text] == nil else { continue }
            let stored = result(Int64(number))
            table.record(key, result: stored)
            model[text] = stored
            order.append(text)
            if order.count > capacity { model[order.removeFirst()] = nil }
        }
        #expect(table.count == model.count)
        for text in order {
            #expect(table.lookup(key(text, UInt64(text.dropFirst())!)) == model[text])
        }
    }
}
