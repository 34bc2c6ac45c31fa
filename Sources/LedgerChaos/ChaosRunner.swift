import CommitLog
import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Posix
import Raft
import Synchronization
import Wire

/// `ledger chaos`: a real three-node group under load and faults, then a Jepsen-style check of
/// the whole history.
///
/// Starts `ledger server --fault-injection` three times (this very binary) in a fresh temporary
/// directory; runs the workload's producers and consumers (``ChaosMessageWorkload`` by default,
/// ``ChaosRawWorkload`` with `--workload raw-append`); injects faults from a seeded schedule
/// while a poller records every leader and term any node reports; then heals everything, waits
/// for the group to converge and for every held message (delayed, sent back, half) to have
/// moved on, reads every node's status and committed log on its own, replays each log into a
/// fresh state machine, reads what the leader serves, and hands the history to
/// ``ChaosChecker``. Exit code 0 only when every check passed.
///
/// The seed fixes the fault schedule (kinds, targets, hold times) and the consumers' choices;
/// the interleaving with real processes is not reproducible, so a failing seed replays the same
/// faults, not necessarily the same failure.
struct ChaosRunner {
    let options: ChaosOptions

    /// The workload `kind` names, for a group whose message store uses `configuration`.
    static func workload(_ kind: ChaosWorkloadKind, configuration: CommitLogConfiguration) -> any ChaosWorkload {
        switch kind {
        case .messages: ChaosMessageWorkload(configuration: configuration)
        case .rawAppend: ChaosRawWorkload()
        }
    }

    /// What the runner sets in every node's config: data files small enough to roll during a
    /// run, and held messages that move on within seconds (delay levels of 1-3 s; a half message
    /// checked back after 1 s, every second, discarded after two checks).
    static let settings = [
        "dataFileSize=8MiB", "messageDelayLevel=1s 2s 3s", "transactionTimeOut=1000",
        "transactionCheckInterval=1000", "transactionCheckMax=2",
    ]

    /// The message-store settings the cluster's nodes run with, from their config file; the
    /// size of their log's data files (where entries lie in the log depends on it); and how
    /// long after its last send a held message may wait before it moves on (the longest delay
    /// level, or a half message's time to its discard, whichever is longer).
    static func messageStoreSettings(of cluster: LocalGroup) throws(HarnessError)
        -> (configuration: CommitLogConfiguration, dataFileSize: Int, heldFor: Duration)
    {
        let path = cluster.configPath(cluster.peers[0].id)
        do {
            let node = try NodeConfig.load(path: path)
            let configuration = node.commitLogConfiguration
            try configuration.validate()
            let discard = node.transactionTimeOutMs + node.transactionCheckMax * node.transactionCheckIntervalMs
            let held = max(configuration.delayLevels.max() ?? 0, Int64(discard))
            return (configuration, node.dataFileSize, .milliseconds(held))
        } catch {
            throw HarnessError("cannot take the message-store settings from \(path): \(error)")
        }
    }

    /// Runs, prints the report, returns the exit code (0 passed, 1 a check failed or the run
    /// could not be carried out).
    func run() -> Int32 {
        let seed = options.seed ?? ChaosRunner.clockSeed()
        let binary: String
        let directory: String
        do {
            binary = try currentExecutablePath()
            directory = try makeTemporaryDirectory(prefix: "ledger-chaos")
        } catch {
            Console.error("ledger chaos: \(error)")
            return ExitCode.failure
        }
        Console.out(
            "chaos: seed \(seed), \(options.duration.millisecondsText) ms, faults \(options.faults.map(\.rawValue).joined(separator: ",")), "
                + "\(options.rate) ops/s, 3 nodes in \(directory) (replay: ledger chaos --seed \(seed))")
        let report: ChaosReport
        do {
            report = try execute(seed: seed, binary: binary, directory: directory)
        } catch {
            Console.error("ledger chaos: \(error) (seed \(seed); data directory kept: \(directory))")
            return ExitCode.failure
        }
        Console.out(report.text)
        var code = report.passed ? ExitCode.success : ExitCode.failure
        if let path = options.reportPath {
            do {
                try writeFile(path, Array((report.json.rendered + "\n").utf8))
            } catch {
                Console.error("ledger chaos: cannot write the report to \(path): \(error)")
                code = ExitCode.failure
            }
        }
        if !report.keptData {
            do {
                try removeTree(directory)
            } catch {
                Console.error("ledger chaos: cannot remove \(directory): \(error)")
            }
        }
        return code
    }

