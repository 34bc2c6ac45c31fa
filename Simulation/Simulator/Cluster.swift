import CommitLog
import LedgerModel
import Raft
import Replica

/// A simulated Raft group: the real `RaftCore` and `CommitLogStateMachine` on every node, a
/// simulated network, disks, producers and consumers, all driven by one event queue in virtual
/// time, on one thread. Every random choice
/// comes from generators derived from the seed, so a seed replays bit for bit.
///
/// Every invariant the ``InvariantChecker`` (Raft) and the ``CommitLogChecker`` (messages) know is
/// checked after every event; the first broken one ends the run with a ``SimulationFailure``.
public final class Cluster {
    /// Milliseconds of virtual time per Raft tick.
    public static let tickMs: UInt64 = 10

    public let options: SimulationOptions
    let ids: [NodeID]
    var nodes: [SimNode]
    var queue = EventQueue<Event>()
    /// The time of the event being handled (or of the last one handled).
    public private(set) var now: VirtualTime = .zero
    /// How many events have been handled.
    public private(set) var eventCount: UInt64 = 0
    /// The hash of every event handled so far.
    public private(set) var traceHash = TraceHash()

    var networkRNG: SplitMix64
    var diskRNG: SplitMix64
    var nemesisRNG: SplitMix64
    var clientRNG: SplitMix64
    var raftRNG: SplitMix64

    /// The network's behaviour now (the liveness phase switches loss and duplication off).
    var network: NetworkProfile
    /// `blocked[from][to]`: messages on that link are dropped.
    var blocked: [[Bool]]
    /// Bumped by every partition change, so a stale heal does not end a later partition.
    var partitionEpoch: UInt64 = 0

    var checker: InvariantChecker
    var commitLogChecker = CommitLogChecker()
    /// Every raw append and what became of it.
    public internal(set) var history = ProposalHistory()
    var clients: [ClientState] = []
    var producers: [ProducerState] = []
    var consumers: [ConsumerState] = []
    var clientsActive = false
    var nextRequest: UInt64 = 0
    /// Requests made through the cluster's controls (``propose(on:)``, ``send(on:)``), by request id.
    var directProposals: [UInt64: DirectProposal] = [:]
    /// The client id of requests made through the cluster's controls.
    static let directClient = ClientID(UInt64.max)
    /// The last message id handed out.
    var lastMessageUID: UInt64 = 0

    /// Whether the nemesis injects faults.
    var nemesisActive = false
    var liveness = LivenessState()
    var recent = RecentEvents(capacity: 30)
    /// Receives a line per event when set (`--verbose`).
    public var eventSink: ((String) -> Void)?
    /// Receives a line per notable change (elections, crashes, partitions) when set.
    public var noteSink: ((String) -> Void)?
    public internal(set) var statistics = Statistics()

    /// Counters of what happened in a run.
    public struct Statistics: Sendable {
        public var messagesSent = 0
        public var messagesDropped = 0
        public var messagesDuplicated = 0
        public var diskWrites = 0
        /// Readies taken while a write was in flight (the disk overlapping the next readies).
        public var readiesDuringWrites = 0
        public var crashes = 0
        public var restarts = 0
        public var pauses = 0
        public var partitions = 0
        public var transfers = 0
        /// Linearizable reads issued (pulls, offset queries, raw reads) and confirmed by a quorum.
        public var reads = 0
        public var readsConfirmed = 0
        /// Client requests refused with "no quorum" (no leader known).
        public var noQuorumRefusals = 0
        /// Sends acknowledged to their producers (a batch counts once), and of those, how many
        /// were answered from the idempotence table (a retry of a send already stored).
        public var sendsAcknowledged = 0
        public var sendsDeduplicated = 0
        /// Send attempts after the first, and sends given up after the last attempt.
        public var sendRetries = 0
        public var sendsAbandoned = 0
        public var pulls = 0
        public var messagesConsumed = 0
        public var offsetCommits = 0
        /// Offset commits the leader refused before proposing (its applied state was behind).
        public var offsetCommitsRefused = 0
        public var offsetQueries = 0
        public var consumerRestarts = 0
        /// Send-backs acknowledged, and those refused (the leader could not read the message yet).
        public var sendBacks = 0
        public var sendBacksRefused = 0
        /// Queue-lock answers orderly consumers got.
        public var queueLocks = 0
        /// Producers' transaction decisions acknowledged (or refused: decided already), and
        /// check backs they answered.
        public var transactionEnds = 0
        public var transactionEndsRefused = 0
        public var transactionChecksAnswered = 0
        /// CommitLog persists (checkpoints) across all nodes.
        public var persists = 0
        /// Leader snapshots followers installed.
        public var snapshotsInstalled = 0
        /// Retention passes that deleted log files, and those forced by a full disk.
        public var logCompactions = 0
        public var forcedCompactions = 0
        /// Disk-fill faults.
        public var diskFills = 0
        /// Disk-fill faults that filled the disk to the last byte: writes failed with `ENOSPC`.
        public var disksFullToTheLastByte = 0
        public var diskFullRefusals = 0
        /// Pre-vote requests sent, by node position.
        public var preVoteRequests: [Int] = []
    }

