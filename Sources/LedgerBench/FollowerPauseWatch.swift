import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a bench run with `--pause-follower` saw of the group.
struct LagReport: Sendable, Hashable {
    /// The follower that was stopped (`n2`), or nil when none could be (``note`` says why).
    var follower: String?
    /// When it was stopped and continued, from the start of sending.
    var stopped: Duration?
    var continued: Duration?
    /// The first leader the status polls saw, then each leader they saw at a higher term than
    /// all before, from the start of sending until the follower caught up (or the wait for
    /// that ended).
    var leaders: [Leader] = []
    /// The highest term any node reported (a failed election raises it without a leader).
    var highestTerm: UInt64?
    /// From the SIGCONT to the first status poll that showed the follower 0 entries behind the
    /// leader; nil when none did before the wait ended.
    var catchUp: Duration?
    /// Why something could not be done or measured.
    var note: String?

    /// A node the polls saw leading `term`, first at `at` from the start of sending.
    struct Leader: Sendable, Hashable {
        var node: String
        var term: UInt64
        var at: Duration
    }

    /// How often leadership moved to a new term: every leader seen after the first.
    var leaderChanges: Int { max(0, leaders.count - 1) }
}

/// Carries out a ``FollowerPause`` during a bench run and watches the group meanwhile: one
/// thread SIGSTOPs a follower `after` into the run (the first node in peer order that does not
/// lead then) and SIGCONTs it `hold` later; another asks every node for its status every 250 ms
/// and records leader terms and when the stopped follower is 0 entries behind the leader again.
final class FollowerPauseWatch: Sendable {
    static let pollInterval: Duration = .milliseconds(250)

    private let plan: FollowerPause
    private let peers: [Peer]
    private let pids: [NodeID: pid_t]
    private let start: ContinuousClock.Instant
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    private struct State {
        var follower: (peer: Peer, pid: pid_t)?
        var stoppedAt: ContinuousClock.Instant?
        var continuedAt: ContinuousClock.Instant?
        /// Set once the pausing thread has nothing more to do (it continued the follower, or
        /// could not stop one).
        var pauseDone = false
        var caughtUpAt: ContinuousClock.Instant?
        var leaders: [LagReport.Leader] = []
        var highestTerm: UInt64?
        var note: String?
    }

    /// Starts both threads; `start` is when sending starts. `pids` are the processes of the
    /// group's members (the ones that can be stopped).
    init(plan: FollowerPause, peers: [Peer], pids: [NodeID: pid_t], start: ContinuousClock.Instant) {
        self.plan = plan
        self.peers = peers
        self.pids = pids
        self.start = start
        running.add(2, ordering: .acquiringAndReleasing)
        spawnThread(name: "bench follower pause") { [self] in
            pauseFollower()
            running.subtract(1, ordering: .acquiringAndReleasing)
        }
        spawnThread(name: "bench status poll") { [self] in
            poll()
            running.subtract(1, ordering: .acquiringAndReleasing)
        }
    }

    /// Waits until the follower was continued and is caught up, at most `timeout` after the
    /// SIGCONT; then stops both threads (continuing the follower if it is still stopped) and
    /// returns what they saw.
    func finish(catchUpTimeout timeout: Duration) -> LagReport {
        while true {
            let (done, continuedAt, caughtUp) = state.withLock { ($0.pauseDone, $0.continuedAt, $0.caughtUpAt != nil) }
            if done && (continuedAt == nil || caughtUp) { break }
            if let continuedAt, ContinuousClock().now >= continuedAt + timeout { break }
            pause(.milliseconds(20))
        }
        stopping.store(true, ordering: .releasing)
        while running.load(ordering: .acquiring) > 0 { pause(.milliseconds(5)) }
        return state.withLock { state in
            var report = LagReport(
                follower: state.follower?.peer.name, stopped: state.stoppedAt.map { start.duration(to: $0) },
                continued: state.continuedAt.map { start.duration(to: $0) }, leaders: state.leaders,
                highestTerm: state.highestTerm, note: state.note)
            if let continuedAt = state.continuedAt, let caughtUpAt = state.caughtUpAt {
                report.catchUp = continuedAt.duration(to: caughtUpAt)
            }
            return report
        }
    }