    /// A seed from the wall clock, for a run not given one.
    static func clockSeed() -> UInt64 {
        let now = WallClock.now()
        return UInt64(now.seconds) &* 1_000_003 &+ UInt64(now.nanoseconds / 1000)
    }

    private func execute(seed: UInt64, binary: String, directory: String) throws(HarnessError) -> ChaosReport {
        let started = ContinuousClock().now
        let acl = options.aclFile.map { ["aclEnable=true", "aclFile=\($0)"] } ?? []
        // Made first so it is removed last, after the nodes in it are gone.
        let network = try options.netns ? ChaosNetwork(nodes: 3, scratchDirectory: directory) : nil
        defer { network?.tearDown() }
        if let network {
            Console.out(
                "chaos: network namespaces \(network.plan.runPrefix)hub (runner \(network.plan.runnerAddress)) and "
                    + "\(network.plan.runPrefix)n0-n2 (\((0..<3).map(network.plan.address).joined(separator: ", ")))")
            if options.faults.contains(.netem), let problem = network.netemProblem() {
                throw HarnessError("the netem fault cannot run: \(problem)")
            }
        }
        let cluster = try LocalGroup(
            binary: binary, directory: directory, settings: ChaosRunner.settings + acl,
            serverFlags: network == nil ? ["--fault-injection"] : [], placement: network?.placement)
        defer { cluster.shutDown() }
        let disks =
            try options.faults.contains(where: \.needsDisk)
            ? ChaosDisks(
                directory: directory, storeDirectories: cluster.peers.map { cluster.storeDirectory($0.id) },
                slowDisk: options.faults.contains(.slowDisk)) : nil
        // The nodes stop before their disks are unmounted (the newest defer runs first).
        defer {
            cluster.shutDown()
            disks?.tearDown()
        }
        if let disks {
            Console.out(
                "chaos: each node's store on a \(ChaosDiskPlan.imageBytes >> 20) MiB ext4 file system of its own, "
                    + "\(disks.plan.mountPoint(0).dropLast())0-2")
        }
        let (configuration, dataFileSize, heldFor) = try ChaosRunner.messageStoreSettings(of: cluster)
        let workload = ChaosRunner.workload(options.workload, configuration: configuration)
        try cluster.startAll()
        let observer = LedgerClient(
            peers: cluster.peers,
            options: LedgerClientOptions(
                timeout: .seconds(15), nodeTimeout: .milliseconds(500), credentials: options.credentials))
        do {
            _ = try observer.findLeader()
        } catch {
            throw HarnessError("the group elected no leader: \(error)")
        }

        var random = SplitMix64(seed: seed)
        // The fault schedule is drawn first, so it depends on the seed alone, not on the workers.
        let nemesisRandom = random.fork()
        let recorder = ChaosRecorder()
        let poller = ChaosStatusPoller(peers: cluster.peers, recorder: recorder)
        poller.start()
        defer { poller.stop() }

        ChaosWorkers.start(
            workload, peers: cluster.peers, recorder: recorder, rate: options.rate, random: &random,
            credentials: options.credentials)

        let nemesis = ChaosNemesis(
            cluster: cluster, recorder: recorder, kinds: options.faults, random: nemesisRandom,
            credentials: options.credentials, network: network, disks: disks,
            overlap: options.overlap ? ChaosOverlapRule(unsafe: options.unsafe) : nil)
        do {
            try nemesis.run(until: recorder.start + options.duration)
        } catch {
            recorder.stop()
            throw error
        }
        let remaining = ContinuousClock().now.duration(to: recorder.start + options.duration)
        pause(remaining)
        recorder.stop()
        // Workers finish their current attempt (bounded by the attempt timeout) and return.
        while recorder.runningWorkers > 0 { pause(.milliseconds(10)) }
        let workersDone = ContinuousClock().now

        try nemesis.healAll()
        var convergenceProblem = awaitConvergence(observer, timeout: .seconds(60))
        var contents: [ChaosNodeContents] = []
        var served: ChaosNodeContents?
        var readProblem: String?
        var finalReadAt: Int64?
        var notes = nemesis.notes
        // The leader moves held messages on by itself: the logs stop growing only once nothing
        // is held. Wait until the last one sent may have moved on, then read until the first
        // node's state holds nothing back (else a node read later could hold more).
        if workload.holdsMessages { pause(ContinuousClock().now.duration(to: workersDone + heldFor + .seconds(1))) }
        for round in 1...ChaosRunner.finalReadRounds where convergenceProblem == nil {
            if round > 1 { pause(.seconds(2)) }
            convergenceProblem = awaitConvergence(observer, timeout: .seconds(60))
            if convergenceProblem != nil { break }
            finalReadAt = WallClock.nowMilliseconds()
            contents = []
            do throws(HarnessError) {
                for peer in cluster.peers {
                    contents.append(
                        try workload.contents(
                            of: try ChaosFinalState.read(
                                peer, configuration: configuration, dataFileSize: dataFileSize,
                                storeDirectory: cluster.storeDirectory(peer.id), credentials: options.credentials)))
                }
                served = try workload.served(by: observer)
                readProblem = nil
            } catch {
                readProblem = error.description
            }
            guard readProblem == nil else { break }
            // An election between two nodes' reads appends its no-op to the logs read later:
            // nodes read at different applied indexes are read again, after converging again (a
            // node truly behind stays behind and fails identical-logs on the last round).
            let applied = contents.map { "\($0.node) \($0.digest.map { String($0.applied) } ?? "?")" }
            if Set(contents.map(\.digest?.applied)).count > 1 {
                notes.append(
                    "final state read \(round) of \(ChaosRunner.finalReadRounds): the nodes were read at different "
                        + "applied indexes (\(applied.joined(separator: ", ")))")
                continue
            }
            guard let held = contents.first?.stillHeld, held > 0 else { break }
            notes.append(
                "final state read \(round) of \(ChaosRunner.finalReadRounds): \(contents[0].node) still held \(held) "
                    + "message(s) back")
        }
        poller.stop()

        var history = ChaosHistory(
            operations: recorder.recordedOperations, leaders: poller.sightings(), reads: recorder.recordedReads,
            finalContents: contents, convergenceProblem: convergenceProblem ?? readProblem, served: served,
            offsetObservations: recorder.recordedOffsets, faults: nemesis.faults,
            overlapRule: options.overlap ? ChaosOverlapRule(unsafe: options.unsafe) : nil,
            uncleanExits: nemesis.uncleanExits,
            sendBacks: recorder.recordedSendBacks, delayLevels: configuration.delayLevels, finalReadAt: finalReadAt)
        history.fullDisks = poller.fullDisks()
        let verdict = ChaosChecker.check(history)
        return ChaosReport(
            seed: seed, options: options, workload: workload.name, directory: directory,
            keptData: options.keepData || !verdict.passed, history: history, notes: notes, verdict: verdict,
            wallTime: started.duration(to: ContinuousClock().now))
    }

    /// How many times the runner reads every node's final state while the first still holds
    /// messages back, or the nodes were read at different applied indexes.
    static let finalReadRounds = 4

    /// Waits until every node answers, one leads, and all report the leader's last index as
    /// their commit and applied index (their state machine's too); returns what was still wrong
    /// at the timeout, or nil.
    private func awaitConvergence(_ observer: LedgerClient, timeout: Duration) -> String? {
        let deadline = ContinuousClock().now + timeout
        var problem = "no status yet"
        while ContinuousClock().now < deadline {
            let view = observer.statusAll()
            if let leader = view.leader,
                let last = view.nodes.first(where: { $0.peer == leader.peer })?.response?.lastIndex
            {
                let behind = view.nodes.filter { node in
                    guard let status = node.response else { return true }
                    return status.commit != last || status.applied != last || status.lastIndex != last
                        || status.stateApplied != last
                }
                if behind.isEmpty { return nil }
                problem = "leader \(leader.peer.name) at index \(last); \(view.summary)"
            } else {
                problem = view.summary
            }
            pause(.milliseconds(100))
        }
        return "the group did not converge within \(timeout) of the heal: \(problem)"
    }
}
