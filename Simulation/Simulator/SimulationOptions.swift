import CommitLog
import LedgerModel
import Raft
import Replica

/// Everything that shapes one run. ``swarm(seed:seconds:)`` derives all of it from the seed, so
/// each seed tests a different fault profile ("swarm testing") and replays exactly.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    public var nodeIDs: [NodeID]
    /// Length of the safety phase: faults and traffic.
    public var safetyDuration: VirtualTime
    /// After the heal, a leader that every node follows must appear within this many of the
    /// longest election timeouts.
    public var leaderBoundElectionTimeouts: UInt64 = 10
    /// Clients keep writing for this long after the heal, then stop.
    public var livenessTrafficDuration: VirtualTime = .seconds(1)
    /// After the clients stop, every log must converge within this long.
    public var convergenceBound: VirtualTime = .seconds(10)
    public var network: NetworkProfile = .reliable
    public var disk = DiskProfile()
    public var nemesis: NemesisProfile = .none
    public var workload = WorkloadProfile()
    public var raft = RaftTuning()
    /// The nodes' CommitLog settings: small files, so runs roll consume-queue and key-index
    /// files (and retention deletes them). (Not tiny: every file slows the simulated file system's
    /// directory syncs, the Raft log's included.)
    public var commitLog = CommitLogConfiguration(
        commitLogFileSize: 32 << 10, consumeQueueFileEntries: 128, defaultTopicQueueNums: 4, maxProducers: 64,
        keyIndexSegmentEntries: 64, delayLevels: [50, 200, 600, 1500])
    /// A node persists its CommitLog once it has applied this many entries since the last
    /// persist; a crash loses the rest, which the node replays from its Raft log.
    public var persistEveryEntries: UInt64 = 16
    /// How the leaders check back undecided half messages (short, so runs see it).
    public var transactions: TransactionPolicy = {
        var policy = TransactionPolicy()
        policy.timeoutMilliseconds = 300
        policy.checkIntervalMilliseconds = 400
        policy.checkMax = 3
        return policy
    }()
    /// How long a queue lock lasts after its holder last locked it (short, so runs see holders
    /// that crashed lose their queues to others).
    public var queueLockExpiryMilliseconds: Int64 = 1000
    /// Retention in virtual time (nil: nodes delete nothing): data files older than its
    /// `fileReservedTime` go at every pass, so followers that fall behind get snapshots.
    public var retention: RetentionPolicy?
    /// Disks that fill up and free again (nil: every disk stays at 30 %): each nemesis step a
    /// node's disk fills with this chance, to a level in `levels` (basis points), for a time
    /// in `forMs`.
    public var diskFills: DiskFillProfile?
    /// What handling events costs the nodes in virtual time; nil: nothing.
    public var processing: ProcessingCost?
    /// Rules the core breaks on purpose, to show the checkers catch it.
    package var brokenRules: BrokenRules = []
    /// Ways the simulated nodes misuse their state machines on purpose, to show the CommitLog
    /// checks catch it.
    package var brokenStateMachine: BrokenStateMachine = []

    public init(seed: UInt64, nodeIDs: [NodeID], safetyDuration: VirtualTime = .seconds(10)) {
        precondition(!nodeIDs.isEmpty && nodeIDs == nodeIDs.sorted() && Set(nodeIDs).count == nodeIDs.count)
        self.seed = seed
        self.nodeIDs = nodeIDs
        self.safetyDuration = safetyDuration
    }

    /// A fault profile drawn from `seed`: cluster size, delays, loss, duplication, crash, pause,
    /// partition and transfer rates, disk latency, client count and Raft tuning.
    public static func swarm(seed: UInt64, seconds: UInt64 = 10) -> SimulationOptions {
        var rng = SplitMix64(seed: seed ^ 0x5357_4152_4d00_0000)
        let size = rng.chance(3, in: 10) ? 5 : 3
        var options = SimulationOptions(
            seed: seed, nodeIDs: (1...UInt64(size)).map { NodeID($0) }, safetyDuration: .seconds(seconds))

        var network = NetworkProfile()
        network.minDelayMs = rng.below(5) + 1
        network.delaySpreadMs = [2, 10, 30, 60][Int(rng.below(4))]
        if rng.chance(1, in: 2) {
            network.tailPerMille = rng.below(100) + 1
            network.tailSpreadMs = rng.below(400) + 50
        }
        network.lossPerMille = rng.chance(1, in: 4) ? 0 : rng.below(200)
        network.duplicatePerMille = rng.chance(1, in: 3) ? 0 : rng.below(150)
        options.network = network

        options.disk.minLatencyMs = rng.below(3)
        options.disk.latencySpreadMs = [1, 5, 20, 60][Int(rng.below(4))]

        var nemesis = NemesisProfile()
        switch rng.below(10) {
        case 0...1: nemesis.crashPerMille = 0
        case 2...6: nemesis.crashPerMille = rng.below(40) + 1
        default:
            // Crash-heavy: many crashes with quick restarts, so writes are often in flight.
            nemesis.crashPerMille = rng.below(200) + 40
            nemesis.restartAfterMs = 20...rng.below(1000) + 100
        }
        nemesis.maxDown = rng.chance(1, in: 3) ? size : (size - 1) / 2 + Int(rng.below(2))
        nemesis.pausePerMille = rng.chance(1, in: 3) ? 0 : rng.below(30) + 1
        nemesis.partitionPerMille = rng.chance(1, in: 4) ? 0 : rng.below(50) + 1
        nemesis.oneWayPerMille = rng.below(600)
        nemesis.transferPerMille = rng.chance(1, in: 2) ? 0 : rng.below(30) + 1
        nemesis.targetLeaderPerMille = rng.below(1000)
        options.nemesis = nemesis

        var workload = WorkloadProfile()
        workload.rawClients = rng.chance(1, in: 3) ? 1 : 0
        workload.producers = rng.int(in: 1...3)
        workload.consumerGroups = rng.int(in: 1...2)
        workload.consumersPerGroup = rng.int(in: 1...2)
        workload.topics = rng.int(in: 1...2)
        workload.thinkMs = 0...rng.below(50)
        workload.timeoutMs = rng.below(3000) + 1000
        workload.sendAttempts = rng.int(in: 1...4)
        workload.readPerMille = rng.chance(1, in: 2) ? 0 : rng.below(300)
        workload.maxFillerBytes = rng.int(in: 0...64)
        workload.batchPerMille = rng.below(400)
        workload.maxBatch = rng.int(in: 2...6)
        workload.shardingKeyPerMille = rng.below(600)
        workload.explicitQueuePerMille = rng.below(400)
        workload.commitPerMille = rng.below(500) + 50
        workload.tagFilterPerMille = rng.below(1000)
        workload.consumerRestartPerMille = rng.chance(1, in: 3) ? 0 : rng.below(60)
        workload.maxPull = [1, 4, 32][Int(rng.below(3))]
        options.workload = workload
        options.commitLog.defaultTopicQueueNums = Int32(rng.int(in: 1...4))
        options.persistEveryEntries = [2, 8, 32, 256][Int(rng.below(4))]

        var raft = RaftTuning()
        raft.heartbeatIntervalTicks = rng.chance(3, in: 4) ? 1 : rng.int(in: 2...4)
        raft.maxEntriesPerMessage = [1, 3, 64, 1024][Int(rng.below(4))]
        raft.maxInflightMessages = [1, 2, 16, 256][Int(rng.below(4))]
        raft.proposalTimeoutTicks = rng.int(in: 20...200)
        raft.preferredLeader = rng.chance(1, in: 5) ? Int(rng.below(UInt64(size))) : nil
        options.raft = raft

        // Held messages (delays, send-backs): a generator of their own too.
        var heldRNG = SplitMix64(seed: seed ^ 0x4845_4C44_0000_0000)
        if heldRNG.chance(1, in: 2) {
            options.workload.delayPerMille = heldRNG.below(400) + 1
            options.workload.sendBackPerMille = heldRNG.chance(1, in: 3) ? 0 : heldRNG.below(300) + 1
            options.workload.halfPerMille = heldRNG.chance(1, in: 3) ? 0 : heldRNG.below(300) + 1
            options.workload.orderlyPerMille = heldRNG.chance(1, in: 2) ? 0 : heldRNG.below(1000) + 1
        }
        // Drawn from a generator of its own, so the profiles above stay what they were.
        var retentionRNG = SplitMix64(seed: seed ^ 0x5245_5445_4E54_0000)
        if retentionRNG.chance(1, in: 2) {
            var retention = RetentionPolicy()
            retention.fileReservedMilliseconds = Int64(retentionRNG.below(3000) + 1)
            // Mostly every hour; else an hour the run never reaches, so only a full disk deletes.
            retention.deleteWhenHours = retentionRNG.chance(2, in: 3) ? Array(0..<24) : [4]
            options.retention = retention
            if retentionRNG.chance(1, in: 2) {
                options.diskFills = DiskFillProfile(
                    perMille: retentionRNG.below(40) + 5, levels: 7600...9900,
                    forMs: 200...retentionRNG.below(3000) + 300)
            }
        }
        return options
    }

    /// The profile in a few lines, printed at the start of a run.
    public var summary: String {
        let n = network
        let f = nemesis
        let w = workload
        let r = raft
        return """
            nodes: \(nodeIDs.map(\.description).joined(separator: ",")) safety: \(safetyDuration)
            network: delay \(n.minDelayMs)+0..\(n.delaySpreadMs)ms tail \(n.tailPerMille)‰ +0..\(n.tailSpreadMs)ms \
            loss \(n.lossPerMille)‰ dup \(n.duplicatePerMille)‰
            disk: latency \(disk.minLatencyMs)+0..\(disk.latencySpreadMs)ms
            nemesis/\(f.stepMs)ms: crash \(f.crashPerMille)‰ (max down \(f.maxDown)) pause \(f.pausePerMille)‰ \
            partition \(f.partitionPerMille)‰ (one-way \(f.oneWayPerMille)‰) transfer \(f.transferPerMille)‰ \
            leader-targeted \(f.targetLeaderPerMille)‰
            workload: \(w.producers) producers, \(w.consumerGroups) groups × \(w.consumersPerGroup) consumers, \
            \(w.topics) topics × \(commitLog.defaultTopicQueueNums) queues, \(w.rawClients) raw clients \
            think \(w.thinkMs.lowerBound)..\(w.thinkMs.upperBound)ms timeout \(w.timeoutMs)ms \
            attempts \(w.sendAttempts) batches \(w.batchPerMille)‰ (≤\(w.maxBatch)) keyed \(w.shardingKeyPerMille)‰ \
            queue \(w.explicitQueuePerMille)‰ tag-filtered groups \(w.tagFilterPerMille)‰ commits \(w.commitPerMille)‰ restarts \(w.consumerRestartPerMille)‰ \
            pull ≤\(w.maxPull) raw reads \(w.readPerMille)‰ filler ≤\(w.maxFillerBytes)B \
            delayed \(w.delayPerMille)‰ send-backs \(w.sendBackPerMille)‰ half messages \(w.halfPerMille)‰ \
            orderly groups \(w.orderlyPerMille)‰
            commitlog: file \(commitLog.commitLogFileSize)B, persist every \(persistEveryEntries) entries
            retention: \(retention.map { "files kept \($0.fileReservedMilliseconds)ms, delete hours \($0.deleteWhenHours.count)" } ?? "off") \
            disk fills: \(diskFills.map { "\($0.perMille)‰ for \($0.forMs.lowerBound)..\($0.forMs.upperBound)ms" } ?? "none")
            raft: election \(r.electionTimeoutTicks.lowerBound)...\(r.electionTimeoutTicks.upperBound) ticks \
            heartbeat \(r.heartbeatIntervalTicks) batch \(r.maxEntriesPerMessage) inflight \(r.maxInflightMessages) \
            proposal timeout \(r.proposalTimeoutTicks) preferred \(r.preferredLeader.map { nodeIDs[$0].description } ?? "none")
            """
    }
}

/// Ways the simulated nodes misuse their state machines on purpose (test-only): each breaks one
/// CommitLog invariant the checkers must catch. Production code is untouched.
package struct BrokenStateMachine: OptionSet, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Every node strips the producer stamps from sends before applying them, so a retried send
    /// is stored again (idempotence lost).
    package static let ignoreProducerStamps = BrokenStateMachine(rawValue: 1 << 0)
    /// The last node applies the first two commands of each batch of committed entries in
    /// swapped order (apply order broken on one replica).
    package static let swapApplies = BrokenStateMachine(rawValue: 1 << 1)
    /// Pulls and offset queries are answered at once from the applied state of whichever node
    /// the consumer reaches, without ReadIndex (stale reads from followers).
    package static let staleReads = BrokenStateMachine(rawValue: 1 << 2)
    /// The replicas send acknowledgements and votes without waiting for the sync that covers
    /// them (the node's orchestration broken, not the core).
    package static let answerBeforeSync = BrokenStateMachine(rawValue: 1 << 3)
    /// The leaders grant every queue lock asked for, held by another client or not.
    package static let sharedQueueLocks = BrokenStateMachine(rawValue: 1 << 4)
}