    /// Builds the nodes (empty disks) and starts them at time zero. Clients and the nemesis
    /// stay off until started.
    public init(options: SimulationOptions) throws(SimulationFailure) {
        self.options = options
        ids = options.nodeIDs
        var seedRNG = SplitMix64(seed: options.seed)
        networkRNG = seedRNG.fork()
        diskRNG = seedRNG.fork()
        nemesisRNG = seedRNG.fork()
        clientRNG = seedRNG.fork()
        raftRNG = seedRNG.fork()
        network = options.network
        blocked = Array(repeating: Array(repeating: false, count: options.nodeIDs.count), count: options.nodeIDs.count)
        // Disk seeds come from their own stream so the other streams keep their draws.
        var diskSeeds = SplitMix64(seed: options.seed ^ 0x5EED_D15C_0000_0000)
        var nodes: [SimNode] = []
        for (index, id) in options.nodeIDs.enumerated() {
            do {
                nodes.append(SimNode(id: id, index: index, disk: try LogStoreDisk(seed: diskSeeds.next())))
            } catch {
                throw SimulationFailure(
                    invariant: "storage", details: "n\(id): \(error)", time: .zero, recentEvents: [])
            }
        }
        self.nodes = nodes
        checker = InvariantChecker(nodes: nodes)
        commitLogChecker.retentionMilliseconds = options.retention?.fileReservedMilliseconds
        commitLogChecker.delayLevels = options.commitLog.delayLevels
        commitLogChecker.transactions = options.transactions
        statistics.preVoteRequests = Array(repeating: 0, count: nodes.count)
        for node in nodes {
            queue.schedule(.tick(node: node.index), at: .milliseconds(networkRNG.below(Self.tickMs)))
        }
        commitLogChecker.wallClock = { [unowned self] in self.wallClock }
        do {
            for node in nodes { try start(node) }
        } catch {
            throw failure(error)
        }
    }

    /// The position of `id` in the node list.
    func index(of id: NodeID) -> Int {
        guard let index = ids.firstIndex(of: id) else { preconditionFailure("node \(id) is not in the cluster") }
        return index
    }

    // MARK: - Running

    /// Handles the next event. Returns false when the queue is empty.
    @discardableResult
    public func step() throws(SimulationFailure) -> Bool {
        guard let (time, sequence, event) = queue.pop() else { return false }
        if let node = event.node.map({ nodes[$0] }), let free = busyUntil(node, at: time) {
            // The node's loop is still busy: it takes the event up when done, in arrival order —
            // except a tick, which (like a timer after an epoll batch) fires only after whatever
            // arrived meanwhile, so a loop swamped with work is late with its heartbeats.
            if case .tick = event {
                queue.schedule(event, at: free)
            } else {
                queue.schedule(event, at: free, sequence: sequence)
            }
            return true
        }
        now = time
        eventCount += 1
        traceHash.mix(time.milliseconds)
        event.fold(into: &traceHash)
        recent.record(event, at: time)
        if let eventSink { eventSink("\(time) \(event.describe(ids))") }
        do {
            try handle(event)
        } catch {
            throw failure(error)
        }
        return true
    }

    /// Handles every event up to and including `deadline`; then the clock reads `deadline`.
    public func run(until deadline: VirtualTime) throws(SimulationFailure) {
        while let next = queue.nextTime, next <= deadline { try step() }
        now = max(now, deadline)
    }

    /// Runs for `duration` of virtual time.
    public func run(for duration: VirtualTime) throws(SimulationFailure) { try run(until: now + duration) }

    /// Runs until `condition` holds (checked after every event) or `deadline` passes.
    /// Returns whether the condition held.
    public func run(
        until deadline: VirtualTime, stopWhen condition: (Cluster) throws(SimulationFailure) -> Bool
    ) throws(SimulationFailure) -> Bool {
        if try condition(self) { return true }
        while let next = queue.nextTime, next <= deadline {
            try step()
            if try condition(self) { return true }
        }
        now = max(now, deadline)
        return false
    }

    func schedule(_ event: Event, after delay: UInt64) {
        queue.schedule(event, at: now + .milliseconds(delay))
    }

    func note(_ line: String) {
        recent.note(line, at: now)
        if let noteSink { noteSink("\(now) \(line)") }
    }

    func failure(_ violation: Violation) -> SimulationFailure {
        SimulationFailure(
            invariant: violation.invariant, details: violation.details, time: now, recentEvents: recent.lines(ids))
    }

    // MARK: - Dispatch

    private func handle(_ event: Event) throws(Violation) {
        switch event {
        case .tick(let index):
            schedule(.tick(node: index), after: Self.tickMs)
            let node = nodes[index]
            try drive(node) { (replica) throws(Violation) in
                try replica.handleObserved(.tick, now: wallClock)
                measureDisks(of: node, replica)
            }
        case .deliver(let message, let to):
            try deliver(message, to: nodes[to])
        case .deliverSnapshot(let chunk, let to):
            try deliver(chunk, to: nodes[to])
        case .syncDone(let index, let incarnation):
            let node = nodes[index]
            guard node.incarnation == incarnation, node.isUp else { return }
            if node.paused { return node.deferred.append(event) }
            try completeSync(node)
        case .persistDone(let index, let incarnation):
            let node = nodes[index]
            guard node.incarnation == incarnation, node.isUp else { return }
            if node.paused { return node.deferred.append(event) }
            try completePersist(node)
        case .restart(let index, let incarnation):
            let node = nodes[index]
            guard !node.isUp, node.incarnation == incarnation else { return }
            try restart(node)
        case .resume(let index, let pause):
            let node = nodes[index]
            guard node.paused, node.pauseEpoch == pause else { return }
            try resume(node)
        case .healPartition(let epoch):
            if epoch == partitionEpoch { healPartitions() }
        case .nemesis:
            try nemesisStep()
        case .clientIssue(let client):
            clientIssue(client)
        case .clientArrive(let client, let index, let request):
            let node = nodes[index]
            if node.isUp && node.paused { return node.deferred.append(event) }
            try clientArrive(client, at: node, request: request)
        case .clientTimeout(let client, let request):
            clientTimeout(client, request: request)
        case .heal:
            try healEverything()
        case .stopClients:
            clientsStopped()
        case .probe:
            try probeLiveness()
        }
    }
}
