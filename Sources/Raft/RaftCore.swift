/// The Raft consensus algorithm as a pure state machine (after etcd/raft's `raft` + `RawNode`):
/// no I/O, no clock, no threads. Its owner feeds it ticks, messages and proposals, then takes a
/// ``Ready`` of things to persist, send and apply, and confirms with ``advance(_:)``.
///
/// Single-owner: call it from one thread only. Every decision is deterministic given the
/// configuration's `randomSeed` and the order of inputs.
///
/// Features: election with randomized timeouts, pre-vote, check-quorum and leader leases; a
/// no-op on election and commit only by counting current-term entries; batched, pipelined
/// replication with an inflight window and fast backtracking; leadership transfer; a preferred
/// leader; ReadIndex reads; proposal timeouts; log compaction, with a snapshot offered to a
/// follower that needs entries the log no longer holds (``SnapshotMetadata``).
public final class RaftCore {
    public let id: NodeID
    let config: RaftConfig
    /// Every voter but this node, in id order.
    let peers: [NodeID]
    var log: RaftLog
    var rng: SplitMix64

    public internal(set) var term: Term
    public internal(set) var vote: NodeID?
    public internal(set) var role: Role = .follower
    public internal(set) var leader: NodeID? {
        didSet { counters.observeLeader(leader) }
    }
    /// Elections started and won, leaders seen: for metrics only.
    public internal(set) var counters = RaftCounters()

    /// Ticks since the last election-timer reset (followers/candidates) or check-quorum round (leaders).
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Ticks since this core was created; deadlines for proposals count in it.
    var now = 0

    /// Leader only: one entry per peer.
    var progress: [NodeID: Progress] = [:]
    /// Candidate / pre-candidate only: the answers so far.
    var votes: [NodeID: Bool] = [:]
    /// Leader only: the node leadership is being handed to.
    var transferTarget: NodeID?
    var transferDeadline = 0
    var transferTimeoutNowSent = false

    /// Leader only: accepted proposals not yet committed, in index order.
    var pendingProposals: [PendingProposal] = []
    /// Leader only: payload bytes proposed in this term and not yet handed out for applying
    /// (etcd's uncommitted size; entries of earlier terms never count).
    var uncommittedBytes = 0
    var readOnly = ReadOnlyState()

    // Outputs collected for the next ready.
    var messagesNow: [Message] = []
    var messagesAfterPersist: [Message] = []
    var readStates: [ReadState] = []
    var failedProposals: [FailedProposal] = []
    var failedReads: [FailedRead] = []
    /// Set when appends should go out with the next ready (new entries, a commit to spread).
    var broadcastPending = false
    /// Set when a heartbeat round should confirm pending reads with the next ready.
    var heartbeatPending = false

    var reportedSoftState: SoftState
    var reportedHardState: HardState
    var readyOutstanding = false
    /// Set by ``writesFailed(from:saved:)`` until ``resumeWrites()``: readies hand out no entries
    /// and no hard state.
    public internal(set) var writesHeld = false
    /// A broken safety property this node observed (e.g. told to overwrite a committed entry).
    var safetyViolation: String?

    /// Creates a node from its durable state in `storage`. It starts as a follower.
    public init(config: RaftConfig, storage: any RaftStorage) throws(RaftConfigError) {
        try config.validate()
        id = config.id
        self.config = config
        peers = config.voters.filter { $0 != config.id }.sorted()
        log = RaftLog(storage: storage, applied: config.applied)
        rng = SplitMix64(seed: config.randomSeed ^ (config.id.rawValue &* 0x9E37_79B9_7F4A_7C15))
        let hardState = storage.hardState
        term = hardState.term
        vote = hardState.vote
        reportedSoftState = SoftState(role: .follower, leader: nil)
        reportedHardState = HardState(term: hardState.term, vote: hardState.vote, commit: log.committed)
        resetElectionTimer()
    }

