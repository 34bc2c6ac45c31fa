// What a chaos run observed, in the shape the checker reads: the client operations and how each
// attempt ended, the leaders seen, what consumers read, and, after the heal, what every node holds.

/// One write of the workload: producer number and that producer's sequence number. Its payload
/// carries both, so the checker can tell which operation any stored entry came from.
struct ChaosOperationID: Sendable, Hashable, Comparable, CustomStringConvertible {
    var producer: Int
    var sequence: Int

    init(producer: Int, sequence: Int) {
        self.producer = producer
        self.sequence = sequence
    }

    static func < (lhs: ChaosOperationID, rhs: ChaosOperationID) -> Bool {
        (lhs.producer, lhs.sequence) < (rhs.producer, rhs.sequence)
    }

    /// `p2#17`.
    var description: String { "p\(producer)#\(sequence)" }

    /// The id a ``description`` names (`p2#17`), or nil.
    init?(parsing text: Substring) {
        guard text.first == "p", let hash = text.firstIndex(of: "#"),
            let producer = Int(text[text.index(after: text.startIndex)..<hash]),
            let sequence = Int(text[text.index(after: hash)...]), producer >= 0, sequence >= 1
        else { return nil }
        self.init(producer: producer, sequence: sequence)
    }
}

/// Where a stored item sits: a raw log index, or a message's queue and queue offset. Positions
/// of one stream (the raw log, or one queue) are ordered.
enum ChaosPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    case index(UInt64)
    /// `queue` names the topic and queue id, e.g. `chaos/2`.
    case queueOffset(queue: String, offset: Int64)

    /// The stream the position belongs to: `log`, or the queue's name.
    var stream: String {
        switch self {
        case .index: "log"
        case .queueOffset(let queue, _): queue
        }
    }

    static func < (lhs: ChaosPosition, rhs: ChaosPosition) -> Bool {
        switch (lhs, rhs) {
        case (.index(let a), .index(let b)): a < b
        case (.index, .queueOffset): true
        case (.queueOffset, .index): false
        case (.queueOffset(let q1, let o1), .queueOffset(let q2, let o2)): (q1, o1) < (q2, o2)
        }
    }

    /// `index 12` or `chaos/2 offset 40`.
    var description: String {
        switch self {
        case .index(let index): "index \(index)"
        case .queueOffset(let queue, let offset): "\(queue) offset \(offset)"
        }
    }
}

/// How one attempt of an operation ended, as the client saw it.
enum ChaosAttemptOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The cluster acknowledged it at `position`; `node` answered.
    case acknowledged(ChaosPosition, node: String)
    /// It certainly did not take effect (refused before anything was proposed).
    case failed(String)
    /// It may or may not have taken effect (timed out, connection lost after sending).
    case indeterminate(String)

    var description: String {
        switch self {
        case .acknowledged(let position, let node): "acknowledged by \(node) at \(position)"
        case .failed(let reason): "failed: \(reason)"
        case .indeterminate(let reason): "indeterminate: \(reason)"
        }
    }
}

/// One logical operation of a producer: every attempt made for it, first to last.
struct ChaosOperation: Sendable, Hashable {
    var id: ChaosOperationID
    /// When the first attempt started and the last ended, from the start of the run.
    var started: Duration
    var ended: Duration
    var attempts: [ChaosAttemptOutcome]
    /// Whether the cluster deduplicates this operation's retries (idempotent producer): then it
    /// may be stored at most once however many attempts were indeterminate.
    var idempotent: Bool
    /// What the store was asked to do with it; `attempts` are the sends (of the half message,
    /// for a transaction).
    var kind: ChaosOperationKind = .send

    /// The final outcome: acknowledged when an attempt was; else indeterminate when any attempt
    /// was; else failed.
    var outcome: ChaosAttemptOutcome {
        if let acknowledged = attempts.first(where: { if case .acknowledged = $0 { true } else { false } }) {
            return acknowledged
        }
        if let unsure = attempts.last(where: { if case .indeterminate = $0 { true } else { false } }) { return unsure }
        return attempts.last ?? .failed("never attempted")
    }

    /// Where it was acknowledged, if it was.
    var acknowledgedPosition: ChaosPosition? {
        if case .acknowledged(let position, _) = outcome { return position }
        return nil
    }

    /// How many attempts ended indeterminate.
    var indeterminateAttempts: Int {
        attempts.count { if case .indeterminate = $0 { true } else { false } }
    }

    /// How many copies the log may hold: one for the acknowledged attempt, plus one per
    /// indeterminate attempt, unless the cluster deduplicates retries (then at most one).
    var allowedCopies: Int {
        let acknowledged = acknowledgedPosition == nil ? 0 : 1
        let possible = acknowledged + indeterminateAttempts
        return idempotent ? min(possible, 1) : possible
    }
}

/// A node that reported itself leader of `term`, first seen at `at` (from the start of the run).
struct ChaosLeaderSighting: Sendable, Hashable {
    var term: UInt64
    var node: String
    var at: Duration
}

