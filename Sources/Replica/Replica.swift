import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft

/// One node of a SwiftLedger group without its I/O: the Raft core, the log store, the message
/// state machine, and everything the node decides around them — the ready pipeline (write,
/// sync, send, apply, answer), group commit, pending client requests, parked reads and long
/// polls, persist bookkeeping, and the commands built from client requests.
///
/// Its owner — the server's event loop, or the simulator — turns the world into
/// ``ReplicaEvent``s and performs the ``ReplicaAction``s the replica hands its ``ReplicaHost``.
/// The replica reads no clock (every call carries `now`), starts no thread, opens no socket;
/// it touches storage only through the file system its store and state machine were opened
/// on, and leaves every blocking sync to its owner — except the rare ones that reshape the log:
/// a retention pass that deletes data files (a checkpoint and directory syncs, once per file
/// deleted) and a snapshot install (once per follower that fell behind the leader's first index).
///
/// Ordering contract (what the simulator checks on every seed):
/// - an append acknowledgement or a granted vote leaves only after the sync that covers it;
/// - a client write is answered only once its entry is committed and applied;
/// - a read is answered only after a quorum confirmed the leadership at a ReadIndex and the
///   state machine applied that index.
///
/// Single-owner: call it from one thread only.
public final class Replica {
    public let configuration: ReplicaConfiguration
    package let core: RaftCore
    package let store: LogStore
    package let stateMachine: CommitLogStateMachine
    unowned let host: any ReplicaHost
    package var observer: (any ReplicaObserver)?
    /// The owner's clock at the current event, in milliseconds since the epoch.
    var now: Int64
    let startedAt: Int64
    var writes = PendingWrites()
    var reads = PendingReads()
    var groupCommit = GroupCommit()
    var persistence = PersistenceStats()
    var lastSoftState = SoftState(role: .follower, leader: nil)
    var followerWatch = FollowerWatch()
    /// What the unapplied sends in this leader's log will do; nil when it must be worked out
    /// again from those entries (a new role, a rejected send).
    var proposalTail: ProposalTail?
    /// Where the core's last entry ends in the log, as this leader last worked it out.
    var predictedEnd: PredictedLogEnd?
    var lastPersistCheck: Int64
    var lastFlush: Int64
    var lastRetentionCheck: Int64
    var lastHeldMessagesScan: Int64 = 0
    /// Half messages whose check back this leader proposed, with the entry's index.
    var checksInFlight: [PhysicalOffset: LogIndex] = [:]
    /// Orderly consumers' queue locks while this node leads in ``queueLocksTerm``.
    package var queueLocks: QueueLocks
    var queueLocksTerm: Term?
    /// The data file (its start position) holding the last applied entry's record, to take a
    /// snapshot when the applied log crosses into the next file.
    var lastAppliedFile: UInt64?
    /// A leader's snapshot arriving in pieces, and once whole, the offer to step.
    var incomingSnapshot: IncomingSnapshot?
    /// Each follower's last receipt for a snapshot this node sent it: where a repeated offer of
    /// the same snapshot resumes.
    var snapshotReceipts: [NodeID: SnapshotChunk] = [:]
    /// Set while retention passes fail for a full disk (logged once until one succeeds).
    var retentionOutOfSpace = false
    /// Set while the store's disk refuses the log's writes; cleared when a retry writes them.
    var refusedLogWrites: RefusedLogWrites?
    /// What retention and snapshots did since the replica started.
    public internal(set) var retentionCounters = RetentionCounters()
    /// Messages received, by topic: those this replica's state machine stored as it applied
    /// committed entries (an idempotent retry not again), the same on every replica.
    public internal(set) var messagesReceived = TopicCounters()
    /// Delayed, retried, dead-lettered and transactional messages, as they applied.
    public internal(set) var heldCounters = HeldMessageCounters()
    /// Set once the replica stopped; it ignores every later event.
    package private(set) var failure: ReplicaFailure?