    /// Sleeps until `instant` or until the watch is stopping; returns false when stopping.
    private func sleep(until instant: ContinuousClock.Instant) -> Bool {
        while ContinuousClock().now < instant {
            if stopping.load(ordering: .acquiring) { return false }
            pause(min(.milliseconds(20), ContinuousClock().now.duration(to: instant)))
        }
        return !stopping.load(ordering: .acquiring)
    }

    private func pauseFollower() {
        defer { state.withLock { $0.pauseDone = true } }
        guard sleep(until: start + plan.after) else { return }
        let client = LedgerClient(
            peers: peers, options: LedgerClientOptions(timeout: .seconds(1), nodeTimeout: .milliseconds(500)))
        defer { client.close() }
        var chosen: (peer: Peer, pid: pid_t)?
        while chosen == nil {
            if let leader = client.statusAll().leader,
                let peer = peers.first(where: { $0.id != leader.peer.id && pids[$0.id] != nil })
            {
                chosen = (peer, pids[peer.id]!)
            } else if !sleep(until: ContinuousClock().now + .milliseconds(50))
                || ContinuousClock().now >= start + plan.end
            {
                state.withLock { $0.note = "no leader with a follower to stop was seen in time; nothing was paused" }
                return
            }
        }
        let (peer, pid) = chosen!
        guard signal(pid, SIGSTOP, peer) else { return }
        let stoppedAt = ContinuousClock().now
        state.withLock {
            $0.follower = (peer, pid)
            $0.stoppedAt = stoppedAt
        }
        // Woken early only when the run is abandoned: continue the follower either way.
        _ = sleep(until: stoppedAt + plan.hold)
        guard signal(pid, SIGCONT, peer) else { return }
        state.withLock { $0.continuedAt = ContinuousClock().now }
    }

    /// Sends `number` to the follower's process (`kill(2)`); notes the failure and returns false.
    private func signal(_ pid: pid_t, _ number: Int32, _ peer: Peer) -> Bool {
        guard kill(pid, number) != 0 else { return true }
        let error = SystemError("kill", subject: "\(peer.name) (pid \(pid))", errno: errno)
        state.withLock { $0.note = "cannot \(number == SIGSTOP ? "stop" : "continue") \(peer.name): \(error)" }
        return false
    }

    private func poll() {
        let client = LedgerClient(
            peers: peers, options: LedgerClientOptions(timeout: .seconds(1), nodeTimeout: .milliseconds(500)))
        defer { client.close() }
        var next = ContinuousClock().now
        while sleep(until: next) {
            let view = client.statusAll()
            let seen = ContinuousClock().now
            // A slow answer (a stopped node costs the 500 ms node timeout) delays the next poll.
            next = max(next + FollowerPauseWatch.pollInterval, seen)
            state.withLock { state in
                if let reported = view.nodes.compactMap({ $0.response?.term.rawValue }).max() {
                    state.highestTerm = max(state.highestTerm ?? 0, reported)
                }
                // A deposed leader may still answer as leader of its old term: not news.
                if let leader = view.leader, leader.term.rawValue > state.leaders.last?.term ?? 0 {
                    state.leaders.append(
                        LagReport.Leader(
                            node: leader.peer.name, term: leader.term.rawValue, at: start.duration(to: seen)))
                }
                if state.continuedAt != nil, state.caughtUpAt == nil, let follower = state.follower,
                    let node = view.nodes.first(where: { $0.peer == follower.peer }), view.lag(of: node) == 0
                {
                    state.caughtUpAt = seen
                }
            }
        }
    }
}
