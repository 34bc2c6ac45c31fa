import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Raft

#if canImport(Glibc)
    import Glibc
#endif

/// Injects faults into a ``LocalGroup``, drawn from a seeded generator: the kinds come in
/// shuffled rounds (every enabled kind once per round, so a short run still sees each), the
/// target is the leader two times in three (a long pause always hits a follower), and every
/// hold time is random within bounds chosen around the default election timeout (150–300 ms),
/// except a long pause's 10–60 s.
///
/// One fault at a time by default. With `--overlap` each fault is joined, after a random 20–80 %
/// of its hold, by a second one that ``ChaosOverlapRule`` allows beside it (the first kind of the
/// round, else of the enabled ones, that has a target the rule admits), when there is one; each
/// heals at its own time, so either may outlast the other.
///
/// After the heal (of both, when two overlap) it waits until the group is stable again
/// (``isStable(_:)``, seen twice in a row, at most ``settleTimeout``) and records when on each
/// fault, so the leadership changes a fault caused are counted against it; the next fault comes
/// no sooner than that, and no sooner than its random gap after the heal.
final class ChaosNemesis {
    /// How long after a heal the nemesis waits for the group to be stable again before it notes
    /// that it was not and goes on.
    static let settleTimeout: Duration = .seconds(30)
    /// How much of the run a long pause or a full disk leaves for the load after its heal: one
    /// that would end later is shortened, and one that could not hold its least (10 s, 2 s) is
    /// not injected.
    static let longPauseTail: Duration = .seconds(5)

    let cluster: LocalGroup
    let recorder: ChaosRecorder
    let kinds: [ChaosFaultKind]
    /// With `--netns`: the network whose links partitions and netem fault.
    let network: ChaosNetwork?
    /// With a disk fault enabled: the nodes' own file systems.
    let disks: ChaosDisks?
    /// With `--overlap`: which second fault may join the first.
    let overlap: ChaosOverlapRule?
    var random: SplitMix64
    let client: LedgerClient
    private var round: [ChaosFaultKind] = []
    /// Without `--netns`: whom each node drops Raft traffic from (the test-only hook), as the
    /// partitions under way want it.
    var isolated: Set<NodeID> = []
    /// Things that happened to the nodes that no check covers but a reader should know about
    /// (a partition request that failed, a long pause not injected).
    var notes: [String] = []
    /// Each SIGTERM a node did not answer by exiting 0 within 10 s (it crashed, failed or hung):
    /// the clean-exits check fails on every one.
    var uncleanExits: [String] = []
    private(set) var faults: [ChaosFault] = []
    /// Called with a line as each fault is injected, before its hold time (`ledger soak` prints it).
    var onInjected: ((String) -> Void)?

    init(
        cluster: LocalGroup, recorder: ChaosRecorder, kinds: [ChaosFaultKind], random: SplitMix64,
        credentials: AccessCredentials? = nil, network: ChaosNetwork? = nil, disks: ChaosDisks? = nil,
        overlap: ChaosOverlapRule? = nil
    ) {
        self.cluster = cluster
        self.network = network
        self.disks = disks
        self.overlap = overlap
        self.recorder = recorder
        self.kinds = kinds
        self.random = random
        client = LedgerClient(
            peers: cluster.peers,
            options: LedgerClientOptions(
                timeout: .seconds(2), nodeTimeout: .milliseconds(500), credentials: credentials))
    }

