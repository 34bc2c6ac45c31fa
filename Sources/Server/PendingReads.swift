import CommitLog
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

/// What persisting the message store costs on the loop thread: how often, how long.
struct PersistenceStats {
    /// The applied index the files hold.
    var persistedIndex = LogIndex.zero
    /// Entries applied since the last persist.
    var appliedSince = 0
    var count = 0
    var total = Duration.zero
    var longest = Duration.zero

    mutating func record(_ duration: Duration, index: LogIndex) {
        persistedIndex = index
        appliedSince = 0
        count += 1
        total += duration
        longest = max(longest, duration)
    }

    /// One line for the log: `persisted 12 times, mean 3.1 ms, longest 9.8 ms`.
    var summary: String {
        guard count > 0 else { return "never persisted (nothing applied)" }
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let tenths = seconds * 10_000 + attoseconds / 100_000_000_000_000
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        return "persisted \(count) times through index \(persistedIndex), mean \(milliseconds(total / count)), "
            + "longest \(milliseconds(longest))"
    }
}
