import Testing

@testable import LedgerChaos

/// The load's figures of one soak sample: acknowledged sends, their rate and p99 latency.
@Suite struct SoakIntervalTests {
    static func send(_ sequence: Int, latency milliseconds: Int64, acknowledged: Bool = true) -> ChaosOperation {
        ChaosOperation(
            id: ChaosOperationID(producer: 0, sequence: sequence), started: .seconds(1),
            ended: .seconds(1) + .milliseconds(milliseconds),
            attempts: [
                acknowledged
                    ? .acknowledged(.queueOffset(queue: "chaos-a/0", offset: Int64(sequence)), node: "n0")
                    : .indeterminate("outcome unknown")
            ], idempotent: true)
    }

    @Test func p99IsTheNearestRankOfTheAcknowledgedSends() {
        // 200 acknowledged sends of 1-200 ms and one unanswered: the 198th fastest is the p99.
        let sends =
            (1...200).map { Self.send($0, latency: Int64($0)) } + [Self.send(201, latency: 9_000, acknowledged: false)]
        let interval = SoakInterval(sends, length: .seconds(4), totalBefore: 1000, faults: 2)
        #expect(interval.acknowledged == 200 && interval.total == 1200 && interval.unacknowledged == 1)
        #expect(interval.p99 == .milliseconds(198))
        #expect(interval.perSecond == 50 && interval.faults == 2)
        #expect(SoakTable.milliseconds(interval.p99!) == "198.0 ms")
        #expect(SoakTable.milliseconds(.microseconds(4_150)) == "4.2 ms")
    }

    @Test func anIntervalWithoutAcknowledgedSendsHasNoP99() {
        let interval = SoakInterval(
            [Self.send(1, latency: 5, acknowledged: false)], length: .zero, totalBefore: 7, faults: 0)
        #expect(interval.p99 == nil && interval.acknowledged == 0 && interval.total == 7 && interval.perSecond == 0)
    }
}
