import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Raft

#if canImport(Glibc)
    import Glibc
#endif

/// Injects one fault at a time into a ``LocalGroup``, drawn from a seeded generator: the
/// kinds come in shuffled rounds (every enabled kind once per round, so a short run still sees
/// each), the target is the leader two times in three (a long pause always hits a follower),
/// and every hold time is random within bounds chosen around the default election timeout
/// (150–300 ms), except a long pause's 10–60 s.
///
/// After each heal it waits until the group is stable again (``isStable(_:)``, seen twice in a
/// row, at most ``settleTimeout``) and records when on the fault, so the leadership changes a
/// fault caused are counted against it; the next fault comes no sooner than that, and no
/// sooner than its random gap after the heal.
final class ChaosNemesis {
    /// How long after a heal the nemesis waits for the group to be stable again before it notes
    /// that it was not and goes on.
    static let settleTimeout: Duration = .seconds(30)
    /// How much of the run a long pause leaves for the load after its SIGCONT: one that would
    /// end later is shortened, and one that could not hold 10 s is not injected.
    static let longPauseTail: Duration = .seconds(5)

    let cluster: LocalGroup
    let recorder: ChaosRecorder
    let kinds: [ChaosFaultKind]
    /// With `--netns`: the network whose links partitions and netem fault.
    let network: ChaosNetwork?
    private var random: SplitMix64
    private let client: LedgerClient
    private var round: [ChaosFaultKind] = []
    /// Things that happened to the nodes that no check covers but a reader should know about
    /// (a partition request that failed, a long pause not injected).
    private(set) var notes: [String] = []
    /// Each SIGTERM a node did not answer by exiting 0 within 10 s (it crashed, failed or hung):
    /// the clean-exits check fails on every one.
    private(set) var uncleanExits: [String] = []
    private(set) var faults: [ChaosFault] = []
    /// Called with a line as each fault is injected, before its hold time (`ledger soak` prints it).
    var onInjected: ((String) -> Void)?

    init(
        cluster: LocalGroup, recorder: ChaosRecorder, kinds: [ChaosFaultKind], random: SplitMix64,
        credentials: AccessCredentials? = nil, network: ChaosNetwork? = nil
    ) {
        self.cluster = cluster
        self.network = network
        self.recorder = recorder
        self.kinds = kinds
        self.random = random
        client = LedgerClient(
            peers: cluster.peers,
            options: LedgerClientOptions(
                timeout: .seconds(2), nodeTimeout: .milliseconds(500), credentials: credentials))
    }

    /// Injects faults until `end` (the fault under way when it passes is still healed, and the
    /// group watched until it is stable again).
    func run(until end: ContinuousClock.Instant) throws(HarnessError) {
        var lastHeal: ContinuousClock.Instant?
        while true {
            let gap = Duration.milliseconds(Int64(random.int(in: 500...1500)))
            // The gap runs from the last heal; waiting for the group to settle used part of it.
            pause(lastHeal.map { gap - $0.duration(to: ContinuousClock().now) } ?? gap)
            // Leave the last second for the load alone, so the run ends on a working group.
            let remaining = ContinuousClock().now.duration(to: end)
            guard remaining > .seconds(1) else { return }
            if round.isEmpty { round = shuffled(kinds) }
            let kind = round.removeFirst()
            if kind == .longPause && remaining - ChaosNemesis.longPauseTail < .seconds(10) { continue }
            lastHeal = try inject(kind, room: remaining - ChaosNemesis.longPauseTail)
        }
    }

    /// Undoes everything a fault may have left: continues every node, heals partitions,
    /// starts every node that is down.
    func healAll() throws(HarnessError) {
        for peer in cluster.peers where cluster.isRunning(peer.id) { cluster.signal(peer.id, SIGCONT) }
        if let network {
            try network.healAll()
        } else if kinds.contains(.partition) {
            heal()
        }
        try cluster.startAll()
    }

