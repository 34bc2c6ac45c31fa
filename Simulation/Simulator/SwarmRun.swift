import Raft
import Replica

/// One seed's run: a safety phase of faults and traffic, then a liveness phase in which
/// everything heals, a leader must appear and every log must converge.
public struct SwarmRun {
    /// What a run produced.
    public struct Result: Sendable {
        public var seed: UInt64
        public var traceHash: TraceHash
        /// Nil when every invariant held.
        public var failure: SimulationFailure?
        public var events: UInt64
        /// Virtual time at the end of the run.
        public var simulatedTime: VirtualTime
        public var statistics: Cluster.Statistics
        /// Proposals acknowledged, failed and indeterminate.
        public var outcomes: (pending: Int, acknowledged: Int, failed: Int, indeterminate: Int)
        /// Terms with a leader.
        public var leaderChanges: Int
        /// Messages the state machines stored (each once).
        public var messagesStored: Int
        /// Messages held back and moved on (delayed, delivered, dead-lettered).
        public var heldCounts = HeldMessageCounts()
    }

    public var options: SimulationOptions
    /// Receives a line per event (`--verbose`).
    public var eventSink: ((String) -> Void)?
    /// Receives a line per notable change (`--verbose`).
    public var noteSink: ((String) -> Void)?

    public init(options: SimulationOptions) { self.options = options }

    /// Runs the seed to the end or to the first broken invariant.
    public func run() -> Result {
        let cluster: Cluster
        do {
            cluster = try Cluster(options: options)
        } catch {
            return Result(
                seed: options.seed, traceHash: TraceHash(), failure: error, events: 0, simulatedTime: .zero,
                statistics: .init(), outcomes: (0, 0, 0, 0), leaderChanges: 0, messagesStored: 0)
        }
        cluster.eventSink = eventSink
        cluster.noteSink = noteSink
        var failure: SimulationFailure?
        do {
            cluster.startClients()
            cluster.startNemesis()
            cluster.scheduleHeal(at: options.safetyDuration)
            let electionTimeoutMs = UInt64(options.raft.electionTimeoutTicks.upperBound) * Cluster.tickMs
            let cap =
                options.safetyDuration + options.livenessTrafficDuration + options.convergenceBound
                + .milliseconds(options.leaderBoundElectionTimeouts * electionTimeoutMs + 1000)
            let converged = try cluster.run(until: cap) { $0.liveness.convergedAt != nil }
            if !converged {
                failure = cluster.failure(
                    Violation("liveness-convergence", "the run ended unconverged: \(cluster.nodeStates)"))
            }
        } catch {
            failure = error
        }
        var result = Result(
            seed: options.seed, traceHash: cluster.traceHash, failure: failure, events: cluster.eventCount,
            simulatedTime: cluster.now, statistics: cluster.statistics, outcomes: cluster.history.summary,
            leaderChanges: cluster.leaderTerms, messagesStored: cluster.commitLogChecker.counts.stored)
        result.heldCounts = cluster.commitLogChecker.heldCounts
        return result
    }
}
