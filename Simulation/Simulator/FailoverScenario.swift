import LedgerModel
import Raft

/// A scripted story that went wrong, or a run that broke an invariant on the way.
public struct ScenarioFailure: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }

    init(_ failure: SimulationFailure) {
        description = "\(failure)\n" + failure.recentEvents.map { "  \($0)" }.joined(separator: "\n")
    }

    /// Runs a scenario's script, turning whatever it throws into a scenario failure.
    static func running(_ script: () throws -> Void) throws(ScenarioFailure) {
        do {
            try script()
        } catch let failure as SimulationFailure {
            throw ScenarioFailure(failure)
        } catch let failure as ScenarioFailure {
            throw failure
        } catch {
            throw ScenarioFailure("unexpected error: \(error)")
        }
    }
}

/// The seed story, with messages: nodes 128, 129 and 130; 128 leads, producers send messages and
/// a consumer group pulls and commits offsets; 128 is killed and 129 or 130 takes over with
/// every acknowledged message; that leader is killed and the lone survivor never leads while
/// sends fail with "no quorum"; one node restarts and there is a leader again, with every
/// acknowledged message at its queue offset and every committed offset on the live nodes. No
/// faults but the kills: a reliable network and disks. Every invariant is checked after every
/// event.
public struct FailoverScenario {
    public static let nodeIDs = [NodeID(128), NodeID(129), NodeID(130)]
    /// A new leader must appear within this many of the longest election timeouts.
    public static let electionTimeoutsBound: UInt64 = 10
    /// How long the lone survivor is watched: many election timeouts.
    public static let loneDuration = VirtualTime.seconds(20)

    /// Receives the story, a line at a time.
    public var narrate: (String) -> Void
    /// Also narrate every event.
    public var verbose: Bool

    public init(narrate: @escaping (String) -> Void, verbose: Bool = false) {
        self.narrate = narrate
        self.verbose = verbose
    }

    /// Plays the story; throws at the first thing that goes wrong.
    public func run() throws(ScenarioFailure) { try ScenarioFailure.running(play) }

