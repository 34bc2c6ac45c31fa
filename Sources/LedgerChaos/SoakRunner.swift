import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Posix
import Raft

/// `ledger soak`: a three-node group under a steady message load with short retention, sampled
/// over time; fails when a node's disk, descriptors or memory keep growing once retention runs,
/// or when the group's end state is wrong (``SoakChecks``). The rule is ``SoakGrowthRule``.
struct SoakRunner {
    let options: SoakOptions

    /// Runs, prints the table and the verdict, returns the exit code (0 passed, 1 a check failed
    /// or the run could not be carried out).
    func run() -> Int32 {
        let binary: String
        let directory: String
        do {
            binary = try currentExecutablePath()
            directory = try makeTemporaryDirectory(prefix: "ledger-soak")
        } catch {
            Console.error("ledger soak: \(error)")
            return ExitCode.failure
        }
        let passed: Bool
        do {
            passed = try execute(binary: binary, directory: directory)
        } catch {
            Console.error("ledger soak: \(error) (data directory kept: \(directory))")
            return ExitCode.failure
        }
        if passed && !options.keepData {
            do {
                try removeTree(directory)
            } catch {
                Console.error("ledger soak: cannot remove \(directory): \(error)")
            }
        } else {
            Console.out("data directory kept: \(directory)")
        }
        return passed ? ExitCode.success : ExitCode.failure
    }

    private func execute(binary: String, directory: String) throws(HarnessError) -> Bool {
        let cluster = try LocalGroup(binary: binary, directory: directory, settings: options.settings)
        defer { cluster.shutDown() }
        try cluster.startAll()
        let observer = LedgerClient(
            peers: cluster.peers, options: LedgerClientOptions(timeout: .seconds(15), nodeTimeout: .seconds(1)))
        defer { observer.close() }
        do {
            _ = try observer.findLeader()
        } catch {
            throw HarnessError("the group elected no leader: \(error)")
        }
        Console.out(
            "soak: 3 nodes in \(directory); \(options.rate) messages/s of \(options.messageSize) bytes for "
                + "\(options.duration.flagText); fileReservedTime \(options.reserved.flagText), dataFileSize "
                + "\(options.dataFileSize) bytes, deleteWhen every hour; a sample every \(options.sampleInterval.flagText)"
        )
        Console.out(SoakTable.header)

        let load = SoakLoad(peers: cluster.peers, rate: options.rate, messageSize: options.messageSize)
        load.start()
        let (samples, firstPass, elapsed) = watch(cluster, observer, load)
        load.stop()

        let counts = load.counts
        var checks = SoakVerdict.growth(
            samples: samples, peers: cluster.peers, firstPass: firstPass, options: options)
        checks.append(SoakChecks.converged(cluster, observer, timeout: .seconds(60)))
        checks.append(SoakChecks.retained(load.acks, client: observer, reserved: options.reserved))
        checks.append(SoakChecks.belowStart(client: observer))
        checks.append(
            SoakCheck(
                name: "load", passed: counts.failedSends == 0 && counts.failedReads == 0 && counts.acknowledged > 0,
                detail: counts.firstFailure.map {
                    "\(counts.failedSends) sends and \(counts.failedReads) reads failed, the first: \($0)"
                } ?? "every send and read succeeded"))

        let seconds = Double(elapsed.wholeMilliseconds) / 1000
        Console.out(
            "load: \(counts.acknowledged) sends acknowledged in \(clock(elapsed)) "
                + "(\(Int((Double(counts.acknowledged) / seconds).rounded()))/s), \(counts.failedSends) failed; "
                + "\(counts.reads) messages read, \(counts.failedReads) reads or offset commits failed")
        Console.out(SoakVerdict.retentionLine(cluster: cluster, firstPass: firstPass))
        Console.out(SoakVerdict.windowLine(samples: samples, firstPass: firstPass, options: options))
        Console.out("checks:")
        for check in checks { Console.out("  \(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
        Console.out(
            SoakVerdict.breakdown(samples: samples, peers: cluster.peers, firstPass: firstPass, options: options))
        let failed = checks.filter { !$0.passed }
        Console.out(
            failed.isEmpty
                ? "verdict: PASS"
                : "verdict: FAIL (\(failed.map(\.name).joined(separator: ", ")); each check above says why)")
        return failed.isEmpty
    }

    /// Until the duration is over: each second, every node's first index (the first retention
    /// pass is when it leaves 1); each sample interval, every node's figures, printed. Returns
    /// the samples, when each node's first pass was seen, and how long the load ran.
    private func watch(_ cluster: LocalGroup, _ observer: LedgerClient, _ load: SoakLoad)
        -> (samples: [SoakSample], firstPass: [Duration?], elapsed: Duration)
    {
        let start = ContinuousClock().now
        var samples: [SoakSample] = []
        var firstPass: [Duration?] = Array(repeating: nil, count: cluster.peers.count)
        var firstIndexes: [LogIndex?] = Array(repeating: nil, count: cluster.peers.count)
        var nextSample = start + options.sampleInterval
        let end = start + options.duration
        while ContinuousClock().now < end {
            pause(min(.seconds(1), ContinuousClock().now.duration(to: min(nextSample, end))))
            let now = ContinuousClock().now
            for node in observer.statusAll().nodes {
                guard let status = node.response,
                    let position = cluster.peers.firstIndex(where: { $0.id == node.peer.id })
                else { continue }
                firstIndexes[position] = status.firstIndex
                if status.firstIndex > LogIndex(1) && firstPass[position] == nil {
                    firstPass[position] = start.duration(to: now)
                }
            }
            guard now >= nextSample else { continue }
            nextSample = nextSample + options.sampleInterval
            let sample = SoakSample(
                at: start.duration(to: now),
                nodes: cluster.peers.enumerated().map { position, peer in
                    guard let pid = cluster.pid(of: peer.id), cluster.isRunning(peer.id) else {
                        return .failure(SoakSampleError("not running"))
                    }
                    return Result { () throws(SoakSampleError) in
                        try SoakNodeSample.measure(
                            pid: pid, storeDirectory: cluster.storeDirectory(peer.id),
                            firstIndex: firstIndexes[position])
                    }
                }, acknowledged: load.counts.acknowledged)
            samples.append(sample)
            Console.out(SoakTable.rows(sample, peers: cluster.peers, previous: samples.dropLast().last))
            // Only messages retention may not have expired yet are checked at the end.
            load.forget(storedBefore: WallClock.nowMilliseconds() - 2 * options.reserved.wholeMilliseconds - 60_000)
        }
        return (samples, firstPass, start.duration(to: ContinuousClock().now))
    }
}

/// `m:ss` (or `h:mm:ss`) of `duration`, as the table's TIME column prints it.
func clock(_ duration: Duration) -> String {
    let seconds = duration.wholeMilliseconds / 1000
    let minutes = seconds / 60
    func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return minutes >= 60
        ? "\(minutes / 60):\(two(minutes % 60)):\(two(seconds % 60))" : "\(minutes):\(two(seconds % 60))"
}
