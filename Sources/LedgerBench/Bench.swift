import Dispatch
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

/// The load of one bench run.
struct BenchLoad: Sendable {
    var operation: any BenchOperation
    var producers: Int
    var inflight: Int
    var mode: BenchOptions.Mode
    var duration: Duration
    /// A request unanswered this long counts as failed.
    var timeout: Duration
    /// Messages per second the producers together aim for (paced, open loop); nil: as fast as
    /// the in-flight window allows.
    var rate: Int? = nil

    /// The time between two requests of one producer at ``rate``.
    var requestInterval: Duration? {
        rate.map { .nanoseconds(Int64(1e9 * Double(producers * operation.batch) / Double($0))) }
    }

    var description: String {
        let producerText = producers == 1 ? "1 producer" : "\(producers) producers"
        return "\(operation.label), batch \(operation.batch), \(producerText) × \(inflight) in flight "
            + "(\(mode.rawValue))" + (rate.map { ", paced at \($0) msg/s" } ?? "")
            + ", \(fixed(duration.seconds, duration.seconds < 10 ? 1 : 0)) s"
    }
}

/// The group a bench run loads: its members and, where this machine can see them, their processes.
struct BenchTarget {
    var peers: [Peer]
    /// Each member's process id, or why it is unknown.
    var processes: [(peer: Peer, pid: Result<pid_t, ProcError>)]
    /// Where `--limits` writes its scratch files.
    var scratchDirectory: String
    /// The members' RocketMQ broker addresses (`remotingPeers`); empty when unknown.
    var brokers: [Peer] = []
    /// The ACL account the producers sign with (`--access-key`/`--secret-key`), for a group
    /// with `aclEnable=true`.
    var credentials: AccessCredentials? = nil
}

/// `ledger bench`: drives load at a group and reports throughput, latency and each node's CPU
/// and memory (see ``BenchOptions/helpText``).
struct Bench {
    let options: BenchOptions

    /// The settings of a spawned group besides ids, ports and directories: those of `conf/`.
    static let spawnSettings = ["flushDiskType=SYNC_FLUSH", "dataFileSize=64MiB"]

    func run() -> Int32 {
        if options.matrix { return BenchMatrix(options: options).run() }
        if options.spawn { return withSpawnedGroup(remoting: options.remoting) { target in run(on: target) } }
        let scratch = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        guard var target = Bench.externalTarget(options.client.peers, scratchDirectory: scratch) else {
            return ExitCode.usage
        }
        target.credentials = options.client.credentials
        return run(on: target)
    }

    /// The group `source` names, with each member's process found by its listening port.
    /// Prints the configuration problem and returns nil when the peer list cannot be read.
    static func externalTarget(_ source: PeerSource, scratchDirectory: String) -> BenchTarget? {
        let resolved: ResolvedPeers
        do {
            resolved = try source.resolve()
        } catch {
            Console.error("ledger bench: \(error)")
            return nil
        }
        let processes = resolved.peers.map { peer in
            (peer, Result { () throws(ProcError) -> pid_t in try ProcessMetrics.listeningProcess(port: peer.port) })
        }
        return BenchTarget(
            peers: resolved.peers, processes: processes, scratchDirectory: scratchDirectory,
            brokers: resolved.remotingPeers)
    }

    private func run(on target: BenchTarget) -> Int32 {
        var limits: MachineLimits?
        if options.limits {
            do {
                limits = try MachineLimits.measure(in: target.scratchDirectory)
            } catch {
                Console.error("ledger bench: measuring this machine's limits: \(error)")
                return ExitCode.failure
            }
        }
        let load = BenchLoad(
            operation: options.operation(size: options.size, batch: options.batch), producers: options.producers,
            inflight: options.inflight, mode: options.mode, duration: options.duration,
            timeout: options.client.timeout, rate: options.rate)
        if options.remoting { return compareRemoting(load, on: target) }
        var report: BenchReport
        do {
            report = try Bench.measure(load, on: target, pausing: options.pauseFollower)
        } catch {
            Console.error("ledger bench: \(error)")
            return error.exitCode
        }
        report.limits = limits
        Console.out(options.json ? report.json.rendered : report.text)
        return report.messages > 0 ? ExitCode.success : ExitCode.failure
    }