    public var commitIndex: LogIndex { log.committed }
    public var appliedIndex: LogIndex { log.applied }
    public var lastIndex: LogIndex { log.lastIndex }
    /// The first index the log holds; entries before it are compacted into a snapshot.
    public var firstIndex: LogIndex { log.firstIndex }
    public var persistedIndex: LogIndex { log.persistedIndex }
    var quorum: Int { config.voters.count / 2 + 1 }
    var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    var softState: SoftState { SoftState(role: role, leader: leader) }

    /// The term of the entry at `index` in this node's log (durable or not), or nil.
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }

    /// Entries `from...through` of this node's log.
    public func entries(from: LogIndex, through: LogIndex) throws(RaftError) -> [Entry] {
        try log.entries(from: from, through: through, maxBytes: .max)
    }

    // MARK: - Sending

    /// Queues `body` for `to`. Only a leader's replication traffic may leave before this node's
    /// pending state is durable; everything else (votes, answers) waits for the persist.
    func send(_ body: Message.Body, to: NodeID, term messageTerm: Term? = nil) {
        let message = Message(from: id, to: to, term: messageTerm ?? term, body: body)
        let isReplication =
            switch body {
            case .append, .heartbeat, .timeoutNow, .installSnapshot: true
            default: false
            }
        if isReplication && role == .leader {
            messagesNow.append(message)
        } else {
            messagesAfterPersist.append(message)
        }
    }

    // MARK: - Role changes

    func resetElectionTimer() {
        electionElapsed = 0
        randomizedElectionTimeout = rng.int(in: config.electionTimeoutTicks)
    }

    /// Common to every role change: a new term clears the vote.
    func reset(term newTerm: Term) {
        if newTerm != term {
            term = newTerm
            vote = nil
            // Anything queued under an older term is stale now; dropping it is a message loss,
            // which Raft tolerates, and no acknowledgement outlives a truncation it preceded.
            messagesNow.removeAll { $0.term < newTerm }
            messagesAfterPersist.removeAll { $0.term < newTerm }
        }
        leader = nil
        resetElectionTimer()
        heartbeatElapsed = 0
        votes = [:]
        abortTransfer()
        progress = [:]
    }

    /// `lostQuorum`: a leader steps down because check-quorum found no majority.
    func becomeFollower(term newTerm: Term, leader newLeader: NodeID?, lostQuorum: Bool = false) {
        let wasLeader = role == .leader
        reset(term: newTerm)
        role = .follower
        leader = newLeader
        if wasLeader { abandonLeadership(lostQuorum: lostQuorum) }
    }

    func becomePreCandidate() {
        precondition(role != .leader, "a leader cannot become a pre-candidate")
        // The term stays: a pre-vote that fails must not disturb anyone.
        votes = [:]
        leader = nil
        resetElectionTimer()
        role = .preCandidate
    }

    func becomeCandidate() {
        precondition(role != .leader, "a leader cannot become a candidate")
        reset(term: term.next)
        vote = id
        role = .candidate
        counters.electionsStarted += 1
    }

    func becomeLeader() {
        precondition(role == .candidate, "only a candidate becomes leader")
        reset(term: term)
        role = .leader
        leader = id
        counters.electionsWon += 1
        uncommittedBytes = 0
        for peer in peers {
            progress[peer] = Progress(
                next: log.lastIndex.next, maxInflight: config.maxInflightMessages,
                maxInflightBytes: config.maxInflightBytes)
        }
        readOnly = ReadOnlyState()
        appendAsLeader([Entry(index: log.lastIndex.next, term: term, kind: .noop, data: [])])
    }

    /// A leader appends its own entries; replication goes out with the next ready.
    func appendAsLeader(_ entries: [Entry]) {
        log.append(entries)
        broadcastPending = true
        maybeCommit()
    }
}

/// A proposal the leader accepted and is waiting to commit.
struct PendingProposal {
    var proposal: Proposal
    var deadline: Int
}