    private func play() throws {
        var options = SimulationOptions(seed: 128, nodeIDs: Self.nodeIDs)
        options.workload.producers = 2
        options.workload.consumerGroups = 1
        options.workload.consumersPerGroup = 2
        options.workload.thinkMs = 5...30
        let cluster = try Cluster(options: options)
        if verbose { cluster.eventSink = { narrate("    \($0)") } }
        cluster.noteSink = { narrate("  · \($0)") }
        let electionTimeoutMs = UInt64(options.raft.electionTimeoutTicks.upperBound) * Cluster.tickMs
        let bound = VirtualTime.milliseconds(Self.electionTimeoutsBound * electionTimeoutMs)
        let (first, second, third) = (Self.nodeIDs[0], Self.nodeIDs[1], Self.nodeIDs[2])

        // 1. 128 campaigns first and leads.
        try cluster.campaign(first)
        guard try cluster.run(until: cluster.now + bound, stopWhen: { $0.view(first)?.role == .leader }),
            let firstTerm = cluster.view(first)?.term
        else { throw ScenarioFailure("n\(first) did not become leader") }
        narrate("\(cluster.now) n\(first) leads term \(firstTerm)")

        // 2. Messages flow.
        cluster.startClients()
        try cluster.run(for: .seconds(2))
        let beforeKill = cluster.acknowledgedMessages
        guard beforeKill > 0 else { throw ScenarioFailure("no message was acknowledged while n\(first) led") }
        let progress = cluster.consumerProgress
        narrate(
            "\(cluster.now) \(beforeKill) messages acknowledged by n\(first), up to index \(cluster.committedIndex); "
                + "consumers pulled \(progress.consumed) messages and committed offsets \(progress.commits) times")

        // 3. Kill 128: 129 or 130 takes over within the bound, with every acknowledged write.
        try cluster.crash(first)
        narrate("\(cluster.now) n\(first) killed")
        let killedAt = cluster.now
        guard
            try cluster.run(
                until: killedAt + bound,
                stopWhen: { c in
                    [second, third].contains { c.view($0).map { $0.role == .leader && $0.term > firstTerm } ?? false }
                }),
            let secondLeader = cluster.leader, let secondTerm = cluster.view(secondLeader)?.term
        else { throw ScenarioFailure("no new leader within \(bound) of n\(first)'s death") }
        narrate(
            "\(cluster.now) n\(secondLeader) leads term \(secondTerm), "
                + "\(cluster.now.milliseconds - killedAt.milliseconds) ms after the kill")
        let acknowledgedAtKill = cluster.highestAcknowledged
        guard
            try cluster.run(
                until: cluster.now + bound,
                stopWhen: { ($0.view(secondLeader)?.applied ?? .zero) >= acknowledgedAtKill })
        else { throw ScenarioFailure("n\(secondLeader) did not apply up to index \(acknowledgedAtKill)") }
        try expectAcknowledged(in: cluster, on: [secondLeader])
        narrate(
            "\(cluster.now) all \(cluster.acknowledgedMessages) acknowledged messages are in n\(secondLeader)'s "
                + "queues at their offsets")

        try cluster.run(for: .seconds(1))
        narrate(
            "\(cluster.now) \(cluster.acknowledgedMessages - beforeKill) more messages acknowledged by n\(secondLeader)"
        )

        // 4. Kill that leader: the survivor never leads, proposals fail with "no quorum".
        let survivor = secondLeader == second ? third : second
        try cluster.crash(secondLeader)
        narrate("\(cluster.now) n\(secondLeader) killed; n\(survivor) is alone")
        let acknowledgedBefore = cluster.acknowledgedMessages
        let loneStart = cluster.now
        let termBefore = cluster.view(survivor)?.term ?? .zero
        let survivorPosition = Self.nodeIDs.firstIndex(of: survivor) ?? 0
        let preVotesBefore = cluster.statistics.preVoteRequests[survivorPosition]
        let refusalsBefore = cluster.statistics.noQuorumRefusals
        if try cluster.run(until: loneStart + Self.loneDuration, stopWhen: { $0.view(survivor)?.role == .leader }) {
            throw ScenarioFailure("the lone survivor n\(survivor) became leader")
        }
        guard let lone = cluster.view(survivor) else { throw ScenarioFailure("n\(survivor) is down") }
        narrate(
            "\(cluster.now) for \(Self.loneDuration) (\(Self.loneDuration.milliseconds / electionTimeoutMs) election "
                + "timeouts) n\(survivor) stayed \(lone.role), term \(termBefore) → \(lone.term), never leader; it sent "
                + "\(cluster.statistics.preVoteRequests[survivorPosition] - preVotesBefore) pre-vote requests and refused "
                + "\(cluster.statistics.noQuorumRefusals - refusalsBefore) client requests with \"no quorum\"")
        switch try cluster.send(on: survivor) {
        case .success(let accepted):
            throw ScenarioFailure("n\(survivor) accepted a send alone at index \(accepted.index)")
        case .failure(let error):
            guard error.response.code == .noQuorum, error.description.hasPrefix("no quorum") else {
                throw ScenarioFailure("n\(survivor) refused a send with '\(error)', expected no quorum")
            }
            narrate("\(cluster.now) a send to n\(survivor) fails: \(error)")
        }
        if cluster.acknowledgedMessages != acknowledgedBefore {
            throw ScenarioFailure("messages were acknowledged without a quorum")
        }

        // 5. Restart one node: a leader again, every acknowledged write on every live node.
        try cluster.restart(first)
        narrate("\(cluster.now) n\(first) restarted")
        let restartedAt = cluster.now
        guard try cluster.run(until: restartedAt + bound, stopWhen: { $0.leader != nil }),
            let thirdLeader = cluster.leader, let thirdTerm = cluster.view(thirdLeader)?.term
        else { throw ScenarioFailure("no leader within \(bound) of the restart") }
        narrate(
            "\(cluster.now) n\(thirdLeader) leads term \(thirdTerm), "
                + "\(cluster.now.milliseconds - restartedAt.milliseconds) ms after the restart")
        try cluster.run(for: .seconds(1))
        cluster.stopClients()
        let live = [first, survivor]
        guard try cluster.runUntilConverged(among: live, within: .seconds(5)) else {
            throw ScenarioFailure("the live nodes did not converge")
        }
        try expectAcknowledged(in: cluster, on: live)
        try cluster.checkStateMachines(on: live)
        let statistics = cluster.statistics
        narrate(
            "\(cluster.now) n\(first) and n\(survivor) hold identical logs and state machines through index "
                + "\(cluster.view(first)?.lastIndex ?? .zero); all \(cluster.acknowledgedMessages) acknowledged messages "
                + "present at their queue offsets (\(statistics.sendsDeduplicated) sends answered by idempotent retries, "
                + "\(statistics.sendsAbandoned) abandoned); consumers pulled \(statistics.messagesConsumed) messages, "
                + "\(statistics.offsetCommits) offset commits kept")
    }

    /// Every acknowledged message sits at its queue offset, with its body, in the state
    /// machines of `ids`.
    private func expectAcknowledged(in cluster: Cluster, on ids: [NodeID]) throws {
        for id in ids {
            let missing = cluster.acknowledgedMessages(missingOn: id)
            guard missing.isEmpty else {
                throw ScenarioFailure(
                    "acknowledged messages \(missing.prefix(5).map { "m\($0)" }.joined(separator: ", ")) are not at "
                        + "their offsets on n\(id)")
            }
        }
    }
}
