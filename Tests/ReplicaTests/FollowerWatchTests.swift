import LedgerModel
import Testing

@testable import Raft
@testable import Replica

/// A leader logs a follower's replication changes once each, not once per message.
@Suite struct FollowerWatchTests {
    private func follower(match: UInt64, state: String = "replicate") -> FollowerStatus {
        FollowerStatus(
            id: NodeID(3), match: LogIndex(match), next: LogIndex(match + 1), state: state, recentlyActive: true)
    }

    @Test func catchingUpIsLoggedWhenItStartsAndWhenItEnds() {
        var watch = FollowerWatch()
        #expect(watch.update([follower(match: 10)], lastIndex: LogIndex(10), term: Term(1), now: 0).isEmpty)
        #expect(
            watch.update([follower(match: 10)], lastIndex: LogIndex(50_010), term: Term(1), now: 100).map(\.1)
                == ["is catching up: 50000 entries behind (index 10 of 50010)"])
        // Still far behind: nothing new to say.
        #expect(watch.update([follower(match: 30_000)], lastIndex: LogIndex(60_000), term: Term(1), now: 5_000).isEmpty)
        #expect(
            watch.update([follower(match: 59_990)], lastIndex: LogIndex(60_000), term: Term(1), now: 12_400).map(\.1)
                == ["caught up in 12.3 s: 10 entries behind"])
        #expect(
            watch.update([follower(match: 60_000)], lastIndex: LogIndex(60_000), term: Term(1), now: 12_500).isEmpty)
    }

    @Test func probingIsLoggedWhenItStartsAndEnds() {
        var watch = FollowerWatch()
        _ = watch.update([follower(match: 10)], lastIndex: LogIndex(10), term: Term(1), now: 0)
        #expect(
            watch.update([follower(match: 10, state: "probe")], lastIndex: LogIndex(12), term: Term(1), now: 10).map(
                \.1)
                == ["is being probed from index 11 (its log may differ, or messages to it were lost)"])
        #expect(
            watch.update([follower(match: 12)], lastIndex: LogIndex(12), term: Term(1), now: 20).map(\.1)
                == ["replicating again from index 12"])
    }

    @Test func aNewLeaderTermStartsWithoutNews() {
        var watch = FollowerWatch()
        _ = watch.update([follower(match: 10)], lastIndex: LogIndex(10), term: Term(1), now: 0)
        #expect(
            watch.update([follower(match: 0, state: "probe")], lastIndex: LogIndex(11), term: Term(2), now: 10).isEmpty)
    }
}
