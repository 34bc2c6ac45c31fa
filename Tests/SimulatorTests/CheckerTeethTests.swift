import Raft
import Testing

@testable import Simulator

/// The checkers catch a core that breaks Raft on purpose, replicas whose orchestration answers
/// too early, and nodes that misuse their state machines on purpose: a seed sweep over the ordinary swarm profiles reports a violation for
/// each deliberately broken rule.
@Suite struct CheckerTeethTests {
    /// Counting replicas of earlier-term entries for commit (Raft paper, Figure 8).
    @Test func commitOfPriorTermEntriesIsCaught() {
        let failures = TestSupport.sweep(1...20, seconds: 5, brokenRules: .commitPriorTermEntries)
        #expect(!failures.isEmpty, "seeds 1-20 with commitPriorTermEntries broken: no violation found")
        #expect(failures.contains { $0.failure.invariant == "leader-commit-rule" }, "\(failures.map(\.failure))")
    }

    /// Granting votes without the "at least as up to date" log check.
    @Test func voteWithoutLogCheckIsCaught() {
        let failures = TestSupport.sweep(1...20, seconds: 5, brokenRules: .skipVoteLogCheck)
        #expect(!failures.isEmpty, "seeds 1-20 with skipVoteLogCheck broken: no violation found")
        #expect(failures.contains { $0.failure.invariant == "leader-completeness" }, "\(failures.map(\.failure))")
    }

    /// Every node forgetting producer stamps: a retried send is stored twice (seen as the same
    /// message id, or the same producer sequence, stored at two offsets).
    @Test func lostIdempotenceIsCaught() {
        let failure = TestSupport.firstFailure(in: 1...60, seconds: 5, brokenStateMachine: .ignoreProducerStamps)
        #expect(
            ["message-stored-twice", "producer-sequence-stored-twice"].contains(failure?.failure.invariant),
            "\(failure.map { "seed \($0.seed): \($0.failure)" } ?? "none")")
    }

    /// One node applying two commands in swapped order: caught when another replica applies
    /// the same index, when the node answers a client with the other command's result, or when
    /// it is the first to apply an offset commit that (applied too early) its queue cannot hold.
    @Test func swappedApplyOrderIsCaught() {
        let failure = TestSupport.firstFailure(in: 1...20, seconds: 5, brokenStateMachine: .swapApplies)
        #expect(
            ["apply-results", "state-digest", "send-result", "offset-commit-result", "offset-commit-rejected"].contains(
                failure?.failure.invariant),
            "\(failure.map { "seed \($0.seed): \($0.failure)" } ?? "none")")
    }

    /// Pulls and offset queries answered by whichever node the consumer reaches, without ReadIndex.
    @Test func staleReadsAreCaught() {
        let failure = TestSupport.firstFailure(in: 1...20, seconds: 5, brokenStateMachine: .staleReads)
        #expect(
            ["acknowledged-send-invisible", "consumer-offset", "offset-commit-lost", "consumer-monotonic"].contains(
                failure?.failure.invariant), "\(failure.map { "seed \($0.seed): \($0.failure)" } ?? "none")")
    }

    /// Replicas whose orchestration sends append acknowledgements and votes without waiting for
    /// the sync that covers them: every seed catches a promise made before the disk kept it.
    @Test func answeringBeforeTheSyncIsCaught() {
        let failure = TestSupport.firstFailure(in: 1...20, seconds: 5, brokenStateMachine: .answerBeforeSync)
        #expect(
            ["append-durable", "vote-durable"].contains(failure?.failure.invariant),
            "\(failure.map { "seed \($0.seed): \($0.failure)" } ?? "none")")
    }

    /// The same seeds pass with the core intact, so the violations above come from the broken rules.
    @Test func sameSeedsPassIntact() {
        let failures = TestSupport.sweep(1...20, seconds: 5)
        #expect(failures.isEmpty, "\(failures.map { "seed \($0.seed): \($0.failure)" })")
    }

    /// Leaders that grant a queue lock another client holds: two orderly consumers of one group
    /// then both read the queue (seeds with orderly groups and a restarted holder or two members).
    @Test func sharedQueueLocksAreCaught() {
        let failure = TestSupport.firstFailure(in: 1...60, seconds: 5, brokenStateMachine: .sharedQueueLocks)
        #expect(
            failure?.failure.invariant == "queue-lock-shared",
            "\(failure.map { "seed \($0.seed): \($0.failure)" } ?? "none")")
    }
}
