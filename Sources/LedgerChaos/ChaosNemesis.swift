import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import Raft

#if canImport(Glibc)
    import Glibc
#endif

/// One fault as injected: on which node, whether that node led when it was hit, when it began
/// and when it was healed (from the start of the run).
struct ChaosFault: Sendable, Hashable {
    var kind: ChaosFaultKind
    var node: String
    var targetedLeader: Bool
    var injected: Duration
    var healed: Duration
    /// What was done, e.g. `SIGSTOP n1 (leader, term 4) for 1200 ms`.
    var detail: String
}

/// Injects one fault at a time into a ``LocalGroup``, drawn from a seeded generator: the
/// kinds come in shuffled rounds (every enabled kind once per round, so a short run still sees
/// each), the target is the leader two times in three, and every hold time is random within
/// bounds chosen around the default election timeout (150–300 ms).
final class ChaosNemesis {
    let cluster: LocalGroup
    let recorder: ChaosRecorder
    let kinds: [ChaosFaultKind]
    private var random: SplitMix64
    private let client: LedgerClient
    private var round: [ChaosFaultKind] = []
    /// Things that happened to the nodes that no check covers but a reader should know about
    /// (a node that did not exit on SIGTERM, a partition request that failed).
    private(set) var notes: [String] = []
    private(set) var faults: [ChaosFault] = []

    init(cluster: LocalGroup, recorder: ChaosRecorder, kinds: [ChaosFaultKind], random: SplitMix64) {
        self.cluster = cluster
        self.recorder = recorder
        self.kinds = kinds
        self.random = random
        client = LedgerClient(
            peers: cluster.peers, options: LedgerClientOptions(timeout: .seconds(2), nodeTimeout: .milliseconds(500)))
    }

    /// Injects faults until `end` (the fault under way when it passes is still healed).
    func run(until end: ContinuousClock.Instant) throws(HarnessError) {
        while true {
            pause(.milliseconds(Int64(random.int(in: 500...1500))))
            // Leave the last second for the load alone, so the run ends on a working group.
            guard ContinuousClock().now.duration(to: end) > .seconds(1) else { return }
            if round.isEmpty { round = shuffled(kinds) }
            let kind = round.removeFirst()
            try inject(kind)
        }
    }

    /// Undoes everything a fault may have left: continues every node, heals partitions,
    /// starts every node that is down.
    func healAll() throws(HarnessError) {
        for peer in cluster.peers where cluster.isRunning(peer.id) { cluster.signal(peer.id, SIGCONT) }
        if kinds.contains(.partition) { heal() }
        try cluster.startAll()
    }

    private func inject(_ kind: ChaosFaultKind) throws(HarnessError) {
        let view = client.statusAll()
        let leader = view.leader
        let wantLeader = random.chance(2, in: 3)
        let target: Peer
        if wantLeader, let leader {
            target = leader.peer
        } else {
            let others = cluster.peers.filter { $0.id != leader?.peer.id }
            target = others[Int(random.below(UInt64(others.count)))]
        }
        let targetedLeader = target.id == leader?.peer.id
        let role = targetedLeader ? "leader, term \(leader!.term)" : "follower"
        let injected = recorder.elapsed
        let detail: String
        switch kind {
        case .kill:
            let down = random.int(in: 300...3000)
            cluster.kill(target.id)
            pause(.milliseconds(Int64(down)))
            try cluster.start(target.id)
            detail = "kill -9 \(target.name) (\(role)), restarted after \(down) ms"
        case .pause:
            let held = random.int(in: 600...2500)
            cluster.signal(target.id, SIGSTOP)
            pause(.milliseconds(Int64(held)))
            cluster.signal(target.id, SIGCONT)
            detail = "SIGSTOP \(target.name) (\(role)) for \(held) ms, then SIGCONT"
        case .restart:
            let down = random.int(in: 100...1000)
            let status = cluster.terminate(target.id)
            switch status {
            case .exited(0)?:
                break
            case let other?:
                notes.append("\(target.name) ended with \(other) after SIGTERM at \(injected.millisecondsText) ms")
            case nil:
                notes.append(
                    "\(target.name) did not exit within 10 s of SIGTERM at \(injected.millisecondsText) ms (killed)")
            }
            pause(.milliseconds(Int64(down)))
            try cluster.start(target.id)
            detail = "SIGTERM \(target.name) (\(role)), restarted \(down) ms after it exited"
        case .partition:
            let held = random.int(in: 1000...4000)
            let others = cluster.peers.filter { $0.id != target.id }
            isolate(target, from: others.map(\.id))
            for peer in others { isolate(peer, from: [target.id]) }
            pause(.milliseconds(Int64(held)))
            heal()
            detail =
                "isolated \(target.name) (\(role)) from \(others.map(\.name).joined(separator: ", ")) for \(held) ms"
        }
        faults.append(
            ChaosFault(
                kind: kind, node: target.name, targetedLeader: targetedLeader, injected: injected,
                healed: recorder.elapsed, detail: detail))
    }

    private func heal() {
        for peer in cluster.peers { isolate(peer, from: []) }
    }

    private func isolate(_ peer: Peer, from others: [NodeID]) {
        do {
            try client.isolate(peer, from: others)
        } catch {
            let what = others.isEmpty ? "heal \(peer.name)" : "isolate \(peer.name)"
            notes.append("could not \(what) at \(recorder.elapsed.millisecondsText) ms: \(error)")
        }
    }

    /// `items` in a seeded random order (Fisher–Yates on ``SplitMix64``, not the standard
    /// library's shuffle, so a seed replays the same order on every toolchain).
    private func shuffled(_ items: [ChaosFaultKind]) -> [ChaosFaultKind] {
        var result = items
        for position in stride(from: result.count - 1, to: 0, by: -1) {
            result.swapAt(position, Int(random.below(UInt64(position + 1))))
        }
        return result
    }
}