    /// A replica over `store` (recovered) and `stateMachine` (reopened from its files): the core
    /// resumes from the store's hard state and hands out again every committed entry after the
    /// state machine's applied index.
    public init(
        configuration: ReplicaConfiguration, store: LogStore, stateMachine: CommitLogStateMachine,
        host: any ReplicaHost, now: Int64
    ) throws(RaftConfigError) {
        self.configuration = configuration
        self.store = store
        self.stateMachine = stateMachine
        self.host = host
        var raft = configuration.raft
        // The state machine skips what it already holds (after an ASYNC_FLUSH crash the log may
        // end before it).
        raft.applied = stateMachine.appliedIndex
        core = try RaftCore(config: raft, storage: store)
        queueLocks = QueueLocks(expiryMilliseconds: configuration.queueLockExpiryMilliseconds)
        self.now = now
        startedAt = now
        lastPersistCheck = now
        lastFlush = now
        lastRetentionCheck = now
        persistence.persistedIndex = stateMachine.appliedIndex
        lastAppliedFile = appliedFile()
    }

    /// The node's current term, for log lines.
    public var term: Term { core.term }

    /// Whether this node leads (as of its last event).
    public var isLeader: Bool { core.role == .leader }

    /// Takes in one event. Actions that need no ready (replies from the applied state, refusals)
    /// are performed at once; the ready pipeline waits for ``settle(now:)``, so a batch of
    /// events shares one ready (one write, one sync).
    public func handle(_ event: ReplicaEvent, now: Int64) {
        checked { () throws(Violation) in try handleObserved(event, now: now) }
    }

    /// Runs the ready pipeline until the core has nothing more to hand out (or must wait for a
    /// sync): call after each batch of events — the server once per loop turn, the simulator
    /// after every event.
    public func settle(now: Int64) {
        checked { () throws(Violation) in try settleObserved(now: now) }
    }

    /// ``handle(_:now:)`` for a replica with an observer whose checks may fail.
    package func handleObserved(_ event: ReplicaEvent, now: Int64) throws(Violation) {
        guard failure == nil else { return }
        self.now = now
        switch event {
        case .tick: try tick()
        case .peerMessage(let message): step(message)
        case .snapshotChunk(let chunk): try received(chunk)
        case .peerUnreachable(let peer): core.reportUnreachable(peer)
        case .request(let request, let client, let requestID): try accept(request, from: client, requestID: requestID)
        case .syncCompleted(let outcome): try syncFinished(outcome)
        case .persistCompleted(let outcome): persistFinished(outcome)
        case .clientGone(let client): forget(client)
        }
    }

    /// ``settle(now:)`` for a replica with an observer whose checks may fail.
    package func settleObserved(now: Int64) throws(Violation) {
        guard failure == nil else { return }
        self.now = now
        try processReadies()
    }

    /// Makes this node campaign at once (tests and scripted scenarios).
    package func campaign(now: Int64) throws(Violation) {
        self.now = now
        do { try core.campaign() } catch { stop(.raft(error)) }
        try processReadies()
    }

    private func checked(_ body: () throws(Violation) -> Void) {
        do {
            try body()
        } catch {
            preconditionFailure("a replica without a failing observer reported \(error.invariant): \(error.details)")
        }
    }

    // MARK: - Events

    private func tick() throws(Violation) {
        do { try core.tick() } catch { return stop(.raft(error)) }
        try expireLongPolls()
        retryRefusedLogWrites()
        if core.role == .leader {
            let changes = followerWatch.update(
                core.status.followers, lastIndex: core.lastIndex, term: core.term, now: now)
            for (follower, line) in changes { log(.info, "follower \(name(follower)) \(line)") }
        }
        if now - lastPersistCheck >= configuration.persistIntervalMilliseconds {
            lastPersistCheck = now
            beginPersist()
        }
        if !configuration.syncBeforeAcknowledging && now - lastFlush >= configuration.flushIntervalMilliseconds {
            lastFlush = now
            try startSync(evenIfNoneWaits: true)
        }
        if now - lastRetentionCheck >= Self.retentionCheckMilliseconds {
            lastRetentionCheck = now
            try applyRetention()
        }
        if now - lastHeldMessagesScan >= Self.heldMessagesScanMilliseconds {
            lastHeldMessagesScan = now
            try moveHeldMessages()
        }
    }

