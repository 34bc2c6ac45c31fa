import LedgerCLI
import Testing

@testable import LedgerChaos

/// The stable-under-lag check's teeth, and the leadership changes counted per fault: doctored
/// histories in which a follower's long pause did or did not meet a new leader.
@Suite struct ChaosLagCheckerTests {
    // n0 leads term 3 from 500 ms; n2 (a follower) is stopped from 10 s to 30 s and the group
    // is stable again at 31.5 s.

    static let longPause = ChaosFault(
        kind: .longPause, node: "n2", targetedLeader: false, injected: .seconds(10), healed: .seconds(30),
        detail: "SIGSTOP n2 (follower) for 20000 ms under load, then SIGCONT", observedUntil: .milliseconds(31_500),
        settled: true)

    static func history(faults: [ChaosFault] = [longPause], leaders extra: [ChaosLeaderSighting] = []) -> ChaosHistory {
        var history = ChaosCheckerTests.history(
            leaders: [
                ChaosLeaderSighting(term: 2, node: "n1", at: .milliseconds(100)),
                ChaosLeaderSighting(term: 3, node: "n0", at: .milliseconds(500)),
            ] + extra)
        history.faults = faults
        return history
    }

    @Test func aLongPauseWithoutALeadershipChangePasses() {
        let verdict = ChaosChecker.check(Self.history())
        #expect(verdict.passed, "\(verdict.violations)")
        #expect(ChaosChecker.leaderChanges(during: Self.longPause, in: Self.history().leaders).isEmpty)
        #expect(ChaosChecker.leaderBefore(Self.longPause, in: Self.history().leaders)?.term == 3)
    }

    @Test func aLongPauseThatMetATermChangeFailsNamingTheFaultAndTheTerms() throws {
        let history = Self.history(leaders: [
            ChaosLeaderSighting(term: 4, node: "n1", at: .milliseconds(30_400)),
            ChaosLeaderSighting(term: 5, node: "n0", at: .milliseconds(31_000)),
        ])
        let (check, message) = try #require(ChaosCheckerTests.failure(history))
        #expect(check == .stableUnderLag)
        #expect(
            message
                == "long-pause at 10000 ms (SIGSTOP n2 (follower) for 20000 ms under load, then SIGCONT) saw 2 "
                + "leadership change(s) until the group was stable again at 31500 ms: term 3 (n0) → "
                + "term 4 (n1 at 30400 ms) → term 5 (n0 at 31000 ms)")
    }

    @Test func aChangeAfterTheGroupSettledOrBeforeThePauseIsNotCounted() {
        // Term 4 is elected after the group was stable again; term 3's leader was first seen
        // (late) during the pause, but at no term above what was seen before it.
        let history = Self.history(leaders: [
            ChaosLeaderSighting(term: 4, node: "n1", at: .seconds(40)),
            ChaosLeaderSighting(term: 3, node: "n0", at: .seconds(12)),
        ])
        #expect(ChaosChecker.check(history).passed, "\(ChaosChecker.check(history).violations)")
    }

    @Test func otherFaultsMayChangeTheLeader() {
        var leaderPause = Self.longPause
        leaderPause.kind = .pause
        leaderPause.targetedLeader = true
        let history = Self.history(
            faults: [leaderPause], leaders: [ChaosLeaderSighting(term: 4, node: "n1", at: .milliseconds(10_400))])
        #expect(ChaosChecker.check(history).passed, "\(ChaosChecker.check(history).violations)")
        #expect(ChaosChecker.leaderChanges(during: leaderPause, in: history.leaders).map(\.term) == [4])
    }

    @Test func aGroupThatNeverSettledCountsUntilTheWatchEnded() throws {
        var unsettled = Self.longPause
        unsettled.settled = false
        unsettled.observedUntil = .seconds(60)
        let history = Self.history(
            faults: [unsettled], leaders: [ChaosLeaderSighting(term: 4, node: "n1", at: .seconds(55))])
        let (check, message) = try #require(ChaosCheckerTests.failure(history))
        #expect(check == .stableUnderLag)
        #expect(
            message.hasSuffix(
                "saw 1 leadership change(s) while the group did not settle at 60000 ms: term 3 (n0) → term 4 (n1 at 55000 ms)"
            ))
    }
}
