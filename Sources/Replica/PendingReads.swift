import CommitLog
import LedgerModel
import Raft

/// A client's read and where to answer it.
struct ReadRequest {
    var client: ClientID
    var requestID: UInt64
    var query: ReadQuery
}

/// A pull that found nothing new and waits, until `deadline`, for a message in its queue.
struct LongPoll {
    var read: ReadRequest
    var queue: MessageQueue
    /// The owner's clock (ms since the epoch) at which it is answered `NO_NEW_MSG`.
    var deadline: Int64
}

/// The reads a leader holds. A read is linearizable once a quorum confirmed the leadership
/// (its ReadIndex) and the state machine applied that index:
/// 1. `unconfirmed`: asked of the core with `readIndex(context:)`, the id as context;
/// 2. `confirmed`: the core released it with an index; answered once applied reaches it;
/// 3. a pull that answers `NO_NEW_MSG` with a wait becomes a `longPoll`, answered when its
///    queue gets a message, when its deadline passes, or when this node stops leading.
struct PendingReads {
    private var nextID: UInt64 = 0
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

    /// The long polls, oldest first.
    var longPollsInOrder: [(id: UInt64, poll: LongPoll)] {
        longPolls.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Forgets the reads of `client` (its connection closed).
    mutating func forget(_ client: ClientID) {
        unconfirmed = unconfirmed.filter { $0.value.client != client }
        confirmed.removeAll { $0.read.client == client }
        longPolls = longPolls.filter { $0.value.read.client != client }
    }

    /// Every waiting read, in the order they were asked, removed.
    mutating func takeAll() -> [ReadRequest] {
        defer { self = PendingReads(nextID: nextID) }
        return unconfirmed.sorted { $0.key < $1.key }.map(\.value) + confirmed.map(\.read)
            + longPollsInOrder.map(\.poll.read)
    }

    private init(nextID: UInt64) { self.nextID = nextID }
    init() {}
}