    /// `--remoting`: the load through our own protocol and through the remoting port, in
    /// ``remotingSlices`` alternating slices of `duration / slices` each (own, remoting, own,
    /// remoting, ...), so the machine's drift during the run weighs on both alike; each
    /// protocol's slices are added up into its report. Both reports and the comparison.
    private func compareRemoting(_ load: BenchLoad, on target: BenchTarget) -> Int32 {
        guard !target.brokers.isEmpty else {
            Console.error(
                "ledger bench: --remoting needs the members' remoting addresses (remotingPeers): give -c FILE of a "
                    + "node that serves RocketMQ (listenPort), or --spawn")
            return ExitCode.usage
        }
        var slice = load
        slice.duration = load.duration / Self.remotingSlices
        var own: BenchReport?
        var remoting: BenchReport?
        do {
            let (topic, size, peers, brokers) = (options.topic, options.size, target.peers, target.brokers)
            // Unique keys unique to this run (process and start time), slice and producer.
            let run = "B\(getpid())T\(WallClock.nowMilliseconds())"
            for round in 0..<Self.remotingSlices {
                let ownSlice = try Bench.measure(slice, on: target)
                let remotingSlice = try Bench.measure(slice, on: target) { index in
                    RemotingBenchProducer(
                        topic: topic, size: size, peers: peers, brokers: brokers, inflight: load.inflight,
                        timeout: load.timeout, keyPrefix: "\(run)-\(round)-\(index)")
                }
                own = own?.adding(ownSlice) ?? ownSlice
                remoting = remoting?.adding(remotingSlice) ?? remotingSlice
            }
        } catch {
            Console.error("ledger bench: \(error)")
            return error.exitCode
        }
        guard var own, var remoting else { preconditionFailure("no slice was measured") }
        let alternation = ", in \(Self.remotingSlices) slices alternating with the other protocol"
        own.load = load.description + alternation
        remoting.load = "RocketMQ SEND_MESSAGE_V2 through the remoting port: " + load.description + alternation
        Console.out(own.text + "\n\n" + remoting.text + "\n\n" + Bench.comparison(own: own, remoting: remoting))
        return own.messages > 0 && remoting.messages > 0 ? ExitCode.success : ExitCode.failure
    }

    /// How many slices of each protocol `--remoting` alternates.
    static let remotingSlices = 4

    /// The summary of `--remoting`: each protocol's messages/s and p99, and the share.
    static func comparison(own: BenchReport, remoting: BenchReport) -> String {
        let share = own.messagesPerSecond > 0 ? remoting.messagesPerSecond / own.messagesPerSecond : 0
        return "own protocol:  \(fixed(own.messagesPerSecond, 1)) messages/s, p99 \(fixed(own.latencyMs(99), 3)) ms\n"
            + "remoting 310:  \(fixed(remoting.messagesPerSecond, 1)) messages/s, p99 "
            + "\(fixed(remoting.latencyMs(99), 3)) ms (\(fixed(share * 100, 1)) % of the own protocol's throughput)"
    }

    /// Starts a fresh three-node group in a temporary directory, runs `body` on it, stops it and
    /// removes the directory (kept, and named, when `body` fails). With `remoting`, the nodes
    /// serve RocketMQ too.
    private func withSpawnedGroup(remoting: Bool = false, _ body: (BenchTarget) -> Int32) -> Int32 {
        let directory: String
        let binary: String
        do {
            binary = try currentExecutablePath()
            directory = try makeTemporaryDirectory(prefix: "ledger-bench")
        } catch {
            Console.error("ledger bench: \(error)")
            return ExitCode.failure
        }
        var code: Int32
        do {
            code = try Bench.withSpawnedGroup(binary: binary, directory: directory, remoting: remoting, body)
        } catch {
            Console.error("ledger bench: \(error) (configs, data and logs kept in \(directory))")
            return ExitCode.failure
        }
        if code == ExitCode.success {
            do {
                try removeTree(directory)
            } catch {
                Console.error("ledger bench: cannot remove \(directory): \(error)")
                code = ExitCode.failure
            }
        } else {
            Console.error("ledger bench: configs, data and logs kept in \(directory)")
        }
        return code
    }

