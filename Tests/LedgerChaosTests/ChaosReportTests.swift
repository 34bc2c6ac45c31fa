import LedgerCLI
import Testing

@testable import LedgerChaos

/// The chaos report's figures and its JSON shape, from a small made-up run.
@Suite struct ChaosReportTests {
    static func op(_ sequence: Int, ended: Duration, node: String, index: UInt64) -> ChaosOperation {
        ChaosOperation(
            id: ChaosOperationID(producer: 0, sequence: sequence), started: ended - .milliseconds(2), ended: ended,
            attempts: [.acknowledged(.index(index), node: node)], idempotent: false)
    }

    static func report(passing: Bool) -> ChaosReport {
        let operations = [
            op(1, ended: .milliseconds(500), node: "n0", index: 2),
            // n0 is paused at 1000 ms; n1 acknowledges at 1250 ms.
            op(2, ended: .milliseconds(1250), node: "n1", index: 4),
            op(3, ended: .milliseconds(2100), node: "n1", index: 5),
            ChaosOperation(
                id: ChaosOperationID(producer: 0, sequence: 4), started: .milliseconds(2200),
                ended: .milliseconds(3200), attempts: [.indeterminate("timed out")], idempotent: false),
        ]
        let faults = [
            ChaosFault(
                kind: .pause, node: "n0", targetedLeader: true, injected: .milliseconds(1000),
                healed: .milliseconds(2000), detail: "SIGSTOP n0 (leader, term 1) for 1000 ms, then SIGCONT",
                observedUntil: .milliseconds(2300), settled: true),
            ChaosFault(
                kind: .kill, node: "n2", targetedLeader: false, injected: .milliseconds(2500),
                healed: .milliseconds(2900), detail: "kill -9 n2 (follower), restarted after 400 ms"),
        ]
        let leaders =
            [
                ChaosLeaderSighting(term: 1, node: "n0", at: .zero),
                ChaosLeaderSighting(term: 2, node: "n1", at: .milliseconds(1200)),
            ] + (passing ? [] : [ChaosLeaderSighting(term: 2, node: "n2", at: .milliseconds(1300))])
        let log = [1, 2, 3, 4, 5].map { index in
            let content: ChaosContent =
                switch index {
                case 2: .operation(ChaosOperationID(producer: 0, sequence: 1))
                case 4: .operation(ChaosOperationID(producer: 0, sequence: 2))
                case 5: .operation(ChaosOperationID(producer: 0, sequence: 3))
                default: .bookkeeping("the no-op of term \(index == 1 ? 1 : 2)")
                }
            return ChaosItem(position: .index(UInt64(index)), content: content, fingerprint: [UInt8(index)])
        }
        let history = ChaosHistory(
            operations: operations, leaders: leaders, reads: [],
            finalContents: ["n0", "n1", "n2"].map {
                ChaosNodeContents(
                    node: $0, items: log, digest: ChaosStateDigest(applied: 5, reported: 0x1F, replayed: 0x1F))
            }, faults: faults)
        var options = ChaosOptions()
        options.duration = .seconds(4)
        options.seed = 9
        return ChaosReport(
            seed: 9, options: options, workload: "raw-append", directory: "/tmp/ledger-chaos-x",
            keptData: !passing, history: history, notes: [],
            verdict: ChaosChecker.check(history), wallTime: .milliseconds(5000))
    }

    @Test func figures() {
        let report = Self.report(passing: true)
        #expect(report.counts == ChaosReport.Counts(attempted: 4, acknowledged: 3, failed: 0, indeterminate: 1))
        #expect(report.failovers.count == 1)
        #expect(report.failovers.first?.newLeader == "n1")
        #expect(report.failovers.first?.unavailable == .milliseconds(250))
        #expect(report.throughputPerSecond == [1, 1, 1, 0])
    }

