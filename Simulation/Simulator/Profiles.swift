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

/// The clients' behaviour.
public struct WorkloadProfile: Sendable, Hashable {
    public var clients: Int = 2
    /// Pause between one request's outcome and the next request.
    public var thinkMs: ClosedRange<UInt64> = 0...20
    /// A client gives up on a request after this long; the outcome is then indeterminate.
    public var timeoutMs: UInt64 = 3000
    /// Share of requests that are linearizable reads (ReadIndex) instead of writes.
    public var readPerMille: UInt64 = 0
    /// Payloads carry 8 id bytes plus up to this many filler bytes.
    public var maxFillerBytes: Int = 16

    public init() {}
}

/// The Raft settings the simulated nodes run with (election timeout 10...20 ticks of 10 ms).
public struct RaftTuning: Sendable, Hashable {
    public var electionTimeoutTicks: ClosedRange<Int> = 10...20
    public var heartbeatIntervalTicks: Int = 1
    public var maxEntriesPerMessage: Int = 1024
    public var maxInflightMessages: Int = 256
    public var proposalTimeoutTicks: Int = 60
    /// Index into the node list of the preferred leader, if any.
    public var preferredLeader: Int? = nil

    public init() {}
}
