import Testing

@testable import LedgerChaos

/// The disk faults' plan (names, ballast sizes, mount table parsing) and the writes-resume
/// check's teeth on doctored histories.
@Suite struct ChaosDiskTests {
    @Test func namesCarryTheRunSoStaleOnesAreFound() {
        let plan = ChaosDiskPlan(run: 4242, nodes: 3, directory: "/tmp/ledger-chaos-x")
        #expect(plan.image(1) == "/tmp/ledger-chaos-x/disks/ledger-4242-d1.img")
        #expect(plan.mountPoint(2) == "/tmp/ledger-chaos-x/disks/ledger-4242-d2")
        #expect(plan.store(0) == "/tmp/ledger-chaos-x/disks/ledger-4242-d0/store")
        #expect(plan.ballast(0) == "/tmp/ledger-chaos-x/disks/ledger-4242-d0/ballast")
        #expect(ChaosDiskPlan.run(ofDisk: plan.image(1)) == 4242)
        #expect(ChaosDiskPlan.run(ofDisk: "ledger-7-d0") == 7)
        for other in ["/tmp/x/ledger-7-n0.img", "ledger-7-d", "ledger-x-d0.img", "disk.img", "ledger-7-d0-extra.img"] {
            #expect(ChaosDiskPlan.run(ofDisk: other) == nil, "\(other)")
        }
    }

    @Test func theBallastFillsPastTheWarningLevel() {
        // 100 MiB, 10 MiB used: 96 MiB in all must be used.
        let mib: UInt64 = 1 << 20
        let bytes = ChaosDiskPlan.ballastBytes(used: 10 * mib, available: 90 * mib)
        #expect(bytes == Int64(86 * mib))
        #expect(ChaosDiskPlan.ballastBytes(used: 99 * mib, available: mib) == 0)
    }

    @Test func mountPointsOfADeviceComeFromMountInfo() {
        let text = """
            22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
            310 22 7:3 / /tmp/ledger-chaos-a/disks/ledger-9-d0 rw,relatime shared:170 - ext4 /dev/loop3 rw
            311 22 7:30 / /tmp/other rw,relatime - ext4 /dev/loop30 rw
            312 22 7:3 / /tmp/with\\040space rw,relatime - ext4 /dev/loop3 rw
            """
        #expect(
            ChaosDiskPlan.mountPoints(ofDevice: "7:3", inMountInfo: text) == [
                "/tmp/ledger-chaos-a/disks/ledger-9-d0", "/tmp/with space",
            ])
        #expect(ChaosDiskPlan.mountPoints(ofDevice: "7:4", inMountInfo: text).isEmpty)
    }

    // A disk-full fault on n1 from 2 s to 5 s; the load runs until 20 s.

    static let diskFull = ChaosFault(
        kind: .diskFull, node: "n1", targetedLeader: false, injected: .seconds(2), healed: .seconds(5),
        detail: "filled n1's disk", observedUntil: .milliseconds(5_100), settled: true)

    static func history(acknowledgedAt: [Duration], faults: [ChaosFault] = [diskFull]) -> ChaosHistory {
        var operations = [
            ChaosOperation(
                id: ChaosCheckerTests.op(0, 1), started: .seconds(1), ended: .seconds(20),
                attempts: [.failed("rejected by n0: disk full: node n1's store disk is 96.01% used")], idempotent: true)
        ]
        for (number, at) in acknowledgedAt.enumerated() {
            operations.append(
                ChaosOperation(
                    id: ChaosCheckerTests.op(1, number + 1), started: at, ended: at,
                    attempts: [.acknowledged(.index(UInt64(number + 2)), node: "n0")], idempotent: true))
        }
        let log =
            [ChaosCheckerTests.item(1, .bookkeeping("no-op"))]
            + acknowledgedAt.indices.map {
                ChaosCheckerTests.item(UInt64($0 + 2), .operation(ChaosCheckerTests.op(1, $0 + 1)))
            }
        var history = ChaosCheckerTests.history(operations: operations, log: log)
        history.faults = faults
        return history
    }

    @Test func writesAcknowledgedAfterTheHealPass() {
        let history = Self.history(acknowledgedAt: [.seconds(1), .seconds(6)])
        #expect(ChaosChecker.check(history).passed, "\(ChaosChecker.check(history).violations)")
        #expect(ChaosChecker.refusedForDiskFull(history.operations[0]))
        #expect(!ChaosChecker.refusedForDiskFull(history.operations[1]))
    }

    @Test func noWriteAfterTheHealFails() throws {
        let (check, message) = try #require(ChaosCheckerTests.failure(Self.history(acknowledgedAt: [.seconds(1)])))
        #expect(check == .writesResume)
        #expect(
            message
                == "disk-full at 2000 ms (filled n1's disk): no write acknowledged after its heal at 5000 ms, though "
                + "the load went on until 20000 ms")
    }

    @Test func anOverlappingFaultHealedLaterMovesTheDeadline() throws {
        let kill = ChaosFault(
            kind: .kill, node: "n1", targetedLeader: false, injected: .seconds(4), healed: .seconds(8),
            detail: "kill -9 n1", observedUntil: .seconds(9), settled: true)
        // A write at 6 s came after the disk's heal but while the overlapping kill lasted.
        let history = Self.history(acknowledgedAt: [.seconds(6)], faults: [Self.diskFull, kill])
        #expect(ChaosChecker.lastHeal(around: Self.diskFull, in: history.faults) == .seconds(8))
        let (check, message) = try #require(ChaosCheckerTests.failure(history))
        #expect(check == .writesResume)
        #expect(message.contains("no write acknowledged after the last overlapping fault's heal at 8000 ms"))
        #expect(ChaosChecker.check(Self.history(acknowledgedAt: [.seconds(9)], faults: [Self.diskFull, kill])).passed)
    }

    @Test func tooLittleLoadAfterTheHealToTell() {
        var late = Self.diskFull
        late.injected = .seconds(15)
        late.healed = .milliseconds(18_000)
        let history = Self.history(acknowledgedAt: [.seconds(1)], faults: [late])
        #expect(ChaosChecker.check(history).passed, "\(ChaosChecker.check(history).violations)")
    }
}