    @Test func aDegradingFaultOnTheLeaderIsNoFailover() {
        var history = Self.report(passing: true).history
        // The pause on the leader n0 becomes a slow disk: n0 keeps leading, nobody fails over.
        history.faults[0].kind = .slowDisk
        var options = ChaosOptions()
        options.duration = .seconds(4)
        let report = ChaosReport(
            seed: 9, options: options, workload: "raw-append", directory: "/tmp/ledger-chaos-x", keptData: false,
            history: history, notes: [], verdict: ChaosChecker.check(history), wallTime: .milliseconds(5000))
        #expect(report.failovers.isEmpty)
        #expect(report.text.contains("failovers (faults that took the leader out): 0\n"), "\(report.text)")
    }

    @Test func passingReport() {
        let report = Self.report(passing: true)
        let text = report.text
        #expect(text.contains("operations: 4 attempted, 3 acknowledged, 0 failed, 1 indeterminate"))
        #expect(text.contains("faults: kill 1, pause 1, restart 0, partition 0, long-pause 0"))
        // Per fault, the leadership changes until the group was stable again (when watched).
        #expect(
            text.contains(
                "  1000 ms: SIGSTOP n0 (leader, term 1) for 1000 ms, then SIGCONT; 1 leadership change, "
                    + "stable 300 ms after the heal\n"))
        #expect(text.contains("  2500 ms: kill -9 n2 (follower), restarted after 400 ms\n"))
        #expect(text.contains("p50 250 ms, max 250 ms"))
        #expect(text.contains("consumers: 0 reads, 0 offset commits acknowledged, 0 offsets read back"))
        #expect(
            text.contains(
                "final state: n0 applied 5 digest 000000000000001f; n1 applied 5 digest 000000000000001f; "
                    + "n2 applied 5 digest 000000000000001f"))
        #expect(text.hasSuffix("verdict: PASS"))
        let json = report.json.rendered
        for key in [
            "\"seed\": \"9\"",
            "\"operations\": {\"attempted\": 4, \"acknowledged\": 3, \"failed\": 0, \"indeterminate\": 1",
            "\"offsetCommits\": 0, \"offsetQueries\": 0}",
            "\"finalState\": [{\"node\": \"n0\", \"appliedIndex\": 5, \"stateDigest\": \"000000000000001f\", "
                + "\"replayedDigest\": \"000000000000001f\"}",
            "\"faults\": {\"kill\": 1, \"pause\": 1, \"restart\": 0, \"partition\": 0, \"long-pause\": 0, \"netem\": 0, "
                + "\"slow-disk\": 0, \"disk-full\": 0}",
            "\"detail\": \"SIGSTOP n0 (leader, term 1) for 1000 ms, then SIGCONT\", \"leaderChanges\": 1, "
                + "\"settledAtMs\": 2300, \"overlapsAtMs\": [], \"writesRefused\": 0, \"fullDiskSeen\": false}",
            "\"leaderChanges\": 0, \"settledAtMs\": null, \"overlapsAtMs\": [], \"writesRefused\": 0, \"fullDiskSeen\": false}",
            "\"faultsEnabled\": [\"kill\", \"pause\", \"restart\", \"partition\"], \"overlap\": \"off\"",
            "\"unavailableP50Ms\": 250, \"unavailableMaxMs\": 250",
            "\"throughput\": {\"intervalMs\": 1000, \"acknowledged\": [1, 1, 1, 0]}", "\"verdict\": \"PASS\"",
            "\"firstViolation\": null", "\"dataDirectory\": null",
        ] {
            #expect(json.contains(key), "missing \(key) in \(json)")
        }
    }

    @Test func heldMessageFigures() {
        let history = ChaosHeldMessageCheckerTests.history()
        var options = ChaosOptions()
        options.duration = .seconds(4)
        let report = ChaosReport(
            seed: 9, options: options, workload: "messages", directory: "/tmp/ledger-chaos-x", keptData: false,
            history: history, notes: [], verdict: ChaosChecker.check(history), wallTime: .milliseconds(5000))
        #expect(
            report.heldCounts
                == ChaosReport.HeldCounts(
                    delayed: 1, delivered: 1, sentBack: 2, retried: 1, deadLettered: 1, halfMessages: 2, committed: 1,
                    rolledBack: 1, undecided: 0))
        #expect(
            report.text.contains(
                "held messages: 1 delayed sends acknowledged (1 delivered); 2 send-backs acknowledged (1 retried, "
                    + "1 dead-lettered); 2 half messages acknowledged (1 committed, 1 rolled back, 0 left undecided)"))
        #expect(
            report.json.rendered.contains(
                "\"heldMessages\": {\"delayed\": 1, \"delivered\": 1, \"sentBack\": 2, \"retried\": 1, "
                    + "\"deadLettered\": 1, \"halfMessages\": 2, \"committed\": 1, \"rolledBack\": 1, \"undecided\": 0}"
            ))
        // The raw-append workload has no held messages to speak of.
        #expect(!Self.report(passing: true).text.contains("held messages:"))
    }

    @Test func aFullDiskIsSeenOnlyOnTheFaultsNodeWhileTheFaultLasts() {
        var history = Self.report(passing: true).history
        // n0 (paused 1000–2000 ms, stable at 2300) said its disk was full at 1800 ms; n2 at 100 ms.
        history.fullDisks = [
            ChaosFullDiskSighting(node: "n2", at: .milliseconds(100)),
            ChaosFullDiskSighting(node: "n0", at: .milliseconds(1800)),
        ]
        let report = ChaosReport(
            seed: 9, options: ChaosOptions(), workload: "raw-append", directory: "/tmp/ledger-chaos-x",
            keptData: false, history: history, notes: [], verdict: ChaosChecker.check(history),
            wallTime: .milliseconds(5000))
        #expect(report.fullDiskSeen(during: history.faults[0]))
        #expect(!report.fullDiskSeen(during: history.faults[1]), "n2's sighting came before its fault")
        #expect(report.text.contains("n0 reported its disk full"), "\(report.text)")
    }

    @Test func overlappingFaultsAreNamedOnEachOther() {
        var history = Self.report(passing: true).history
        // The kill (2500–2900 ms) now begins while the pause (1000–2000 ms) lasts.
        history.faults[1].injected = .milliseconds(1500)
        var options = ChaosOptions()
        options.duration = .seconds(4)
        options.overlap = true
        let report = ChaosReport(
            seed: 9, options: options, workload: "raw-append", directory: "/tmp/ledger-chaos-x", keptData: false,
            history: history, notes: [], verdict: ChaosChecker.check(history), wallTime: .milliseconds(5000))
        #expect(report.text.contains("overlap safe: 2 overlapping"), "\(report.text)")
        #expect(
            report.text.contains(
                "then SIGCONT; 1 leadership change, stable 300 ms after the heal; overlaps kill on n2 at 1500 ms"),
            "\(report.text)")
        let json = report.json.rendered
        #expect(json.contains("\"overlap\": \"safe\""))
        #expect(
            json.contains(
                "\"settledAtMs\": 2300, \"overlapsAtMs\": [1500], \"writesRefused\": 0, \"fullDiskSeen\": false}"),
            "\(json)")
        #expect(
            json.contains(
                "\"settledAtMs\": null, \"overlapsAtMs\": [1000], \"writesRefused\": 0, \"fullDiskSeen\": false}"),
            "\(json)")
    }

    @Test func failingReportNamesSeedViolationAndDirectory() {
        let report = Self.report(passing: false)
        #expect(!report.passed)
        #expect(
            report.text.contains(
                "verdict: FAIL (seed 9); first violation: [election-safety] term 2 had 2 leaders: n1 and n2"))
        #expect(report.text.hasSuffix("data directory kept: /tmp/ledger-chaos-x"))
        #expect(report.json.rendered.contains("\"dataDirectory\": \"/tmp/ledger-chaos-x\""))
    }
}
