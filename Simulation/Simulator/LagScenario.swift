import Raft
import Replica

/// A follower that falls far behind must not knock the group over: nodes 1, 2 and 3, node 1
/// leads under a steady producer load, node 3 is paused (a GC pause, a stalled disk) for a long
/// time while the others keep committing, then resumes and catches up. Handling events costs
/// virtual time (``ProcessingCost``), so a leader that reads and encodes too much for the
/// returning follower in one go is late with its heartbeats. The story fails if the pause
/// causes any election, if a producer gives up on a send, or if the follower does not catch up.
public struct LagScenario {
    public static let nodeIDs = [NodeID(1), NodeID(2), NodeID(3)]

    /// How long the follower is paused.
    public var pause: VirtualTime = .seconds(20)
    /// The flow control under test: entry bytes in flight to one follower.
    public var maxInflightBytes = 64 << 10
    /// The follower must be back at the leader's index of its resume within this long.
    public var catchUpBound: VirtualTime = .seconds(30)
    public var narrate: (String) -> Void
    public var verbose: Bool

    public init(narrate: @escaping (String) -> Void, verbose: Bool = false) {
        self.narrate = narrate
        self.verbose = verbose
    }

    /// The run's settings: production's timings in ticks, appends of at most 16 KiB, a loop that
    /// spends 50 µs per KiB of entries it writes, reads or applies.
    var options: SimulationOptions {
        var options = SimulationOptions(seed: 15, nodeIDs: Self.nodeIDs)
        options.processing = ProcessingCost()
        options.disk.minLatencyMs = 1
        options.disk.latencySpreadMs = 2
        options.workload.producers = 4
        options.workload.consumerGroups = 1
        options.workload.consumersPerGroup = 1
        options.workload.thinkMs = 0...2
        options.workload.timeoutMs = 3000
        options.workload.sendAttempts = 4
        options.workload.batchPerMille = 1000
        options.workload.maxBatch = 8
        options.workload.maxFillerBytes = 256
        options.persistEveryEntries = 256
        options.raft.electionTimeoutTicks = 15...30
        options.raft.heartbeatIntervalTicks = 5
        options.raft.proposalTimeoutTicks = 200
        options.raft.maxInflightBytes = maxInflightBytes
        options.raft.maxBytesPerMessage = 16 << 10
        return options
    }

    /// Plays the story; throws at the first thing that goes wrong.
    public func run() throws(ScenarioFailure) { try ScenarioFailure.running(play) }

    private func play() throws {
        let cluster = try Cluster(options: options)
        if verbose { cluster.eventSink = { narrate("    \($0)") } }
        cluster.noteSink = { narrate("  · \($0)") }
        let (leader, healthy, lagging) = (Self.nodeIDs[0], Self.nodeIDs[1], Self.nodeIDs[2])
        try cluster.campaign(leader)
        guard try cluster.run(until: cluster.now + .seconds(2), stopWhen: { $0.view(leader)?.role == .leader }),
            let term = cluster.view(leader)?.term
        else { throw ScenarioFailure("n\(leader) did not become leader") }
        cluster.startClients()
        try cluster.run(for: .seconds(2))
        let terms = cluster.leaderTerms
        narrate("\(cluster.now) n\(leader) leads term \(term); \(cluster.acknowledgedMessages) messages acknowledged")

        cluster.pause(lagging, for: pause.milliseconds)
        try cluster.run(for: pause)
        guard let atResume = cluster.view(leader), let behind = cluster.view(lagging) else {
            throw ScenarioFailure("a node is down")
        }
        narrate(
            "\(cluster.now) n\(lagging) resumes after \(pause) at index \(behind.lastIndex), "
                + "\(behind.lastIndex.distance(to: atResume.lastIndex)) entries behind n\(leader)")
        let resumedAt = cluster.now
        let caughtUp = try cluster.run(until: cluster.now + catchUpBound) {
            ($0.view(lagging)?.lastIndex ?? .zero) >= atResume.lastIndex || $0.leaderTerms != terms
        }
        if cluster.leaderTerms != terms || cluster.view(leader)?.role != .leader {
            throw ScenarioFailure(
                "the lagging follower caused an election: \(cluster.leaderTerms - terms) new leader term(s); "
                    + "n\(leader) is \(cluster.view(leader).map { "\($0.role) in term \($0.term)" } ?? "down")")
        }
        guard caughtUp else {
            throw ScenarioFailure("n\(lagging) did not catch up within \(catchUpBound) of its resume")
        }
        narrate(
            "\(cluster.now) n\(lagging) reached index \(atResume.lastIndex) \(cluster.now.milliseconds - resumedAt.milliseconds) ms after resuming; n\(leader) still leads term \(term)"
        )

        cluster.stopClients()
        guard try cluster.runUntilConverged(within: .seconds(10)) else {
            throw ScenarioFailure("the logs did not converge after the clients stopped")
        }
        try cluster.checkStateMachines(on: [leader, healthy, lagging])
        let abandoned = cluster.statistics.sendsAbandoned
        if abandoned > 0 { throw ScenarioFailure("\(abandoned) sends were given up by their producers") }
        if cluster.leaderTerms != terms { throw ScenarioFailure("a leader was elected after the catch-up") }
        narrate(
            "\(cluster.now) converged: \(cluster.acknowledgedMessages) messages acknowledged, none given up, "
                + "one leader term throughout")
    }
}
