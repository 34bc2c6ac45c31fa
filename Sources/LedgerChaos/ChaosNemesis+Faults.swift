import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Raft

#if canImport(Glibc)
    import Glibc
#endif

/// A fault the nemesis began and has not healed yet.
struct ActiveFault {
    var kind: ChaosFaultKind
    var target: Peer
    var targetedLeader: Bool
    /// When it began, from the start of the run and on the clock.
    var injected: Duration
    var began: ContinuousClock.Instant
    /// When its hold is over.
    var healAt: ContinuousClock.Instant
    /// What was done, e.g. `SIGSTOP n1 (leader, term 4) for 1200 ms, then SIGCONT`.
    var detail: String
    /// When it was healed, from the start of the run; nil until then.
    var healed: Duration?
}

/// How each fault kind begins and heals.
extension ChaosNemesis {
    /// Begins a fault of `kind` on `target` (`view` says who leads) and returns it with its
    /// hold drawn; a long pause or a full disk ends ``longPauseTail`` before `end` at the latest.
    /// Draws the hold times in the order the one-fault-at-a-time runner always drew them, so a
    /// seed's schedule without `--overlap` stays what it was.
    func begin(_ kind: ChaosFaultKind, target: Peer, view: ClusterView, end: ContinuousClock.Instant)
        throws(HarnessError) -> ActiveFault
    {
        let leader = view.leader
        let targetedLeader = target.id == leader?.peer.id
        let role = targetedLeader ? "leader, term \(leader!.term)" : "follower"
        let injected = recorder.elapsed
        onInjected?("\(kind.rawValue) on \(target.name) (\(role))")
        let node = Int(target.id.rawValue)
        let room = ContinuousClock().now.duration(to: end) - ChaosNemesis.longPauseTail
        let hold: Int
        let detail: String
        switch kind {
        case .kill:
            hold = random.int(in: 300...3000)
            cluster.kill(target.id)
            detail = "kill -9 \(target.name) (\(role)), restarted after \(hold) ms"
        case .pause:
            hold = random.int(in: 600...2500)
            cluster.signal(target.id, SIGSTOP)
            detail = "SIGSTOP \(target.name) (\(role)) for \(hold) ms, then SIGCONT"
        case .restart:
            hold = random.int(in: 100...1000)
            switch cluster.terminate(target.id) {
            case .exited(0)?:
                break
            case let other?:
                uncleanExits.append(
                    "\(target.name) ended with \(other) after SIGTERM at \(injected.millisecondsText) ms "
                        + "(its log: \(cluster.logPath(target.id)))")
            case nil:
                uncleanExits.append(
                    "\(target.name) did not exit within 10 s of SIGTERM at \(injected.millisecondsText) ms (killed)")
            }
            detail = "SIGTERM \(target.name) (\(role)), restarted \(hold) ms after it exited"
        case .partition where network != nil:
            hold = random.int(in: 1000...4000)
            let direction = ChaosCut.allCases[Int(random.below(UInt64(ChaosCut.allCases.count)))]
            let others = cluster.peers.filter { $0.id != target.id }
            try network!.cut(node, from: others.map { Int($0.id.rawValue) }, direction: direction)
            let names = others.map(\.name).joined(separator: ", ")
            let how =
                switch direction {
                case .both: "both ways"
                case .outbound: "one way, \(target.name) to them"
                case .inbound: "one way, them to \(target.name)"
                }
            detail = "cut \(target.name) (\(role)) from \(names) in the kernel (nft), \(how), for \(hold) ms"
        case .partition:
            hold = random.int(in: 1000...4000)
            let others = cluster.peers.filter { $0.id != target.id }
            isolated.insert(target.id)
            applyIsolation()
            detail =
                "isolated \(target.name) (\(role)) from \(others.map(\.name).joined(separator: ", ")) for \(hold) ms"
        case .netem:
            guard let network else { preconditionFailure("a netem fault without --netns") }
            hold = random.int(in: 2000...5000)
            try network.degrade(node)
            detail =
                "netem \(ChaosNetworkPlan.netemSettings.joined(separator: " ")) on \(target.name)'s link (\(role)) "
                + "for \(hold) ms"
        case .longPause:
            hold = min(random.int(in: 10_000...60_000), Int(room.wholeMilliseconds))
            cluster.signal(target.id, SIGSTOP)
            detail = "SIGSTOP \(target.name) (\(role)) for \(hold) ms under load, then SIGCONT"
        case .slowDisk:
            guard let disks else { preconditionFailure("a slow-disk fault without the nodes' own disks") }
            hold = random.int(in: 2000...5000)
            let limit = try disks.throttle(node)
            detail = "slowed \(target.name)'s disk (\(role)) to \(limit) for \(hold) ms"
        case .diskFull:
            guard let disks else { preconditionFailure("a disk-full fault without the nodes' own disks") }
            hold = min(random.int(in: 2000...5000), Int(room.wholeMilliseconds))
            let filled = try disks.fill(node)
            detail = "filled \(target.name)'s disk (\(role)) \(filled) for \(hold) ms, then deleted the ballast"
        }
        let now = ContinuousClock().now
        return ActiveFault(
            kind: kind, target: target, targetedLeader: targetedLeader, injected: injected, began: now,
            healAt: now + .milliseconds(Int64(hold)), detail: detail)
    }

    /// Heals `fault` and notes when.
    func heal(_ fault: inout ActiveFault) throws(HarnessError) {
        let node = Int(fault.target.id.rawValue)
        switch fault.kind {
        case .kill, .restart:
            try cluster.start(fault.target.id)
            // A fresh process drops nobody's traffic: a partition under way must be told again.
            if network == nil && !isolated.isEmpty { reapplyIsolation(to: fault.target) }
        case .pause, .longPause:
            cluster.signal(fault.target.id, SIGCONT)
        case .partition where network != nil:
            try network!.healCut(node)
        case .partition:
            isolated.remove(fault.target.id)
            applyIsolation()
        case .netem:
            try network!.restore(node)
        case .slowDisk:
            try disks!.unthrottle(node)
        case .diskFull:
            try disks!.empty(node)
        }
        fault.healed = recorder.elapsed
    }

    /// Tells every node through the test-only hook whom to drop Raft traffic from: an isolated
    /// node from everyone, the others from every isolated node.
    func applyIsolation() {
        for peer in cluster.peers {
            do {
                try client.isolate(peer, from: isolation(of: peer))
            } catch {
                let what = isolation(of: peer).isEmpty ? "heal \(peer.name)" : "isolate \(peer.name)"
                notes.append("could not \(what) at \(recorder.elapsed.millisecondsText) ms: \(error)")
            }
        }
    }

    /// Whom `peer` must drop Raft traffic from while ``isolated`` are cut off.
    private func isolation(of peer: Peer) -> [NodeID] {
        let others = cluster.peers.map(\.id).filter { $0 != peer.id }
        return isolated.contains(peer.id) ? others : others.filter(isolated.contains)
    }

    /// Tells `peer`, just started, whom to drop traffic from, as soon as it answers (within 3 s).
    private func reapplyIsolation(to peer: Peer) {
        let deadline = ContinuousClock().now + .seconds(3)
        while true {
            do {
                try client.isolate(peer, from: isolation(of: peer))
                return
            } catch {
                guard ContinuousClock().now < deadline else {
                    notes.append(
                        "could not isolate \(peer.name) again after its restart at "
                            + "\(recorder.elapsed.millisecondsText) ms: \(error)")
                    return
                }
                pause(.milliseconds(50))
            }
        }
    }
}