    /// Injects faults until `end` (the faults under way when it passes are still healed, and
    /// the group watched until it is stable again).
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
            guard ChaosNemesis.fits(kind, remaining: remaining) else { continue }
            lastHeal = try injectAndHeal(kind, end: end)
        }
    }

    /// Whether a fault of `kind` can be held its least with `remaining` of the run left.
    static func fits(_ kind: ChaosFaultKind, remaining: Duration) -> Bool {
        switch kind {
        case .longPause: remaining - longPauseTail >= .seconds(10)
        case .diskFull: remaining - longPauseTail >= .seconds(2)
        default: true
        }
    }

    /// Undoes everything a fault may have left: continues every node, heals partitions, empties
    /// and unthrottles every disk, starts every node that is down.
    func healAll() throws(HarnessError) {
        for peer in cluster.peers where cluster.isRunning(peer.id) { cluster.signal(peer.id, SIGCONT) }
        if let network {
            try network.healAll()
        } else if kinds.contains(.partition) {
            isolated = []
            applyIsolation()
        }
        try disks?.healAll()
        try cluster.startAll()
    }

    /// Injects a fault of `kind` (and with `--overlap` a second one beside it), heals each when
    /// its hold is over, waits for the group to settle and records the faults; returns when the
    /// last heal was, or nil when no fault could be injected (a long pause with no leader to
    /// spare the follower of).
    private func injectAndHeal(_ kind: ChaosFaultKind, end: ContinuousClock.Instant) throws(HarnessError)
        -> ContinuousClock.Instant?
    {
        let view = client.statusAll()
        guard let target = pickTarget(kind, view: view) else {
            notes.append("no leader at \(recorder.elapsed.millisecondsText) ms: a long pause was not injected")
            return nil
        }
        let first = try begin(kind, target: target, view: view, end: end)
        var active = [first]
        if let overlap {
            let hold = first.healAt - first.began
            let offset = hold * Double(random.int(in: 20...80)) / 100
            pause(ContinuousClock().now.duration(to: first.began + offset))
            let view = client.statusAll()
            if let (kind, target) = pickSecond(beside: first, view: view, rule: overlap, end: end) {
                active.append(try begin(kind, target: target, view: view, end: end))
            }
        }
        var healed: [ActiveFault] = []
        while let next = active.indices.min(by: { active[$0].healAt < active[$1].healAt }) {
            pause(ContinuousClock().now.duration(to: active[next].healAt))
            var fault = active.remove(at: next)
            try heal(&fault)
            healed.append(fault)
        }
        let healInstant = ContinuousClock().now
        let settled = awaitStable()
        let details = healed.map(\.detail).joined(separator: "; ")
        if !settled {
            notes.append(
                "the group was not stable within \(ChaosNemesis.settleTimeout) of healing the fault at "
                    + "\(first.injected.millisecondsText) ms (\(details))")
        }
        let until = recorder.elapsed
        for fault in healed.sorted(by: { $0.injected < $1.injected }) {
            faults.append(
                ChaosFault(
                    kind: fault.kind, node: fault.target.name, targetedLeader: fault.targetedLeader,
                    injected: fault.injected, healed: fault.healed ?? until, detail: fault.detail,
                    observedUntil: until, settled: settled))
        }
        return healInstant
    }

    /// The target of a first fault of `kind`: a random follower for a long pause (nil when no
    /// leader is known), else the leader two times in three.
    private func pickTarget(_ kind: ChaosFaultKind, view: ClusterView) -> Peer? {
        let leader = view.leader
        if kind == .longPause {
            guard let leader else { return nil }
            let followers = cluster.peers.filter { $0.id != leader.peer.id }
            return followers[Int(random.below(UInt64(followers.count)))]
        } else if random.chance(2, in: 3), let leader {
            return leader.peer
        } else {
            let others = cluster.peers.filter { $0.id != leader?.peer.id }
            return others[Int(random.below(UInt64(others.count)))]
        }
    }

    /// The kind and target of a fault to join `first`: the first kind of the round, else of the
    /// enabled ones, with a target `rule` admits beside it (never the leader for a long pause),
    /// the leader two times in three when it is one; nil when no kind has one.
    private func pickSecond(
        beside first: ActiveFault, view: ClusterView, rule: ChaosOverlapRule, end: ContinuousClock.Instant
    )
        -> (ChaosFaultKind, Peer)?
    {
        let remaining = ContinuousClock().now.duration(to: end)
        for kind in round + kinds where ChaosNemesis.fits(kind, remaining: remaining) {
            let targets = cluster.peers.filter { peer in
                rule.allows(first.kind, on: first.target.name, kind, on: peer.name)
                    && (kind != .longPause || (view.leader != nil && peer.id != view.leader?.peer.id))
            }
            guard !targets.isEmpty else { continue }
            if let position = round.firstIndex(of: kind) { round.remove(at: position) }
            if random.chance(2, in: 3), let leader = view.leader?.peer, targets.contains(leader) {
                return (kind, leader)
            }
            let others = targets.filter { $0.id != view.leader?.peer.id }
            let choices = others.isEmpty ? targets : others
            return (kind, choices[Int(random.below(UInt64(choices.count)))])
        }
        notes.append(
            "no fault could join \(first.kind.rawValue) on \(first.target.name) at \(first.injected.millisecondsText) ms"
        )
        return nil
    }

    /// Injects the next fault of the seeded rounds, heals it and waits for the group to settle
    /// (``run(until:)`` does this in a loop); returns the fault, or nil when none could be
    /// injected (a fault that does not fit in `room`, or no leader to spare a follower of).
    func injectNext(room: Duration) throws(HarnessError) -> ChaosFault? {
        if round.isEmpty { round = shuffled(kinds) }
        let kind = round.removeFirst()
        guard ChaosNemesis.fits(kind, remaining: room) else { return nil }
        return try injectAndHeal(kind, end: ContinuousClock().now + room) == nil ? nil : faults.last
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