/// What a stored item is, as far as the workload can tell.
enum ChaosContent: Sendable, Hashable, CustomStringConvertible {
    /// A payload written by this operation.
    case operation(ChaosOperationID)
    /// An entry the workload does not write but expects (a leader's no-op, an offset commit).
    case bookkeeping(String)
    /// Something the workload never wrote: the description says what.
    case unknown(String)

    var description: String {
        switch self {
        case .operation(let id): "operation \(id)"
        case .bookkeeping(let what): what
        case .unknown(let what): "unknown payload \(what)"
        }
    }
}

/// One committed item (raw entry or message) as some node or read returned it. `fingerprint`
/// covers every byte that must be identical on all replicas (term, kind and data of an entry;
/// the stored record of a message).
struct ChaosItem: Sendable, Hashable {
    var position: ChaosPosition
    var content: ChaosContent
    var fingerprint: [UInt8]
    /// The record's fields the held-message checks read; nil for raw log entries.
    var message: ChaosMessageFacts? = nil
}

/// An item a consumer read during the run, from `node`.
struct ChaosRead: Sendable, Hashable {
    var consumer: String
    var node: String
    var item: ChaosItem
    /// When the read returned, ms since the epoch (the wall clock the nodes stamp store times
    /// with); nil when not taken.
    var at: Int64? = nil
}

/// A consumer group's committed offset of one queue, as a node reported it after the heal.
struct ChaosCommittedOffset: Sendable, Hashable {
    var group: String
    var queue: String
    var offset: Int64
    var node: String
}

/// How a consumer learned a group's committed offset of one queue during the run.
enum ChaosOffsetSource: String, Sendable, Hashable {
    /// The consumer committed this offset and the leader acknowledged it.
    case committed
    /// The leader answered a query of the group's committed offsets with it.
    case queried
}

/// A group's committed offset of one queue as a consumer observed it: it held at some instant
/// between `started` and `ended` (from the start of the run).
struct ChaosOffsetObservation: Sendable, Hashable {
    var group: String
    var queue: String
    var offset: Int64
    var source: ChaosOffsetSource
    var consumer: String
    var started: Duration
    var ended: Duration
}

/// A node's replicated state machine as it reported it after the heal (`status`), and what
/// replaying the committed log read from that node gives at the same applied index.
struct ChaosStateDigest: Sendable, Hashable {
    /// The last entry the node's state machine applied.
    var applied: UInt64
    /// The node's running state digest at ``applied``.
    var reported: UInt64
    /// The digest of a fresh state machine that applied the node's committed log through
    /// ``applied``; nil when the log could not be replayed that far.
    var replayed: UInt64?
}

/// Everything one node holds after the heal, in position order.
struct ChaosNodeContents: Sendable, Hashable {
    var node: String
    var items: [ChaosItem]
    /// Each queue's valid offsets as the node reports them (`min...max` with max exclusive, as
    /// RocketMQ's max offset is the next offset to write); empty for the raw log.
    var queueBounds: [String: Range<Int64>] = [:]
    var committedOffsets: [ChaosCommittedOffset] = []
    /// Messages the node's state still held back when read (delayed ones not delivered, half
    /// messages undecided).
    var stillHeld: Int64 = 0
    /// The node's state digest, reported and replayed; nil when not read (the leader's served view).
    var digest: ChaosStateDigest?
}

/// The whole record a chaos run hands to ``ChaosChecker``.
struct ChaosHistory: Sendable {
    var operations: [ChaosOperation]
    var leaders: [ChaosLeaderSighting]
    var reads: [ChaosRead]
    /// One per node, after the heal and convergence.
    var finalContents: [ChaosNodeContents]
    /// Why the group did not converge after the heal (every node up, one leader, the same
    /// commit index everywhere), or nil when it did.
    var convergenceProblem: String?
    /// What the leader serves through its queries (messages, by queue and offset), to compare
    /// with what the nodes' logs hold at those positions; nil when not read.
    var served: ChaosNodeContents?
    /// Consumer groups' committed offsets as consumers saw them during the run.
    var offsetObservations: [ChaosOffsetObservation] = []
    /// The faults injected, in order, each with the span its leadership changes count in.
    var faults: [ChaosFault] = []
    /// With `--overlap`: which faults could overlap, and so which leadership changes an
    /// overlapping fault may be blamed for (``ChaosOverlapRule/excusesChanges(during:by:)``).
    var overlapRule: ChaosOverlapRule?
    /// SIGTERMs a node did not answer by exiting 0 within 10 s, each described.
    var uncleanExits: [String] = []
    /// Consumers' send-backs, in the order they ended.
    var sendBacks: [ChaosSendBack] = []
    /// The group's delay levels in ms, level 1 first (`messageDelayLevel`).
    var delayLevels: [Int64] = []
    /// When the runner began reading ``finalContents``, ms since the epoch: a held message due
    /// well before it must have moved on. Nil when not read.
    var finalReadAt: Int64?
    /// Where retention cut the final logs (``ChaosRetentionCut``), when the run's group deletes
    /// old data files; nil when every node's log starts at index 1 and is compared whole.
    var retention: ChaosRetentionCut? = nil
    /// Nodes seen reporting a disk that takes no writes, and when.
    var fullDisks: [ChaosFullDiskSighting] = []
}
