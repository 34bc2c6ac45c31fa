import LedgerCLI
import Testing

@testable import LedgerChaos

/// `--overlap` and `--unsafe`: the flags, the rule for which two faults may overlap, and the
/// checks that attribute leadership changes to one fault when two overlapped.
@Suite struct ChaosOverlapTests {
    static func parse(_ arguments: [String], isRoot: Bool = true) throws(UsageError) -> ChaosOptions {
        try ChaosOptions.parse(
            try FlagParser.parse(arguments, flags: ChaosOptions.flags, command: ChaosCommand.title),
            environment: { _ in nil }, isRoot: isRoot)
    }

    static func usageError(_ arguments: [String], isRoot: Bool = true) -> String? {
        do {
            _ = try parse(arguments, isRoot: isRoot)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func overlapAndUnsafeParse() throws {
        #expect(try !Self.parse([]).overlap)
        #expect(try Self.parse(["--overlap"]).overlap)
        #expect(try !Self.parse(["--overlap"]).unsafe)
        let unsafe = try Self.parse(["--overlap", "--unsafe", "--faults", "kill"])
        #expect(unsafe.overlap && unsafe.unsafe)
        #expect(try Self.parse(["--faults", "disk-full,slow-disk,kill"]).faults == [.kill, .slowDisk, .diskFull])
    }

    @Test func unsafeWithoutOverlapIsAUsageError() {
        #expect(
            Self.usageError(["--unsafe"])
                == "ledger chaos: --unsafe needs --overlap: it lets two overlapping faults leave the group without a "
                + "majority; see ledger chaos --help")
    }

    @Test func anOverlapNoTwoFaultsMayHaveIsAUsageError() throws {
        let message = try #require(Self.usageError(["--overlap", "--faults", "kill,pause"]))
        #expect(
            message.hasPrefix("ledger chaos: --overlap: no two of the faults kill,pause may overlap without --unsafe"))
        // A kind of another layer makes pairs possible: a process fault and a partition on one node.
        #expect(try Self.parse(["--overlap", "--faults", "kill,partition"]).faults == [.kill, .partition])
    }

    @Test func diskFaultsNeedRoot() throws {
        let message = try #require(Self.usageError(["--faults", "kill,disk-full"], isRoot: false))
        #expect(message.contains("--faults: disk-full needs root"))
        #expect(Self.usageError(["--faults", "slow-disk"], isRoot: false)?.contains("slow-disk needs root") == true)
        #expect(Self.usageError(["--faults", "kill"], isRoot: false) == nil)
    }

    @Test func theRuleKeepsAMajorityUnlessUnsafe() {
        let safe = ChaosOverlapRule(unsafe: false)
        // Two nodes out at once: only unsafe.
        #expect(!safe.allows(.kill, on: "n0", .pause, on: "n1"))
        #expect(!safe.allows(.partition, on: "n0", .longPause, on: "n1"))
        #expect(ChaosOverlapRule(unsafe: true).allows(.kill, on: "n0", .pause, on: "n1"))
        // One node out, the other only degraded.
        #expect(safe.allows(.kill, on: "n0", .diskFull, on: "n1"))
        #expect(safe.allows(.slowDisk, on: "n2", .partition, on: "n0"))
        #expect(safe.allows(.netem, on: "n0", .netem, on: "n1"))
        // One node, two layers; never two faults on one layer of one node, unsafe or not.
        #expect(safe.allows(.kill, on: "n0", .partition, on: "n0"))
        #expect(safe.allows(.diskFull, on: "n0", .restart, on: "n0"))
        #expect(!safe.allows(.pause, on: "n0", .restart, on: "n0"))
        #expect(!ChaosOverlapRule(unsafe: true).allows(.slowDisk, on: "n1", .diskFull, on: "n1"))
        #expect(!ChaosOverlapRule(unsafe: true).allows(.partition, on: "n1", .netem, on: "n1"))
    }

    // n0 leads term 3; n2 (a follower) is paused 10–30 s; a second fault overlaps it from 12 s
    // to 14 s, the group is stable again at 31.5 s, and term 4 (n1) is first seen at 13 s.

    static let longPause = ChaosLagCheckerTests.longPause

    /// A second fault of `kind` on `node` (n0 leads).
    static func second(_ kind: ChaosFaultKind, on node: String) -> ChaosFault {
        ChaosFault(
            kind: kind, node: node, targetedLeader: node == "n0", injected: .seconds(12), healed: .seconds(14),
            detail: "the second fault", observedUntil: .milliseconds(31_500), settled: true)
    }

    static func history(second: ChaosFault, rule: ChaosOverlapRule?) -> ChaosHistory {
        var history = ChaosLagCheckerTests.history(
            faults: [longPause, second], leaders: [ChaosLeaderSighting(term: 4, node: "n1", at: .seconds(13))])
        history.overlapRule = rule
        return history
    }

    @Test func aChangeDuringAnOverlappingFaultOnTheRemainingMajorityIsThatFaults() {
        let safe = ChaosOverlapRule(unsafe: false)
        // On the leader, or on the other follower: with n2 stopped, n0 and n1 are the only majority.
        for second in [Self.second(.diskFull, on: "n0"), Self.second(.slowDisk, on: "n1")] {
            let history = Self.history(second: second, rule: safe)
            #expect(ChaosChecker.check(history).passed, "\(second.node): \(ChaosChecker.check(history).violations)")
            #expect(Self.longPause.overlaps(second))
        }
    }

    @Test func aChangeDuringAnOverlappingFaultOnThePausedNodeStillFailsUnlessUnsafe() throws {
        let partition = Self.second(.partition, on: "n2")
        let (check, message) = try #require(
            ChaosCheckerTests.failure(Self.history(second: partition, rule: ChaosOverlapRule(unsafe: false))))
        #expect(check == .stableUnderLag)
        #expect(message.contains("saw 1 leadership change(s)"))
        // Unsafe: two faults may leave the leader without a majority, so any overlap excuses.
        let unsafe = Self.history(second: partition, rule: ChaosOverlapRule(unsafe: true))
        #expect(ChaosChecker.check(unsafe).passed, "\(ChaosChecker.check(unsafe).violations)")
        // Without --overlap nothing is excused, whatever the spans say.
        let off = Self.history(second: Self.second(.diskFull, on: "n0"), rule: nil)
        #expect(ChaosCheckerTests.failure(off)?.0 == .stableUnderLag)
    }

    @Test func aChangeOutsideTheOverlapStillCounts() throws {
        var second = Self.second(.diskFull, on: "n0")
        second.observedUntil = .seconds(15)
        var history = Self.history(second: second, rule: ChaosOverlapRule(unsafe: true))
        history.leaders.append(ChaosLeaderSighting(term: 5, node: "n0", at: .seconds(20)))
        let (check, message) = try #require(ChaosCheckerTests.failure(history))
        #expect(check == .stableUnderLag)
        #expect(message.contains("saw 1 leadership change(s)") && message.hasSuffix("term 5 (n0 at 20000 ms)"))
    }
}
