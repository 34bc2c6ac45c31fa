import Testing

@testable import LedgerClient

/// The in-flight bookkeeping of a pipelined ``NodeConnection``.
@Suite struct InFlightRequestsTests {
    /// Removes `ids` in order; whether each was in flight.
    static func remove(_ ids: [UInt64], from requests: inout InFlightRequests) -> [Bool] {
        ids.map { requests.remove($0) }
    }

    @Test func answersInAnyOrderAndOnlyOnce() {
        var requests = InFlightRequests()
        for id in UInt64(1)...5 { requests.append(id, start: Int(id) * 100) }
        #expect(requests.count == 5 && requests.oldestStart == 100)
        #expect(Self.remove([3, 1], from: &requests) == [true, true])
        #expect(requests.count == 3 && requests.oldestStart == 200, "the oldest unanswered is 2")
        #expect(Self.remove([1, 3], from: &requests) == [false, false], "answered already")
        #expect(Self.remove([0, 6], from: &requests) == [false, false], "never sent")
        #expect(Self.remove([2, 5, 4], from: &requests) == [true, true, true])
        #expect(requests.count == 0 && requests.oldestStart == nil)
        requests.append(6, start: 600)
        #expect(requests.oldestStart == 600)
        #expect(Self.remove([6], from: &requests) == [true])
    }

    @Test func aLongWindowKeepsItsPlace() {
        var requests = InFlightRequests()
        // Always 64 in flight while 10,000 pass through: the answered prefix is dropped as it goes.
        var removed: [Bool] = []
        for id in UInt64(1)...10_000 {
            requests.append(id, start: Int(id))
            if id > 64 { removed += Self.remove([id - 64], from: &requests) }
        }
        #expect(removed.allSatisfy { $0 } && removed.count == 10_000 - 64)
        #expect(requests.count == 64 && requests.oldestStart == 10_000 - 63)
        #expect(Self.remove([10_000 - 64], from: &requests) == [false])
        #expect(Self.remove(Array((10_000 - 63)...10_000), from: &requests).allSatisfy { $0 })
        #expect(requests.count == 0)
    }
}