    /// Starts a group in `directory`, waits for a leader, runs `body`, SIGKILLs the nodes.
    static func withSpawnedGroup<T>(
        binary: String, directory: String, remoting: Bool = false, _ body: (BenchTarget) -> T
    ) throws(HarnessError) -> T {
        let cluster = try LocalGroup(binary: binary, directory: directory, settings: spawnSettings, remoting: remoting)
        defer { cluster.shutDown() }
        try cluster.startAll()
        let observer = LedgerClient(peers: cluster.peers, options: LedgerClientOptions(timeout: .seconds(10)))
        defer { observer.close() }
        do {
            _ = try observer.findLeader()
        } catch {
            throw HarnessError("the spawned group elected no leader: \(error)")
        }
        let processes = cluster.peers.map { peer in
            (
                peer,
                Result { () throws(ProcError) -> pid_t in
                    guard let pid = cluster.pid(of: peer.id) else { throw ProcError("not running") }
                    return pid
                }
            )
        }
        let brokers = zip(cluster.peers, cluster.brokerPorts).map { peer, port in
            Peer(name: peer.name, id: peer.id, host: peer.host, port: port)
        }
        return body(
            BenchTarget(peers: cluster.peers, processes: processes, scratchDirectory: directory, brokers: brokers))
    }

    /// Why a run could not produce a report: no producer could reach a leader.
    enum RunError: Error, CustomStringConvertible {
        case noLeader(String)

        var description: String {
            switch self {
            case .noLeader(let detail): detail
            }
        }

        /// Exit code 3, as for every client command that finds no leader.
        var exitCode: Int32 { ExitCode.noQuorum }
    }

    /// How long after the SIGCONT of `--pause-follower` the bench waits for the follower to
    /// catch up before it reads the nodes' figures.
    static let catchUpTimeout: Duration = .seconds(120)

