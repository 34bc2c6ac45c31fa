import Raft
import Replica

/// Progress of the liveness phase.
struct LivenessState {
    var healedAt: VirtualTime?
    var leaderDeadline: VirtualTime = .zero
    var leaderFoundAt: VirtualTime?
    var clientsStoppedAt: VirtualTime?
    var convergedAt: VirtualTime?
}

/// The liveness phase: everything heals, then a leader must appear within a bound and every log
/// must converge, with every state machine holding every stored message and committed offset.
extension Cluster {
    /// Schedules the end of the safety phase at `time`.
    public func scheduleHeal(at time: VirtualTime) { queue.schedule(.heal, at: time) }

    /// Ends every fault: the nemesis stops, loss, duplication and long delays stop, partitions
    /// heal, paused nodes resume and crashed nodes restart.
    func healEverything() throws(Violation) {
        nemesisActive = false
        network.lossPerMille = 0
        network.duplicatePerMille = 0
        network.tailPerMille = 0
        healPartitions()
        note("heal: faults off, every node up")
        for node in nodes where node.paused { try resume(node) }
        for node in nodes where !node.isUp { try restart(node) }
        let electionTimeoutMs = UInt64(options.raft.electionTimeoutTicks.upperBound) * Self.tickMs
        liveness.healedAt = now
        liveness.leaderDeadline = now + .milliseconds(options.leaderBoundElectionTimeouts * electionTimeoutMs)
        schedule(.stopClients, after: options.livenessTrafficDuration.milliseconds)
        schedule(.probe, after: Self.tickMs)
    }

    /// Every 10 ms of the liveness phase: is there a leader yet, and have the logs converged?
    func probeLiveness() throws(Violation) {
        schedule(.probe, after: Self.tickMs)
        if liveness.leaderFoundAt == nil {
            if let leader = agreedLeader {
                liveness.leaderFoundAt = now
                note("liveness: every node follows n\(leader.id) in term \(leader.core?.term ?? .zero)")
            } else if now > liveness.leaderDeadline {
                throw Violation(
                    "liveness-leader",
                    "no leader that every node follows within \(options.leaderBoundElectionTimeouts) election "
                        + "timeouts of the heal: \(nodeStates)")
            }
        }
        guard let stopped = liveness.clientsStoppedAt, liveness.convergedAt == nil else { return }
        if try logsConverged() {
            liveness.convergedAt = now
            note("liveness: every log converged at index \(nodes[0].core?.lastIndex ?? .zero)")
            try checkAcknowledgedWrites()
            let machines = try ids.map(runningMachine)
            try commitLogChecker.checkConverged(machines)
            if let leader = currentLeader, let machine = machines.first(where: { $0.id == leader.id })?.machine {
                // A full disk refuses every write until the next measurement after it frees.
                let freed = nodes.map { $0.diskFullUntil.milliseconds + 1000 }.max() ?? 0
                let writable = WorkloadNames.epochMilliseconds + Int64(freed)
                try commitLogChecker.checkHeldDelivered(now: wallClock, writable: writable, slack: 3000, machine)
            }
        } else if now > stopped + options.convergenceBound {
            throw Violation(
                "liveness-convergence",
                "logs did not converge within \(options.convergenceBound) after the clients stopped: \(nodeStates)")
        }
    }

    /// Marks the time the clients stopped (liveness phase).
    func clientsStopped() {
        stopClients()
        liveness.clientsStoppedAt = now
    }

    /// A running leader that every node (all up) names, in its term.
    var agreedLeader: SimNode? {
        guard let leader = currentLeader, let leaderCore = leader.core else { return nil }
        let agreed = nodes.allSatisfy { node in
            guard let core = node.core, !node.paused else { return false }
            return core.leader == leader.id && core.term == leaderCore.term
        }
        return agreed ? leader : nil
    }

    /// Role, term, leader, last, commit and applied of every node, on one line.
    var nodeStates: String {
        nodes.map { node in
            guard let core = node.core else { return "n\(node.id) down" }
            return "n\(node.id) \(core.role) t\(core.term) leader \(core.leader.map(\.description) ?? "-") "
                + "last \(core.lastIndex) commit \(core.commitIndex) applied \(node.applied)\(node.paused ? " paused" : "")"
        }.joined(separator: "; ")
    }

    /// True when every node of `group` (all by default) is running and idle with the same last,
    /// commit and applied index, all durable, and identical entries.
    func logsConverged(among group: [SimNode]? = nil) throws(Violation) -> Bool {
        let group = group ?? nodes
        guard let first = group[0].core else { return false }
        let last = first.lastIndex
        for node in group {
            guard let core = node.core, !node.paused, node.syncInFlight == nil, !core.hasReady else { return false }
            if core.lastIndex != last || core.commitIndex != last || node.applied != last
                || node.disk.durableLastIndex != last
            {
                return false
            }
        }
        guard last > .zero else { return true }
        // Retention may have compacted each log to a different first index: compare what all hold
        // (what went before was checked against the committed history as it committed).
        let start = group.map { $0.core?.firstIndex ?? LogIndex(1) }.max() ?? LogIndex(1)
        guard start <= last else { return true }
        let reference = try entries(of: group[0], from: start, through: last)
        for node in group.dropFirst() where try entries(of: node, from: start, through: last) != reference {
            throw Violation(
                "convergence", "n\(node.id) and n\(group[0].id) hold different entries in \(start)...\(last)")
        }
        return true
    }

    private func entries(of node: SimNode, from first: LogIndex, through last: LogIndex) throws(Violation) -> [Entry] {
        guard let core = node.core else { preconditionFailure("node is down") }
        do {
            return try core.entries(from: first, through: last)
        } catch {
            throw Violation("core-error", "n\(node.id) cannot read its log: \(error)")
        }
    }

    /// After convergence: every acknowledged raw proposal sits at its index, and no proposal twice.
    func checkAcknowledgedWrites() throws(Violation) {
        // The committed history: every log agrees with it, and it still holds what retention
        // compacted away.
        let log = checker.committedProposals
        for (id, index) in history.acknowledgements {
            let found = index.rawValue <= UInt64(log.count) ? log[Int(index.rawValue - 1)] : nil
            if found != id {
                throw Violation(
                    "acknowledged-write-lost",
                    "p\(id) was acknowledged at index \(index) but the converged log holds "
                        + "\(found.map { "p\($0)" } ?? "no proposal") there")
            }
        }
        var seen: [UInt64: Int] = [:]
        for (position, proposal) in log.enumerated() {
            guard let id = proposal else { continue }
            if let earlier = seen[id] {
                throw Violation("proposal-applied-twice", "p\(id) is in the log at \(earlier + 1) and \(position + 1)")
            }
            seen[id] = position
        }
    }
}
