import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import Posix
import Raft
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Settings of `ledger bench-failover`.
struct BenchFailoverOptions: Sendable, Hashable {
    /// How many times the leader is killed.
    var kills = 20
    /// The pause between two appends of the write load.
    var writeInterval: Duration = .milliseconds(5)
    /// Keep the temporary directory (configs, data, logs) afterwards.
    var keepDirectory = false
}

/// `ledger bench-failover`: how long writes stall when the leader dies.
///
/// Starts a fresh three-node group with default settings in a temporary directory, runs a writer
/// thread that appends every few milliseconds, and repeatedly kills -9 the leader. Each sample is
/// the time from the kill until the first append acknowledged by another node completes. The
/// killed node is restarted and allowed to catch up before the next round, so the group is
/// always three when the leader dies.
struct BenchFailover {
    let options: BenchFailoverOptions

    /// Append completions the writer thread reports: when, and which node acknowledged.
    private final class WriteLog: Sendable {
        struct Write {
            var at: ContinuousClock.Instant
            var node: NodeID
        }
        let writes = Mutex<[Write]>([])
        let failures = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
    }

    func run() -> Int32 {
        let directory: String
        let binary: String
        do {
            binary = try currentExecutablePath()
            directory = try makeTemporaryDirectory(prefix: "ledger-bench-failover")
        } catch {
            Console.error("ledger bench-failover: \(error)")
            return ExitCode.failure
        }
        let code: Int32
        do {
            code = try measure(binary: binary, directory: directory)
        } catch {
            Console.error("ledger bench-failover: \(error) (logs kept in \(directory))")
            return ExitCode.failure
        }
        if options.keepDirectory || code != ExitCode.success {
            Console.out("configs, data and logs: \(directory)")
        } else {
            do {
                try removeTree(directory)
            } catch {
                Console.error("ledger bench-failover: cannot remove \(directory): \(error)")
            }
        }
        return code
    }

    private func measure(binary: String, directory: String) throws(HarnessError) -> Int32 {
        let cluster = try LocalGroup(binary: binary, directory: directory)
        defer { cluster.shutDown() }
        try cluster.startAll()
        let observer = LedgerClient(peers: cluster.peers, options: LedgerClientOptions(timeout: .seconds(10)))
        do {
            _ = try observer.findLeader()
        } catch {
            throw HarnessError("the group elected no leader: \(error)")
        }
        Console.out(
            "bench-failover: 3 nodes in \(directory), default settings, an append every \(options.writeInterval.millisecondsText) ms, \(options.kills) kills"
        )

        let log = WriteLog()
        let peers = cluster.peers
        let interval = options.writeInterval
        spawnThread(name: "bench writer") {
            let client = LedgerClient(peers: peers)
            while !log.stop.load(ordering: .relaxed) {
                do throws(LedgerClientError) {
                    _ = try client.append(Array("bench".utf8))
                    let node = client.leaderHint!.id
                    log.writes.withLock { $0.append(WriteLog.Write(at: ContinuousClock().now, node: node)) }
                } catch {
                    log.failures.withLock { $0.append(error.description) }
                }
                pause(interval)
            }
            client.close()
            log.finished.store(true, ordering: .releasing)
        }
        defer {
            log.stop.store(true, ordering: .relaxed)
            while !log.finished.load(ordering: .acquiring) { pause(.milliseconds(5)) }
        }

        var samples: [Duration] = []
        var failedRounds = 0
        for round in 1...options.kills {
            let leader = try awaitHealthyGroup(observer, cluster: cluster, log: log)
            // Kill at a random point between heartbeats, not in step with the last round.
            pause(.milliseconds(Int64.random(in: 100...300)))
            let seen = log.writes.withLock { $0.count }
            let killedAt = ContinuousClock().now
            cluster.kill(leader.peer.id)
            let deadline = killedAt + .seconds(10)
            var recovered: WriteLog.Write?
            while recovered == nil && ContinuousClock().now < deadline {
                recovered = log.writes.withLock { writes in
                    writes[seen...].first { $0.at > killedAt && $0.node != leader.peer.id }
                }
                if recovered == nil { pause(.milliseconds(2)) }
            }
            let label = "kill \(round)/\(options.kills): leader \(leader.peer.name) (term \(leader.term))"
            if let recovered {
                let stall = killedAt.duration(to: recovered.at)
                samples.append(stall)
                let name = peers.first { $0.id == recovered.node }?.name ?? "\(recovered.node)"
                Console.out("\(label) -> \(name): first write after \(stall.millisecondsText) ms")
            } else {
                failedRounds += 1
                Console.out("\(label): no write succeeded within 10 s")
            }
            try cluster.start(leader.peer.id)
        }

        let failures = log.failures.withLock { $0 }
        if !failures.isEmpty {
            Console.out("appends that failed after retrying for 3 s: \(failures.count) (last: \(failures.last!))")
        }
        guard !samples.isEmpty else {
            Console.out("no samples")
            return ExitCode.failure
        }
        let sorted = samples.sorted()
        // Nearest-rank percentile: the smallest sample with at least half the samples at or below it.
        let p50 = sorted[(sorted.count + 1) / 2 - 1]
        let max = sorted.last!
        let met = p50 <= .milliseconds(300) && max <= .seconds(1)
        Console.out(
            "failover (kill -9 of the leader until the next acknowledged write), \(samples.count) samples: "
                + "p50 \(p50.millisecondsText) ms, max \(max.millisecondsText) ms "
                + "(goal p50 <= 300 ms, max <= 1000 ms: \(met ? "met" : "missed"))")
        return failedRounds == 0 ? ExitCode.success : ExitCode.failure
    }

    /// Waits until all three nodes are up, one leads, every log is within a few entries of the
    /// leader's, and the writer has had a write acknowledged since; returns the leader.
    private func awaitHealthyGroup(_ observer: LedgerClient, cluster: LocalGroup, log: WriteLog)
        throws(HarnessError) -> LeaderInfo
    {
        let deadline = ContinuousClock().now + .seconds(20)
        let since = ContinuousClock().now
        var last = ""
        while ContinuousClock().now < deadline {
            let view = observer.statusAll()
            last = view.summary
            if let leader = view.leader, view.nodes.allSatisfy({ view.lag(of: $0).map { $0 <= 50 } ?? false }),
                log.writes.withLock({ $0.last.map { $0.at > since && $0.node == leader.peer.id } ?? false })
            {
                return leader
            }
            pause(.milliseconds(20))
        }
        throw HarnessError("the group did not become healthy within 20 s: \(last)")
    }
}