    func step(_ message: Message) {
        if case .installSnapshot(let snapshot) = message.body, incomingSnapshot?.offer != message {
            // Stepping an offer whose bytes this node does not hold would reset its log to a state
            // it never received: the offer counts once its chunks have all arrived.
            log(.warning, "ignored node \(name(message.from))'s offer of \(snapshot) without its bytes")
            return
        }
        do {
            try core.step(message)
        } catch {
            if case .storageFailed = error { return stop(.raft(error)) }
            log(.warning, "ignored a message from node \(message.from): \(error)")
        }
    }

    /// Stops the replica for good: every later event is ignored.
    func stop(_ failure: ReplicaFailure) {
        guard self.failure == nil else { return }
        self.failure = failure
        host.perform(.stop(failure))
    }

    func log(_ level: ReplicaLogLevel, _ line: String) { host.perform(.log(level, line)) }

    func reply(_ reply: ClientReply, to client: ClientID, requestID: UInt64) {
        host.perform(.reply(reply, to: client, requestID: requestID))
    }

    /// Sends `messages` through the host, each checked by the observer as it leaves.
    func send(_ messages: [Message]) throws(Violation) {
        for message in messages {
            try observer?.willSend(message, by: core)
            if case .installSnapshot(let snapshot) = message.body {
                sendSnapshot(snapshot, to: message.to, term: message.term)
            } else {
                host.perform(.send(message))
            }
        }
    }

    /// The name of `id` in log lines.
    func name(_ id: NodeID?) -> String {
        guard let id else { return "none" }
        return configuration.member(id)?.name ?? "\(id)"
    }

    /// The applied index the state machine's files hold durably (its last finished persist).
    package var persistedIndex: LogIndex { persistence.persistedIndex }

    /// How full the store's file system is (hundredths of a percent), as the host last measured
    /// it (``status``, and writes are refused at ``ReplicaConfiguration/diskSpaceWarningLevelRatio``),
    /// or 100 % while the disk refuses the log's writes. Nil until measured.
    package var diskUsedBasisPoints: UInt16? { refusedLogWrites == nil ? measuredDiskBasisPoints : 10_000 }
    /// ``diskUsedBasisPoints`` as the host last measured it.
    private var measuredDiskBasisPoints: UInt16?
    /// How full the other members' disks are, as they last reported (members that did not
    /// report lately are left out).
    package private(set) var peerDiskUsage: [(name: String, basisPoints: UInt16)] = []
    /// Why writes were refused at the last disk measurement, for logging changes only.
    var diskRefusal: String?

    /// The host measured the disks: this node's (nil when it could not) and the other members'
    /// as they last reported. Logs when writes start or stop being refused for a full disk.
    package func diskUsageMeasured(own: UInt16?, peers: [(name: String, basisPoints: UInt16)]) {
        measuredDiskBasisPoints = own
        peerDiskUsage = peers
        let refusal = diskFullRefusal()?.message
        if let refusal, diskRefusal == nil {
            log(.warning, "refusing writes: \(refusal)")
        } else if refusal == nil, diskRefusal != nil {
            log(.info, "accepting writes again: this node's disk and a majority's are below diskSpaceWarningLevelRatio")
        }
        diskRefusal = refusal
        handOffLeadershipIfUnwritable()
        stepSnapshotOfferIfIdle()
    }

    /// Whether this node's own disk takes writes: below `diskSpaceWarningLevelRatio`, and the
    /// log's writes not refused.
    var isWritable: Bool { (diskUsedBasisPoints ?? 0) < warningBasisPoints }

    /// What `ledger status` shows of this node.
    package var status: StatusResponse {
        let raft = core.status
        let me = configuration.me
        return StatusResponse(
            group: configuration.group, nodeID: me.id, nodeName: me.name, role: raft.role, term: raft.term,
            leader: raft.leader, leaderAddress: configuration.member(raft.leader)?.address,
            lastIndex: raft.lastIndex, commit: raft.commitIndex, applied: raft.appliedIndex,
            uptimeMs: UInt64(max(0, now - startedAt)), stateApplied: stateMachine.appliedIndex,
            stateDigest: stateMachine.digest, firstIndex: raft.firstIndex, diskUsedBasisPoints: diskUsedBasisPoints,
            writable: diskUsedBasisPoints.map { _ in isWritable })
    }
}
