/// How the simulated network treats messages between nodes. Probabilities are per mille.
public struct NetworkProfile: Sendable, Hashable {
    /// Every message takes at least this long.
    public var minDelayMs: UInt64 = 1
    /// Plus a uniform draw in `0...delaySpreadMs`.
    public var delaySpreadMs: UInt64 = 4
    /// Chance of a long tail delay, drawn in `0...tailSpreadMs`; messages overtake each other.
    public var tailPerMille: UInt64 = 0
    public var tailSpreadMs: UInt64 = 0
    public var lossPerMille: UInt64 = 0
    /// Chance that a message is delivered twice (at two independent delays).
    public var duplicatePerMille: UInt64 = 0

    public init() {}

    /// Short delays, nothing lost, duplicated or badly reordered.
    public static let reliable = NetworkProfile()
}

/// How long a synced disk write takes.
public struct DiskProfile: Sendable, Hashable {
    public var minLatencyMs: UInt64 = 1
    public var latencySpreadMs: UInt64 = 2

    public init() {}
}

/// Which process and network faults the nemesis injects during the safety phase. It acts
/// every `stepMs`; each chance is per mille per step.
public struct NemesisProfile: Sendable, Hashable {
    public var stepMs: UInt64 = 100
    public var crashPerMille: UInt64 = 0
    /// A crashed node restarts after a draw in this range.
    public var restartAfterMs: ClosedRange<UInt64> = 100...2000
    /// At most this many nodes are down at once.
    public var maxDown: Int = 1
    public var pausePerMille: UInt64 = 0
    public var pauseForMs: ClosedRange<UInt64> = 50...1500
    public var partitionPerMille: UInt64 = 0
    public var partitionForMs: ClosedRange<UInt64> = 100...3000
    /// Share of partitions that cut only one direction of each link.
    public var oneWayPerMille: UInt64 = 0
    /// Chance that the current leader is asked to hand over to another node.
    public var transferPerMille: UInt64 = 0
    /// Chance that a crash, pause or single-node partition picks the current leader (when
    /// there is one) instead of a node at random.
    public var targetLeaderPerMille: UInt64 = 0

    public init() {}

    /// No faults at all.
    public static let none = NemesisProfile()
}

/// The clients' behaviour: producers sending messages, consumer groups pulling and committing
/// offsets, and (optionally) raw clients appending opaque entries and reading.
public struct WorkloadProfile: Sendable, Hashable {
    /// Clients that append raw entries (`0x00` + bytes, `ledger append`) and issue reads; they
    /// keep the Raft-level checks that one proposal is applied at most once, at one index.
    public var rawClients: Int = 0
    /// Idempotent producers.
    public var producers: Int = 2
    public var consumerGroups: Int = 1
    /// Members per group; the group's queues are shared out among them.
    public var consumersPerGroup: Int = 1
    /// Topics the producers send to (each auto-created with the CommitLog's default queue count).
    public var topics: Int = 2
    /// Pause between one request's outcome and the next request.
    public var thinkMs: ClosedRange<UInt64> = 0...20
    /// A client gives up waiting on an attempt after this long; the outcome is then unknown.
    public var timeoutMs: UInt64 = 3000
    /// Attempts per send (the first and its retries, all with the same producer stamp).
    public var sendAttempts: Int = 3
    /// Share of raw clients' requests that are linearizable reads (ReadIndex) instead of appends.
    public var readPerMille: UInt64 = 0
    /// Message bodies (and raw payloads) carry their id plus up to this many filler bytes.
    public var maxFillerBytes: Int = 16
    /// Share of sends that are batches of 2 to `maxBatch` messages.
    public var batchPerMille: UInt64 = 200
    public var maxBatch: Int = 4
    /// Share of messages routed by a sharding key, and by an explicit queue id (the rest let the
    /// store pick the queue).
    public var shardingKeyPerMille: UInt64 = 300
    public var explicitQueuePerMille: UInt64 = 200
    /// Chance that a consumer group other than the first subscribes to some tags only
    /// (``WorkloadNames/subscription``) instead of every message.
    public var tagFilterPerMille: UInt64 = 500
    /// Chance that a consumer commits its position instead of pulling (when it has progress to commit).
    public var commitPerMille: UInt64 = 300
    /// Chance that a consumer restarts: forgets its positions and reads its group's committed offsets.
    public var consumerRestartPerMille: UInt64 = 20
    /// A pull asks for 1 to this many messages.
    public var maxPull: Int = 16
    /// Share of single sends that carry a delay level (`DELAY`): held in the schedule topic,
    /// delivered by the leader once due.
    public var delayPerMille: UInt64 = 0
    /// Chance that a consumer sends back a message it pulled (a failed consume), which comes
    /// again in its group's retry topic (the first member pulls it) or goes to the dead letters.
    public var sendBackPerMille: UInt64 = 0
    /// Share of single sends that are a transaction's half message; the producer then commits,
    /// rolls back, or leaves it undecided for the leader to check back.
    public var halfPerMille: UInt64 = 0
    /// Chance that a consumer group is orderly: its members lock their queues on the leader
    /// before pulling them (and lose their locks when they restart, as a crashed holder does).
    public var orderlyPerMille: UInt64 = 0

    public init() {}
}

/// The Raft settings the simulated nodes run with (election timeout 10...20 ticks of 10 ms).
public struct RaftTuning: Sendable, Hashable {
    public var electionTimeoutTicks: ClosedRange<Int> = 10...20
    public var heartbeatIntervalTicks: Int = 1
    public var maxEntriesPerMessage: Int = 1024
    public var maxInflightMessages: Int = 256
    /// Entry bytes in flight to one follower (`RaftConfig.maxInflightBytes`).
    public var maxInflightBytes: Int = 8 << 20
    /// Entry bytes in one append (`RaftConfig.maxBytesPerMessage`).
    public var maxBytesPerMessage: Int = 1 << 20
    public var proposalTimeoutTicks: Int = 60
    /// Index into the node list of the preferred leader, if any.
    public var preferredLeader: Int? = nil

    public init() {}
}

/// What handling an event costs a node's event loop in virtual time. A node busy with one event
/// takes up the next (a message, a tick, a disk completion, a client request) only when done,
/// as a real loop does, so a node that reads megabytes for a lagging follower is late with its
/// heartbeats. Without a cost model (the swarm's default) every event takes no time.
public struct ProcessingCost: Sendable, Hashable {
    /// Per event handled.
    public var microsPerEvent: UInt64 = 20
    /// Per KiB of entries handled: written to the log, read and encoded for a follower, applied.
    public var microsPerKiB: UInt64 = 50

    public init() {}
}

/// Disks that fill up (another process writing, say) and free again: what a node's disk-usage
/// measurement reports, so writes are refused and retention deletes early.
public struct DiskFillProfile: Sendable, Hashable {
    /// Chance per nemesis step that one node's disk fills.
    public var perMille: UInt64
    /// How full it gets, in basis points (7600: 76 %).
    public var levels: ClosedRange<UInt64>
    /// For how long.
    public var forMs: ClosedRange<UInt64>

    public init(perMille: UInt64, levels: ClosedRange<UInt64>, forMs: ClosedRange<UInt64>) {
        self.perMille = perMille
        self.levels = levels
        self.forMs = forMs
    }
}
