import LedgerBench
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing

@testable import LedgerLocalGroup

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 15's scenario at a rate the debug build sustains: a follower stopped for 15 s under a
/// steady message load and resumed must cost only itself.
@Suite(.serialized)
struct LaggingFollowerTests {
    /// Messages per second the bench aims for: the debug build sustains about 1,500 on two busy
    /// cores (p99 under 20 ms), so this leaves headroom for the tests that run alongside.
    static let rate = 1000
    /// Load before the follower is stopped (from when the leader's log is seen growing), how
    /// long it stays stopped, and load after it resumes.
    static let warmUp: Duration = .seconds(3)
    static let stopped: Duration = .seconds(15)
    static let loadAfter: Duration = .seconds(5)
    /// How long the bench may take to connect before its load shows (it runs this much longer).
    static let startSlack: Duration = .seconds(3)
    /// A generous bound, so this is not a timing test: a 15 s gap at this rate takes a second or two.
    static let catchUpBound: Duration = .seconds(60)
    static let rssLimit: UInt64 = 128 << 20
    static let pollInterval: Duration = .milliseconds(250)

    /// What the status polls saw while the bench ran.
    struct Observations: CustomStringConvertible {
        var leaders: [String] = []
        var highestTerm: UInt64 = 0
        var peakRSS: [String: UInt64] = [:]
        var rssProblems: [String] = []
        var polls = 0
        /// What happened when, in milliseconds from the bench's start.
        var timeline: [String] = []

        /// Records one poll: the leader at its term (once per change) and every node's VmRSS.
        mutating func record(_ view: ClusterView, rss: [(String, Result<UInt64, ProcError>)]) {
            polls += 1
            if let leader = view.leader, leaders.last != "\(leader.peer.name) at term \(leader.term)" {
                leaders.append("\(leader.peer.name) at term \(leader.term)")
            }
            highestTerm = max(highestTerm, view.nodes.compactMap { $0.response?.term.rawValue }.max() ?? 0)
            for (node, result) in rss {
                switch result {
                case .success(let bytes): peakRSS[node] = max(peakRSS[node] ?? 0, bytes)
                case .failure(let error): rssProblems.append("\(node): \(error)")
                }
            }
        }

        var description: String {
            let peaks = peakRSS.keys.sorted().map { "\($0) \(peakRSS[$0]! >> 20) MiB" }.joined(separator: ", ")
            return "\(polls) polls; leaders seen: \(leaders.joined(separator: " → ")); highest term any node "
                + "reported: \(highestTerm); peak VmRSS: \(peaks); \(timeline.joined(separator: ", "))"
        }
    }

