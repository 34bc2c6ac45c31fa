import CommitLog
import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Posix
import Raft

/// `ledger soak`: a three-node group with short retention under a steady message load with
/// consumers and a fault every 30–90 s, sampled over time; then the chaos checker over the
/// whole history, cut where retention deleted the logs (``ChaosRetentionCut``). Fails when a
/// node's disk, descriptors or memory keep growing once retention runs (``SoakGrowthRule``),
/// when the group's end state is wrong (``SoakChecks``), or when a chaos check fails.
///
/// One thread drives the faults and the samples in turn: a fault (``ChaosNemesis``) holds,
/// heals and waits for the group to be stable again before the next sample is taken, so a
/// sample never sees a node a fault took down, and a row may come a fault's length late (its
/// TIME says when it was taken).
struct SoakRunner {
    let options: SoakOptions

    /// Runs, prints the table, the faults and the verdict, writes the report when asked;
    /// returns the exit code (0 passed, 1 a check failed or the run could not be carried out).
    func run() -> Int32 {
        let seed = options.seed ?? ChaosRunner.clockSeed()
        let binary: String
        let directory: String
        do {
            binary = try currentExecutablePath()
            directory = try makeTemporaryDirectory(prefix: "ledger-soak")
        } catch {
            Console.error("ledger soak: \(error)")
            return ExitCode.failure
        }
        var report: SoakRunReport
        do {
            report = try execute(seed: seed, binary: binary, directory: directory)
        } catch {
            Console.error("ledger soak: \(error) (seed \(seed); data directory kept: \(directory))")
            return ExitCode.failure
        }
        report.keptData = !report.passed || options.keepData
        var code = report.passed ? ExitCode.success : ExitCode.failure
        if let path = options.reportPath {
            do {
                try writeFile(path, Array((report.json.rendered + "\n").utf8))
            } catch {
                Console.error("ledger soak: cannot write the report to \(path): \(error)")
                code = ExitCode.failure
            }
        }
        if report.keptData {
            Console.out("data directory kept: \(directory)")
        } else {
            do {
                try removeTree(directory)
            } catch {
                Console.error("ledger soak: cannot remove \(directory): \(error)")
            }
        }
        return code
    }

    private func execute(seed: UInt64, binary: String, directory: String) throws(HarnessError) -> SoakRunReport {
        let cluster = try LocalGroup(
            binary: binary, directory: directory, settings: options.settings,
            serverFlags: options.faults.contains(.partition) ? ["--fault-injection"] : [])
        defer { cluster.shutDown() }
        let (configuration, dataFileSize, _) = try ChaosRunner.messageStoreSettings(of: cluster)
        let workload = ChaosMessageWorkload(
            configuration: configuration, heldMessages: false, bodySize: options.messageSize)
        try cluster.startAll()
        let observer = LedgerClient(
            peers: cluster.peers, options: LedgerClientOptions(timeout: .seconds(15), nodeTimeout: .seconds(1)))
        defer { observer.close() }
        do {
            _ = try observer.findLeader()
        } catch {
            throw HarnessError("the group elected no leader: \(error)")
        }
        let faults = options.faults.isEmpty ? "none" : options.faults.map(\.rawValue).joined(separator: ",")
        Console.out(
            "soak: seed \(seed), 3 nodes in \(directory); \(options.rate) messages/s of \(options.messageSize) bytes "
                + "for \(options.duration.flagText); fileReservedTime \(options.reserved.flagText), dataFileSize "
                + "\(options.dataFileSize) bytes, deleteWhen every hour; faults \(faults), a heal to the next "
                + "\(options.faultGaps.lowerBound / 1000)-\(options.faultGaps.upperBound / 1000) s; a sample every "
                + "\(options.sampleInterval.flagText) (replay: ledger soak --seed \(seed))")
        Console.out(SoakTable.header)

        var random = SplitMix64(seed: seed)
        // The fault schedule and the gaps are drawn first, so they depend on the seed alone.
        let nemesisRandom = random.fork()
        var gaps = random.fork()
        // Read before the recorder starts (and rounded down): the retention rule then takes every
        // send for at most as young as it is.
        let runStartedAt = WallClock.nowMilliseconds()
        let recorder = ChaosRecorder()
        let poller = ChaosStatusPoller(peers: cluster.peers, recorder: recorder)
        poller.start()
        defer { poller.stop() }
        ChaosWorkers.start(workload, peers: cluster.peers, recorder: recorder, rate: options.rate, random: &random)
        let nemesis = ChaosNemesis(
            cluster: cluster, recorder: recorder, kinds: options.faults, random: nemesisRandom)
        let watched = try watch(cluster, observer, recorder, nemesis, gaps: &gaps)
        recorder.stop()
        while recorder.runningWorkers > 0 { pause(.milliseconds(10)) }

        try nemesis.healAll()
        var checks = SoakVerdict.growth(
            samples: watched.samples, peers: cluster.peers, firstPass: watched.firstPass, options: options)
        let converged = SoakChecks.converged(cluster, observer, timeout: .seconds(60))
        checks.append(converged)
        checks.append(SoakChecks.belowStart(workload.queues, client: observer))
        let final = readFinalState(cluster, observer, workload, configuration, dataFileSize)
        poller.stop()
        let trimmed = ChaosRetentionCut.trim(
            final.contents, served: final.served, reservedMilliseconds: options.reserved.wholeMilliseconds,
            runStartedAt: runStartedAt, cutAt: WallClock.nowMilliseconds())
        let history = ChaosHistory(
            operations: recorder.recordedOperations, leaders: poller.sightings(), reads: recorder.recordedReads,
            finalContents: trimmed.contents,
            convergenceProblem: converged.passed ? final.problem : converged.detail, served: trimmed.served,
            offsetObservations: recorder.recordedOffsets, faults: nemesis.faults, uncleanExits: nemesis.uncleanExits,
            sendBacks: recorder.recordedSendBacks, delayLevels: configuration.delayLevels,
            finalReadAt: final.readAt, retention: trimmed.cut)
        let verdict = ChaosChecker.check(history)
        var chaosOptions = ChaosOptions()
        chaosOptions.duration = options.duration
        chaosOptions.seed = seed
        chaosOptions.faults = options.faults
        chaosOptions.rate = options.rate
        let chaos = ChaosReport(
            seed: seed, options: chaosOptions, workload: workload.name, directory: directory,
            keptData: false, history: history, notes: nemesis.notes + final.notes, verdict: verdict,
            wallTime: recorder.elapsed)
        let report = SoakRunReport(
            seed: seed, options: options, dataFileSize: dataFileSize, directory: directory, samples: watched.samples,
            firstPass: zip(cluster.peers, watched.firstPass).map { ($0.name, $1) }, finalLogs: final.logs,
            cut: trimmed.cut, soakChecks: checks, chaos: chaos)
        Console.out(report.text(cluster: cluster))
        return report
    }

