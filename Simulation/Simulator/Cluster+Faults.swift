import FileIO
import LedgerModel
import Raft
import Replica

/// Network partitions and the nemesis that injects faults at random during the safety phase.
extension Cluster {
    /// Cuts every link between `side` and the other nodes; with `oneWay`, only messages from
    /// `side` to the others are dropped. Replaces any partition in place.
    func partition(_ side: [Int], oneWay: Bool) {
        healLinks()
        partitionEpoch += 1
        statistics.partitions += 1
        for from in nodes.indices {
            for to in nodes.indices where side.contains(from) != side.contains(to) {
                if !oneWay || side.contains(from) { blocked[from][to] = true }
            }
        }
        let names = side.map { "n\(ids[$0])" }.joined(separator: ",")
        note("partition #\(partitionEpoch): {\(names)} \(oneWay ? "cannot send to" : "cut off from") the rest")
    }

    /// Every link works again.
    func healPartitions() {
        guard blocked.contains(where: { $0.contains(true) }) else { return }
        healLinks()
        partitionEpoch += 1
        note("partitions healed")
    }

    private func healLinks() {
        for from in nodes.indices { for to in nodes.indices { blocked[from][to] = false } }
    }

    var isPartitioned: Bool { blocked.contains(where: { $0.contains(true) }) }

    /// Starts the nemesis: from now on it acts every `stepMs`.
    public func startNemesis() {
        nemesisActive = true
        schedule(.nemesis, after: options.nemesis.stepMs)
    }

    /// One nemesis step: each fault kind fires with its per-seed chance.
    func nemesisStep() throws(Violation) {
        guard nemesisActive else { return }
        let profile = options.nemesis
        schedule(.nemesis, after: profile.stepMs)
        if nemesisRNG.chance(profile.crashPerMille, in: 1000) {
            let up = nodes.filter(\.isUp)
            if nodes.count - up.count < profile.maxDown, let victim = pick(up, preferLeader: profile) {
                try crash(victim)
                let range = profile.restartAfterMs
                let delay = range.lowerBound + nemesisRNG.below(range.upperBound - range.lowerBound + 1)
                schedule(.restart(node: victim.index, incarnation: victim.incarnation), after: delay)
            }
        }
        if nemesisRNG.chance(profile.pausePerMille, in: 1000),
            let victim = pick(nodes.filter(\.isRunning), preferLeader: profile)
        {
            let range = profile.pauseForMs
            pause(victim, for: range.lowerBound + nemesisRNG.below(range.upperBound - range.lowerBound + 1))
        }
        if nemesisRNG.chance(profile.partitionPerMille, in: 1000) && !isPartitioned {
            var side: [Int]
            if nemesisRNG.chance(1, in: 2), let victim = pick(nodes, preferLeader: profile) {
                side = [victim.index]
            } else {
                side = nodes.indices.filter { _ in nemesisRNG.chance(1, in: 2) }
                if side.isEmpty || side.count == nodes.count { side = [Int(nemesisRNG.below(UInt64(nodes.count)))] }
            }
            partition(side, oneWay: nemesisRNG.chance(profile.oneWayPerMille, in: 1000))
            let range = profile.partitionForMs
            schedule(
                .healPartition(epoch: partitionEpoch),
                after: range.lowerBound + nemesisRNG.below(range.upperBound - range.lowerBound + 1))
        }
        if let fills = options.diskFills, diskRNG.chance(fills.perMille, in: 1000) {
            let victim = nodes[Int(diskRNG.below(UInt64(nodes.count)))]
            let level = fills.levels.lowerBound + diskRNG.below(fills.levels.upperBound - fills.levels.lowerBound + 1)
            let duration = fills.forMs.lowerBound + diskRNG.below(fills.forMs.upperBound - fills.forMs.lowerBound + 1)
            let toTheLastByte = diskRNG.chance(1, in: 4)
            victim.diskFillLevel = toTheLastByte ? 10_000 : UInt16(level)
            victim.diskFullUntil = now + .milliseconds(duration)
            statistics.diskFills += 1
            if toTheLastByte {
                statistics.disksFullToTheLastByte += 1
                note("n\(victim.id)'s disk fills to the last byte (writes fail with ENOSPC) for \(duration)ms")
            } else {
                note("n\(victim.id)'s disk fills to \(level / 100)% for \(duration)ms")
            }
        }
        if nemesisRNG.chance(profile.transferPerMille, in: 1000), let leader = currentLeader, leader.isRunning {
            let target = nodes[(leader.index + 1 + Int(nemesisRNG.below(UInt64(nodes.count - 1)))) % nodes.count]
            statistics.transfers += 1
            note("n\(leader.id) asked to hand leadership to n\(target.id)")
            nextRequest += 1
            let request = ClientRequest.transferLeader(TransferLeaderRequest(target: target.id))
            try drive(leader) { (replica) throws(Violation) in
                try replica.handleObserved(
                    .request(request, from: Cluster.directClient, requestID: nextRequest), now: wallClock)
            }
        }
    }

    /// What a node's disk reports now: the fill level during a disk-fill fault, else 30 %.
    func diskUsage(of node: SimNode) -> UInt16 { now < node.diskFullUntil ? node.diskFillLevel : 3000 }

    /// Makes `node`'s file systems refuse every write that needs space (`ENOSPC`) while its disk
    /// is filled to the last byte, and take them again once it is freed; called before the node
    /// touches its disk.
    func refreshDiskSpace(of node: SimNode) {
        let full = now < node.diskFullUntil && node.diskFillLevel >= 10_000
        node.disk.raftFileSystem.isFull = full
        node.disk.stateMachineFileSystem.isFull = full
    }

    /// Once a (virtual) second, as the server does: the node's own disk and its running peers'.
    func measureDisks(of node: SimNode, _ replica: Replica) {
        guard options.diskFills != nil, now >= node.lastDiskMeasure + .milliseconds(1000) else { return }
        node.lastDiskMeasure = now
        let peers = nodes.filter { $0 !== node && $0.isUp }.map { (name: "n\($0.id)", basisPoints: diskUsage(of: $0)) }
        replica.diskUsageMeasured(own: diskUsage(of: node), peers: peers)
    }

    /// A random node of `candidates`, or (with the profile's chance) the leader if it is one.
    private func pick(_ candidates: [SimNode], preferLeader profile: NemesisProfile) -> SimNode? {
        if nemesisRNG.chance(profile.targetLeaderPerMille, in: 1000), let leader = currentLeader,
            candidates.contains(where: { $0 === leader })
        {
            return leader
        }
        return candidates.isEmpty ? nil : candidates[Int(nemesisRNG.below(UInt64(candidates.count)))]
    }

    /// The running leader with the highest term, if any.
    var currentLeader: SimNode? {
        var best: (node: SimNode, term: Term)?
        for node in nodes {
            guard let core = node.core, core.role == .leader else { continue }
            if best.map({ core.term > $0.term }) ?? true { best = (node, core.term) }
        }
        return best?.node
    }
}
