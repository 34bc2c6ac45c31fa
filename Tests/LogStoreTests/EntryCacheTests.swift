import Raft
import Testing

@testable import LogStore

@Suite struct EntryCacheTests {
    /// Evicted entries wait in the array for a compaction but hold no payload: a cache of
    /// 100 KiB fed 32 KiB entries holds its three newest, not the 1,024 evicted ones besides.
    @Test func evictedEntriesHoldNoPayload() {
        var cache = EntryCache(limit: 100 << 10)
        let payload = [UInt8](repeating: 7, count: 32 << 10)
        for index in UInt64(1)...900 {
            cache.append(
                CachedEntry(
                    entry: Entry(index: LogIndex(index), term: Term(1), data: payload), position: index << 16,
                    size: UInt32(payload.count), chain: 0))
        }
        #expect(cache.payloadBytes == 3 * payload.count)
        #expect((898...900).allSatisfy { cache.get($0)?.entry.data.count == payload.count })
        #expect(cache.get(897) == nil)
        cache.drop(before: 900)
        #expect(cache.payloadBytes == payload.count)
    }
}