    /// Runs `load` against `target`: connects every producer to the leader, reads each node's
    /// CPU time and resets its peak RSS, sends for the load's duration on one thread per
    /// producer (stopping a follower as `pausing` says, and watching the group meanwhile),
    /// waits for the last answers (and for that follower to catch up), and reads the nodes again.
    ///
    /// `producer`, when given, makes producer `index`'s load generator (``RemotingBenchProducer``
    /// for `--remoting`); by default each is a ``BenchProducer`` of our own protocol.
    static func measure(
        _ load: BenchLoad, on target: BenchTarget, pausing: FollowerPause? = nil,
        producer makeProducer: (@Sendable (Int) -> any LoadProducer)? = nil
    ) throws(RunError) -> BenchReport {
        final class Shared: Sendable {
            let connected = Atomic<Int>(0)
            let connectFailure = Mutex<String?>(nil)
            /// Set once every producer is connected: when sending starts and stops.
            let window = Mutex<(start: ContinuousClock.Instant, end: ContinuousClock.Instant)?>(nil)
            let abandon = Atomic<Bool>(false)
            let results = Mutex<[ProducerResult]>([])
        }
        let shared = Shared()
        let group = DispatchGroup()
        let peers = target.peers
        for index in 0..<load.producers {
            group.enter()
            spawnThread(name: "bench producer \(index)") {
                defer { group.leave() }
                let producer =
                    makeProducer?(index)
                    ?? BenchProducer(
                        operation: load.operation, peers: peers, inflight: load.inflight, timeout: load.timeout,
                        interval: load.requestInterval, credentials: target.credentials)
                do throws(LedgerClientError) {
                    try producer.connect(deadline: ContinuousClock().now + .seconds(10))
                } catch {
                    shared.connectFailure.withLock { $0 = $0 ?? error.description }
                    return
                }
                shared.connected.add(1, ordering: .releasing)
                var window = shared.window.withLock { $0 }
                while window == nil {
                    if shared.abandon.load(ordering: .acquiring) { return }
                    pause(.microseconds(200))
                    window = shared.window.withLock { $0 }
                }
                let result = producer.run(sendUntil: window!.end)
                shared.results.withLock { $0.append(result) }
            }
        }
        while shared.connected.load(ordering: .acquiring) < load.producers {
            if let failure = shared.connectFailure.withLock({ $0 }) {
                shared.abandon.store(true, ordering: .releasing)
                group.wait()
                throw .noLeader("cannot connect a producer to the leader: \(failure)")
            }
            pause(.milliseconds(1))
        }

        var baselines: [(cpu: Result<Double, ProcError>, written: Result<UInt64, ProcError>, resetNote: String?)] = []
        for (_, pid) in target.processes {
            guard case .success(let pid) = pid else {
                baselines.append((.failure(ProcError("unknown")), .failure(ProcError("unknown")), nil))
                continue
            }
            var note: String?
            do {
                try ProcessMetrics.resetPeakRSS(pid)
            } catch {
                note = "peak RSS since the node started (\(error))"
            }
            baselines.append(
                (
                    Result { () throws(ProcError) in try ProcFS.cpuSeconds(pid) },
                    Result { () throws(ProcError) in try ProcFS.storageWriteBytes(pid) }, note
                ))
        }
        let clientBefore = Result { () throws(ProcError) in try ProcFS.cpuSeconds(getpid()) }
        let start = ContinuousClock().now
        let watch = pausing.map { plan in
            FollowerPauseWatch(
                plan: plan, peers: target.peers,
                pids: Dictionary(
                    target.processes.compactMap { peer, pid in
                        guard case .success(let pid) = pid else { return nil }
                        return (peer.id, pid)
                    }, uniquingKeysWith: { first, _ in first }), start: start)
        }
        shared.window.withLock { $0 = (start, start + load.duration) }
        group.wait()
        let finished = ContinuousClock().now
        let lag = watch?.finish(catchUpTimeout: catchUpTimeout)

        var nodes: [NodeUsage] = []
        for ((peer, pid), baseline) in zip(target.processes, baselines) {
            var node = usage(of: peer.name, pid: pid, cpuBefore: baseline.cpu, note: baseline.resetNote)
            if case .success(let pid) = pid {
                // A figure that cannot be read stays unknown, and the node's line says why.
                do throws(ProcError) {
                    let before = try baseline.written.get()
                    let after = try ProcFS.storageWriteBytes(pid)
                    if after >= before { node.diskWriteBytes = after - before }
                } catch {
                    node.note = [node.note, "disk writes unknown: \(error)"].compactMap { $0 }.joined(separator: "; ")
                }
            }
            nodes.append(node)
        }
        let client = usage(of: "bench client", pid: .success(getpid()), cpuBefore: clientBefore, note: nil)
        let leader = LedgerClient(peers: target.peers, options: LedgerClientOptions(timeout: .seconds(1)))
        defer { leader.close() }
        if let name = leader.statusAll().leader?.peer.name, let index = nodes.firstIndex(where: { $0.id == name }) {
            nodes[index].isLeader = true
        }

        let results = shared.results.withLock { $0 }
        var latency = LatencyHistogram()
        for result in results { latency.merge(result.latency) }
        let lastAcknowledgement = results.compactMap(\.lastAcknowledgement).max() ?? finished
        var report = BenchReport(
            load: load.description, messages: results.reduce(0) { $0 + $1.messages },
            elapsed: max(start.duration(to: lastAcknowledgement), load.duration),
            messageSize: load.operation.messageSize,
            latency: latency, errors: results.reduce(0) { $0 + $1.errors },
            firstError: results.lazy.compactMap(\.firstError).first, nodes: nodes,
            client: client, lag: lag)
        report.storedRecordBytes = load.operation.storedRecordBytes
        return report
    }

    /// What `pid` used since `cpuBefore` was read, or why it is unknown.
    private static func usage(
        of name: String, pid: Result<pid_t, ProcError>, cpuBefore: Result<Double, ProcError>, note: String?
    ) -> NodeUsage {
        var usage = NodeUsage(id: name, cpuSeconds: nil, peakRssBytes: nil, note: note)
        switch pid {
        case .failure(let error):
            usage.note = "process unknown: \(error)"
        case .success(let pid):
            do {
                usage.cpuSeconds = try ProcFS.cpuSeconds(pid) - cpuBefore.get()
                usage.peakRssBytes = try ProcFS.peakResidentBytes(pid)
            } catch {
                usage.note = fileExists("/proc/\(pid)") ? "pid \(pid): \(error)" : "pid \(pid) ended during the run"
            }
        }
        return usage
    }
}