    /// What the samples and faults produced: the samples, when each node's first retention pass
    /// was seen.
    private struct Watched {
        var samples: [SoakSample] = []
        var firstPass: [Duration?]
    }

    /// Until the duration is over: a fault whenever its gap after the last heal passed (while
    /// more than ``faultMargin`` of the run is left), printed when injected and when healed; each
    /// second, every node's first index (the first retention pass is when it leaves 1); each
    /// sample interval, every node's figures and the load's, printed, after which reads of
    /// positions retention deleted are forgotten.
    private func watch(
        _ cluster: LocalGroup, _ observer: LedgerClient, _ recorder: ChaosRecorder, _ nemesis: ChaosNemesis,
        gaps: inout SplitMix64
    ) throws(HarnessError) -> Watched {
        let monotonic = ContinuousClock()
        let start = recorder.start
        var watched = Watched(firstPass: Array(repeating: nil, count: cluster.peers.count))
        var firstIndexes: [LogIndex?] = Array(repeating: nil, count: cluster.peers.count)
        var nextSample = start + options.sampleInterval
        let end = start + options.duration
        var nextFault: ContinuousClock.Instant? =
            options.faults.isEmpty ? nil : start + .milliseconds(Int64(gaps.int(in: options.faultGaps)))
        var counted = 0
        var lastSampleAt = Duration.zero
        var totalAcknowledged = 0
        while monotonic.now < end {
            if let due = nextFault, monotonic.now >= due {
                let room = monotonic.now.duration(to: end) - SoakRunner.faultMargin
                if room > .zero {
                    let number = nemesis.faults.count + 1
                    nemesis.onInjected = { line in
                        Console.out("\(SoakRunner.timeColumn(recorder.elapsed))fault \(number) injected: \(line)")
                    }
                    if let fault = try nemesis.injectNext(room: room) {
                        let settled =
                            fault.settled
                            ? "stable \(((fault.observedUntil ?? fault.healed) - fault.healed).millisecondsText) ms after the heal"
                            : "not stable within \(ChaosNemesis.settleTimeout) of the heal"
                        Console.out(
                            "\(SoakRunner.timeColumn(fault.healed))fault \(number) healed: \(fault.detail); \(settled)")
                    }
                }
                nextFault = monotonic.now + .milliseconds(Int64(gaps.int(in: options.faultGaps)))
                continue
            }
            let wake = min(nextSample, end, nextFault ?? end)
            pause(min(.seconds(1), monotonic.now.duration(to: wake)))
            let now = monotonic.now
            for node in observer.statusAll().nodes {
                guard let status = node.response,
                    let position = cluster.peers.firstIndex(where: { $0.id == node.peer.id })
                else { continue }
                firstIndexes[position] = status.firstIndex
                if status.firstIndex > LogIndex(1) && watched.firstPass[position] == nil {
                    watched.firstPass[position] = start.duration(to: now)
                }
            }
            guard now >= nextSample else { continue }
            nextSample = nextSample + options.sampleInterval
            let at = start.duration(to: now)
            let ended = recorder.recordedOperations(from: counted)
            counted += ended.count
            let load = SoakInterval(
                ended, length: at - lastSampleAt, totalBefore: totalAcknowledged, faults: nemesis.faults.count)
            totalAcknowledged = load.total
            lastSampleAt = at
            let sample = SoakSample(
                at: at,
                nodes: cluster.peers.enumerated().map { position, peer in
                    guard let pid = cluster.pid(of: peer.id), cluster.isRunning(peer.id) else {
                        return .failure(SoakSampleError("not running"))
                    }
                    return Result { () throws(SoakSampleError) in
                        try SoakNodeSample.measure(
                            pid: pid, storeDirectory: cluster.storeDirectory(peer.id),
                            firstIndex: firstIndexes[position])
                    }
                }, load: load)
            watched.samples.append(sample)
            Console.out(SoakTable.rows(sample, peers: cluster.peers))
            forgetDeletedReads(recorder, observer)
        }
        return watched
    }