    /// Injects one fault of `kind` (a long pause holds at most `room`), heals it, waits for the
    /// group to settle and records the fault; returns when the heal was, or nil when the fault
    /// could not be injected (a long pause with no leader to spare the follower of).
    private func inject(_ kind: ChaosFaultKind, room: Duration) throws(HarnessError) -> ContinuousClock.Instant? {
        let view = client.statusAll()
        let leader = view.leader
        let target: Peer
        if kind == .longPause {
            guard let leader else {
                notes.append("no leader at \(recorder.elapsed.millisecondsText) ms: a long pause was not injected")
                return nil
            }
            let followers = cluster.peers.filter { $0.id != leader.peer.id }
            target = followers[Int(random.below(UInt64(followers.count)))]
        } else if random.chance(2, in: 3), let leader {
            target = leader.peer
        } else {
            let others = cluster.peers.filter { $0.id != leader?.peer.id }
            target = others[Int(random.below(UInt64(others.count)))]
        }
        let targetedLeader = target.id == leader?.peer.id
        let role = targetedLeader ? "leader, term \(leader!.term)" : "follower"
        let injected = recorder.elapsed
        onInjected?("\(kind.rawValue) on \(target.name) (\(role))")
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
                uncleanExits.append(
                    "\(target.name) ended with \(other) after SIGTERM at \(injected.millisecondsText) ms "
                        + "(its log: \(cluster.logPath(target.id)))")
            case nil:
                uncleanExits.append(
                    "\(target.name) did not exit within 10 s of SIGTERM at \(injected.millisecondsText) ms (killed)")
            }
            pause(.milliseconds(Int64(down)))
            try cluster.start(target.id)
            detail = "SIGTERM \(target.name) (\(role)), restarted \(down) ms after it exited"
        case .partition where network != nil:
            let held = random.int(in: 1000...4000)
            let direction = ChaosCut.allCases[Int(random.below(UInt64(ChaosCut.allCases.count)))]
            let others = cluster.peers.filter { $0.id != target.id }
            try network!.cut(Int(target.id.rawValue), from: others.map { Int($0.id.rawValue) }, direction: direction)
            pause(.milliseconds(Int64(held)))
            try network!.healAll()
            let names = others.map(\.name).joined(separator: ", ")
            let how =
                switch direction {
                case .both: "both ways"
                case .outbound: "one way, \(target.name) to them"
                case .inbound: "one way, them to \(target.name)"
                }
            detail = "cut \(target.name) (\(role)) from \(names) in the kernel (nft), \(how), for \(held) ms"
        case .partition:
            let held = random.int(in: 1000...4000)
            let others = cluster.peers.filter { $0.id != target.id }
            isolate(target, from: others.map(\.id))
            for peer in others { isolate(peer, from: [target.id]) }
            pause(.milliseconds(Int64(held)))
            heal()
            detail =
                "isolated \(target.name) (\(role)) from \(others.map(\.name).joined(separator: ", ")) for \(held) ms"
        case .netem:
            guard let network else { preconditionFailure("a netem fault without --netns") }
            let held = random.int(in: 2000...5000)
            try network.degrade(Int(target.id.rawValue))
            pause(.milliseconds(Int64(held)))
            try network.healAll()
            detail =
                "netem \(ChaosNetworkPlan.netemSettings.joined(separator: " ")) on \(target.name)'s link (\(role)) "
                + "for \(held) ms"
        case .longPause:
            let held = min(random.int(in: 10_000...60_000), Int(room.wholeMilliseconds))
            cluster.signal(target.id, SIGSTOP)
            pause(.milliseconds(Int64(held)))
            cluster.signal(target.id, SIGCONT)
            detail = "SIGSTOP \(target.name) (\(role)) for \(held) ms under load, then SIGCONT"
        }
        let healed = recorder.elapsed
        let healInstant = ContinuousClock().now
        let settled = awaitStable()
        if !settled {
            notes.append(
                "the group was not stable within \(ChaosNemesis.settleTimeout) of healing the fault at "
                    + "\(injected.millisecondsText) ms (\(detail))")
        }
        faults.append(
            ChaosFault(
                kind: kind, node: target.name, targetedLeader: targetedLeader, injected: injected, healed: healed,
                detail: detail, observedUntil: recorder.elapsed, settled: settled))
        return healInstant
    }

    /// Injects the next fault of the seeded rounds, heals it and waits for the group to settle
    /// (``run(until:)`` does this in a loop); returns the fault, or nil when none could be
    /// injected (a long pause with less than 10 s of `room`, or no leader to spare a follower of).
    func injectNext(room: Duration) throws(HarnessError) -> ChaosFault? {
        if round.isEmpty { round = shuffled(kinds) }
        let kind = round.removeFirst()
        if kind == .longPause && room < .seconds(10) { return nil }
        return try inject(kind, room: room) == nil ? nil : faults.last
    }

    /// Whether `view` shows a stable group: every node answers, one leads, every node reports
    /// that leader's term and names it, and every node's log holds what the leader has committed.
    static func isStable(_ view: ClusterView) -> Bool {
        guard let leader = view.leader,
            let committed = view.nodes.first(where: { $0.peer == leader.peer })?.response?.commit
        else { return false }
        return view.nodes.allSatisfy { node in
            guard let status = node.response else { return false }
            return status.term == leader.term && status.leader == leader.peer.id && status.lastIndex >= committed
        }
    }

    /// Polls every node until the group is stable on two polls in a row (so the status poller,
    /// which asks every 50 ms, has seen any leader it settled on) or ``settleTimeout`` passes;
    /// returns whether it settled.
    private func awaitStable() -> Bool {
        let deadline = ContinuousClock().now + ChaosNemesis.settleTimeout
        var stablePolls = 0
        while ContinuousClock().now < deadline {
            stablePolls = ChaosNemesis.isStable(client.statusAll()) ? stablePolls + 1 : 0
            if stablePolls == 2 { return true }
            pause(.milliseconds(100))
        }
        return false
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