    @Test(
        "a follower stopped 15 s under 4 producers × 16 in flight: no leadership change, no client error, it catches up, every node ≤ 128 MiB"
    )
    func followerStoppedUnderLoad() throws {
        let fixture = try ClusterFixture()
        let leader = try fixture.awaitLeader()
        let follower = try #require(fixture.peers.first { $0.id != leader.peer.id })
        let pids = try fixture.peers.map { peer in (peer.name, try #require(fixture.cluster.pid(of: peer.id))) }
        let observer = LedgerClient(
            peers: fixture.peers, options: LedgerClientOptions(timeout: .seconds(1), nodeTimeout: .milliseconds(500)))
        defer { observer.close() }
        let idleIndex = try observer.status(of: leader.peer).lastIndex.rawValue

        let duration = Self.startSlack + Self.warmUp + Self.stopped + Self.loadAfter
        let output = "\(fixture.directory)/bench.json"
        let bench = try ChildProcess.spawn(
            fixture.binary,
            [
                "bench", "--producers", "4", "--inflight", "16", "--rate", "\(Self.rate)", "--duration",
                "\(duration.wholeMilliseconds)ms", "--json", "--peers", fixture.cluster.peerList,
            ], stdoutPath: output, stderrPath: "\(fixture.directory)/bench.err")
        defer { bench.kill() }

        let start = ContinuousClock().now
        var seen = Observations()
        func mark(_ event: String, _ instant: ContinuousClock.Instant) {
            seen.timeline.append("\(event) at \(start.duration(to: instant).wholeMilliseconds) ms")
        }
        var loadSeenAt: ContinuousClock.Instant?
        var stoppedAt: ContinuousClock.Instant?
        var continuedAt: ContinuousClock.Instant?
        var caughtUpAt: ContinuousClock.Instant?
        var benchStatus: LedgerLocalGroup.ExitStatus?
        while true {
            let now = ContinuousClock().now
            if stoppedAt == nil, let loadSeenAt, now >= loadSeenAt + Self.warmUp {
                fixture.cluster.signal(follower.id, SIGSTOP)
                stoppedAt = now
                mark("SIGSTOP", now)
            }
            if let stoppedAt, continuedAt == nil, now >= stoppedAt + Self.stopped {
                fixture.cluster.signal(follower.id, SIGCONT)
                continuedAt = now
                mark("SIGCONT", now)
            }
            let view = observer.statusAll()
            let polled = ContinuousClock().now
            seen.record(
                view,
                rss: pids.map { name, pid in
                    (name, Result { () throws(ProcError) in try ProcFS.residentBytes(pid) })
                })
            if loadSeenAt == nil, let status = view.nodes.first(where: { $0.peer == leader.peer })?.response,
                status.lastIndex.rawValue >= idleIndex + 100
            {
                loadSeenAt = polled
                mark("load seen", polled)
            }
            if continuedAt != nil, caughtUpAt == nil,
                let node = view.nodes.first(where: { $0.peer == follower }), view.lag(of: node) == 0
            {
                caughtUpAt = polled
                mark("lag 0", polled)
            }
            if benchStatus == nil, let status = bench.wait(timeout: .zero) {
                benchStatus = status
                mark("bench exited", polled)
            }
            if let continuedAt, benchStatus != nil, caughtUpAt != nil || polled >= continuedAt + Self.catchUpBound {
                break
            }
            if polled >= start + duration + Self.catchUpBound { break }
            pause(now + Self.pollInterval - ContinuousClock().now)
        }
        let report = String(decoding: try readFile(output), as: UTF8.self)
        let errorOutput = String(decoding: try readFile("\(fixture.directory)/bench.err"), as: UTF8.self)
        var catchUp: Duration?
        if let continuedAt, let caughtUpAt { catchUp = continuedAt.duration(to: caughtUpAt) }
        print(
            "lagging follower \(follower.name) (leader \(leader.peer.name), term \(leader.term)): "
                + (catchUp.map { "caught up \($0.wholeMilliseconds) ms after SIGCONT" } ?? "did not catch up")
                + "; \(seen)\nbench (\(Self.rate) msg/s aimed for): \(report)")

        #expect(stoppedAt != nil, "the load never showed in the leader's log: \(seen)\n\(errorOutput)")
        let status = try #require(benchStatus, "the bench did not finish: \(seen)")
        #expect(status == .exited(0), "the bench failed: \(errorOutput)")
        #expect(seen.leaders == ["\(leader.peer.name) at term \(leader.term)"], "leadership changed: \(seen)")
        #expect(seen.highestTerm == leader.term.rawValue, "a node moved to a higher term: \(seen)")
        #expect(Self.number("errors", in: report) == [0], "the bench saw failed requests: \(report)\n\(errorOutput)")
        #expect((Self.number("messagesPerSecond", in: report).first ?? 0) > 0, "nothing was acknowledged: \(report)")
        let catchUpText = "the follower was not 0 entries behind within \(Self.catchUpBound) of SIGCONT"
        #expect(catchUp.map { $0 <= Self.catchUpBound } == true, "\(catchUpText): \(seen)\n\(fixture.logs)")
        #expect(seen.rssProblems.isEmpty, "VmRSS could not be read: \(seen.rssProblems)")
        for (node, peak) in seen.peakRSS {
            #expect(peak <= Self.rssLimit, "\(node) reached \(peak >> 20) MiB resident: \(seen)")
        }
        // The bench's own figure: each node's VmHWM since its load started.
        let peaks = Self.number("peakRssBytes", in: report)
        #expect(peaks.count == 3 && peaks.allSatisfy { $0 <= Double(Self.rssLimit) }, "peak RSS: \(report)")
    }

    /// Every number that follows `"key": ` in `json`, in order.
    static func number(_ key: String, in json: String) -> [Double] {
        json.split(separator: "\"\(key)\": ", omittingEmptySubsequences: false).dropFirst().compactMap { rest in
            Double(rest.prefix { $0.isNumber || $0 == "." || $0 == "-" })
        }
    }
}