    /// How much of the run a fault leaves for the load alone at its end: none is injected later.
    static let faultMargin: Duration = .seconds(3)

    /// The TIME column of a fault line, as wide as the table's.
    static func timeColumn(_ at: Duration) -> String {
        let time = clock(at)
        return time + String(repeating: " ", count: max(1, 8 - time.count))
    }

    /// Forgets the reads of queue offsets below their queue's start as the leader reports it
    /// now: retention deleted them on the leader, so every final log is cut after them and the
    /// checker could not compare them (a long run would otherwise keep every message read).
    private func forgetDeletedReads(_ recorder: ChaosRecorder, _ observer: LedgerClient) {
        let topics: [TopicInfo]
        do {
            topics = try observer.topics()
        } catch {
            return  // Kept for now; the next sample tries again.
        }
        var starts: [String: Int64] = [:]
        for topic in topics {
            for (queueID, range) in topic.queues.enumerated() {
                starts[MessageQueue(topic: topic.name, queueID: Int32(queueID)).description] = range.minOffset.rawValue
            }
        }
        recorder.forgetReads { read in
            guard case .queueOffset(let queue, let offset) = read.item.position, let start = starts[queue] else {
                return false
            }
            return offset < start
        }
    }

    /// What the checker needs of the group after the load: what the leader serves (read first,
    /// so every node's log, read after it, starts no earlier), then every node's status and
    /// committed log on its own, replayed from its snapshot.
    private func readFinalState(
        _ cluster: LocalGroup, _ observer: LedgerClient, _ workload: ChaosMessageWorkload,
        _ configuration: CommitLogConfiguration, _ dataFileSize: Int
    ) -> SoakFinalState {
        var final = SoakFinalState(readAt: WallClock.nowMilliseconds())
        do throws(HarnessError) {
            final.served = try workload.served(by: observer)
            for peer in cluster.peers {
                let node = try ChaosFinalState.read(
                    peer, configuration: configuration, dataFileSize: dataFileSize,
                    storeDirectory: cluster.storeDirectory(peer.id))
                final.logs.append(
                    (peer.name, node.status.firstIndex.rawValue, node.status.commit.rawValue, node.entries.count))
                final.contents.append(try workload.contents(of: node))
            }
        } catch {
            final.problem = error.description
        }
        return final
    }
}

/// What ``SoakRunner`` read of the group after the load.
struct SoakFinalState {
    /// When the reads began, ms since the epoch.
    var readAt: Int64
    var served: ChaosNodeContents?
    var contents: [ChaosNodeContents] = []
    /// Per node: its first index, commit index, and how many entries were read.
    var logs: [(node: String, firstIndex: UInt64, commit: UInt64, entries: Int)] = []
    /// Why not everything could be read, or nil.
    var problem: String?
    var notes: [String] { problem.map { ["final state: \($0)"] } ?? [] }
}

/// `m:ss` (or `h:mm:ss`) of `duration`, as the table's TIME column prints it.
func clock(_ duration: Duration) -> String {
    let seconds = duration.wholeMilliseconds / 1000
    let minutes = seconds / 60
    func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return minutes >= 60
        ? "\(minutes / 60):\(two(minutes % 60)):\(two(seconds % 60))" : "\(minutes):\(two(seconds % 60))"
}
