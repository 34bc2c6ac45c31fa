import CommitLog
import LedgerModel
import Posix
import Raft
import Wire

/// A read-only question about the message store.
enum ReadQuery {
    case pull(PullRequest)
    case queueOffsets(MessageQueue)
    case searchOffset(SearchOffsetRequest)
    case messagesByKey(KeyLookupRequest)
    case viewMessage(ViewMessageRequest)
    case topics
    case consumerOffsets(ConsumerOffsetsRequest)

    /// The opcode the answer carries.
    var opcode: Opcode {
        switch self {
        case .pull: .pull
        case .queueOffsets: .queueOffsets
        case .searchOffset: .searchOffset
        case .messagesByKey: .messagesByKey
        case .viewMessage: .viewMessage
        case .topics: .topics
        case .consumerOffsets: .consumerOffsets
        }
    }
}

/// A client's read and where to answer it.
struct ReadRequest {
    var connection: UInt64
    var requestID: UInt64
    var query: ReadQuery
}

/// A pull that found nothing new and waits (until `timer` fires) for a message in its queue.
struct LongPoll {
    var read: ReadRequest
    var queue: MessageQueue
    var timer: TimerID
}

/// The reads a leader holds. A read is linearizable once a quorum confirmed the leadership
/// (its ReadIndex) and the state machine applied that index:
/// 1. `unconfirmed`: asked of the core with `readIndex(context:)`, the id as context;
/// 2. `confirmed`: the core released it with an index; answered once applied reaches it;
/// 3. a pull that answers `NO_NEW_MSG` with a wait becomes a `longPoll`, answered when its
///    queue gets a message, when its wait ends, or when this node stops leading.
struct PendingReads {
    var nextID: UInt64 = 0
    var unconfirmed: [UInt64: ReadRequest] = [:]
    var confirmed: [(index: LogIndex, read: ReadRequest)] = []
    var longPolls: [UInt64: LongPoll] = [:]

    mutating func makeID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// The read id as ReadIndex context bytes.
    static func context(_ id: UInt64) -> [UInt8] { withUnsafeBytes(of: id.bigEndian) { Array($0) } }

    /// The read id in context bytes this node made; nil for anything else.
    static func id(from context: [UInt8]) -> UInt64? {
        guard context.count == 8 else { return nil }
        return context.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// What the persist thread reports: the applied index now durable, and how long the syncs took.
struct PersistDone: Sendable {
    var index: LogIndex
    var took: Duration
}

typealias PersistOutcome = Result<PersistDone, CommitLogError>

/// What persisting the message store costs: how often, how long the loop spends writing (its
/// part), how long the persist thread spends syncing.
struct PersistenceStats {
    /// The applied index the files hold durably.
    var persistedIndex = LogIndex.zero
    /// Entries applied since the last persist began.
    var appliedSince = 0
    /// A persist was begun and its syncs have not finished.
    var inFlight = false
    var count = 0
    var loopTotal = Duration.zero
    var loopLongest = Duration.zero
    var syncTotal = Duration.zero
    var syncLongest = Duration.zero

    mutating func begun(loopTime: Duration) {
        inFlight = true
        appliedSince = 0
        count += 1
        loopTotal += loopTime
        loopLongest = max(loopLongest, loopTime)
    }

    mutating func finished(_ done: PersistDone) {
        inFlight = false
        persistedIndex = done.index
        syncTotal += done.took
        syncLongest = max(syncLongest, done.took)
    }

    /// One line for the log: `persisted 12 times through index 900, loop mean 0.4 ms (longest
    /// 1.1 ms), syncs mean 31.0 ms (longest 90.2 ms)`.
    var summary: String {
        guard count > 0 else { return "never persisted (nothing applied)" }
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let tenths = seconds * 10_000 + attoseconds / 100_000_000_000_000
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        return "persisted \(count) times through index \(persistedIndex), loop mean \(milliseconds(loopTotal / count)) "
            + "(longest \(milliseconds(loopLongest))), syncs mean \(milliseconds(syncTotal / count)) "
            + "(longest \(milliseconds(syncLongest)))"
    }
}
