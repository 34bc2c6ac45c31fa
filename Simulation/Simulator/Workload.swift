import CommitLog
import LedgerModel
import Raft

/// A simulated message body: `SIMM`, the message's unique id (8 bytes, little-endian), then
/// filler bytes derived from the id. The body alone says which message it is and whether its
/// bytes arrived intact.
enum MessageBody {
    private static let magic: [UInt8] = Array("SIMM".utf8)
    private static let headerCount = 12

    static func make(uid: UInt64, fillerBytes: Int) -> [UInt8] {
        var body = magic
        body.reserveCapacity(headerCount + fillerBytes)
        for shift in 0..<8 { body.append(UInt8(truncatingIfNeeded: uid >> (8 * UInt64(shift)))) }
        for offset in 0..<fillerBytes { body.append(filler(uid, offset)) }
        return body
    }

    /// The unique id in `body`, or nil if it is not a simulated message body.
    static func uid(in body: [UInt8]) -> UInt64? {
        guard body.count >= headerCount, body[0..<4].elementsEqual(magic) else { return nil }
        return (0..<8).reduce(0) { $0 | UInt64(body[4 + $1]) << (8 * UInt64($1)) }
    }

    /// Whether `body` is exactly what ``make(uid:fillerBytes:)`` made for message `uid`.
    static func isIntact(_ body: [UInt8], uid: UInt64) -> Bool {
        guard self.uid(in: body) == uid else { return false }
        for offset in 0..<(body.count - headerCount) where body[headerCount + offset] != filler(uid, offset) {
            return false
        }
        return true
    }

    private static func filler(_ uid: UInt64, _ offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: uid &* 31 &+ UInt64(offset))
    }
}

/// The names the workload uses: topics, sharding keys, tags, hosts and the store clock.
enum WorkloadNames {
    /// Store and born timestamps are virtual time plus this many milliseconds (a fixed date).
    static let epochMilliseconds: Int64 = 1_700_000_000_000

    static func topic(_ index: Int) -> String { "SimTopic-\(index)" }
    static func group(_ index: Int) -> String { "sim-group-\(index)" }
    static func shardingKey(_ index: UInt64) -> String { "order-\(index)" }
    static let tags = ["TagA", "TagB", "TagC"]
    /// The subscription of the groups that do not take every message.
    static let subscription = "TagA || TagC"

    /// The address a node stamps on the messages it stores.
    static func storeHost(_ id: NodeID) -> HostAddress {
        HostAddress(
            ipv4: 10, 0, UInt8(truncatingIfNeeded: id.rawValue >> 8), UInt8(truncatingIfNeeded: id.rawValue),
            port: 10911)
    }
}

/// What a simulated client does.
enum ClientRole {
    /// Appends raw entries (``EntryPayload/raw(_:)``, as `ledger append` does) and issues
    /// linearizable reads.
    case raw
    /// The producer at this position of the cluster's producer list.
    case producer(Int)
    /// The consumer at this position of the cluster's consumer list.
    case consumer(Int)
}

/// An idempotent producer: one send at a time, each with the next sequence number; retries of a
/// send reuse its stamp.
struct ProducerState {
    var id: ProducerID
    var host: HostAddress
    var nextSequence: UInt64 = 1
    /// Decisions on half messages to send, oldest first.
    var transactionEnds: [EndTransactionRequest] = []

    /// Its producer group (the `PGROUP` of its half messages).
    var group: String { "sim-producer-\(id.rawValue)" }
}

/// A member of a consumer group: it owns some queues (each queue has one owner per group),
/// pulls them in turn from the position it keeps in memory and commits its progress.
struct ConsumerState {
    var group: String
    /// An orderly member pulls only the queues it holds locked on the leader.
    var orderly = false
    /// Its client id; a restart (a crash, for its locks) takes a new one.
    var clientID: String
    /// The queues it holds locked, and when the lock was granted or renewed.
    var locked: [MessageQueue: VirtualTime] = [:]
    /// The group's subscription: every message, or some tags.
    var filter: TagFilter
    var queues: [MessageQueue]
    var cursor = 0
    /// The next offset to pull, per owned queue; nil until read from the group's committed offset.
    var positions: [MessageQueue: QueueOffset] = [:]
    /// The last offset this consumer's commits reached (acknowledged), per queue.
    var committed: [MessageQueue: QueueOffset] = [:]
    /// Send-backs of pulled messages waiting to be issued, oldest first.
    var sendBacks: [SendBackOperation] = []
    /// Queues with an offset commit of unknown outcome not yet followed by an acknowledged one.
    /// The consumer does not restart while any is left: a restart reads the committed offset,
    /// the unknown commit could still land above it, and the next commit would go backwards.
    var uncertain: Set<MessageQueue> = []
}

/// One send, as retried: the same producer stamp and messages on every attempt; only the store
/// stamp (the accepting leader's clock and address) differs.
struct SendOperation {
    var stamp: ProducerStamp
    var messages: [ProducerMessage]
    var uids: [UInt64]
    var isBatch: Bool

    /// The request a producer sends for it (a batch has at least two messages).
    var request: SendRequest { SendRequest(messages: messages, producer: stamp) }
}

/// A consumer's send-back of a message it pulled (a failed consume), as retried.
struct SendBackOperation {
    var request: SendBackRequest
    /// The message's id (in its body) and how often it had been reconsumed.
    var uid: UInt64
    var sourceReconsumeTimes: Int32
}

/// One pull and what a linearizable answer must show.
struct PullOperation {
    var group: String
    var filter: TagFilter
    var queue: MessageQueue
    var offset: QueueOffset
    var maxCount: Int
    /// One past the highest offset of the queue acknowledged to a producer when the pull was
    /// issued: the answer's max offset must reach it.
    var acknowledgedEnd: QueueOffset
}

/// A client's logical request; the attempts of a send share it.
enum Operation {
    case rawAppend(proposal: UInt64)
    case rawRead
    case send(SendOperation)
    case pull(PullOperation)
    case commitOffset(OffsetCommit)
    case sendBack(SendBackOperation)
    case endTransaction(EndTransactionRequest)
    case lockQueues(QueueLockRequest)
    /// Read the group's committed offset of a queue; `acknowledged` is the highest commit
    /// acknowledged to the group when the query was issued.
    case queryOffset(group: String, queue: MessageQueue, acknowledged: QueueOffset?)

    var isRead: Bool {
        switch self {
        case .rawRead, .pull, .queryOffset: true
        case .rawAppend, .send, .commitOffset, .sendBack, .endTransaction, .lockQueues: false
        }
    }
}

/// One simulated client: one request at a time, sent to the node it believes leads.
struct ClientState {
    var role: ClientRole
    /// The node it sends to next.
    var target: Int
    /// The attempt in progress; 0 when idle. Every attempt has its own number.
    var request: UInt64 = 0
    var operation: Operation?
    /// Attempts made for `operation`.
    var attempts = 0
    /// For a read: every index acknowledged before it was issued.
    var minimumIndex: LogIndex = .zero
    /// The node the attempt in progress was handed to, until it is answered or redirected.
    var handledBy: Int?
}
