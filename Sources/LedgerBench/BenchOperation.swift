import Bytes
import LedgerModel
import Raft
import Wire

/// How one acknowledgement frame turned out.
enum BenchAnswer: Sendable, Hashable {
    /// The messages the frame carried are committed.
    case acknowledged
    /// The node refused them. `leader` is where a NOT_LEADER answer redirects.
    case failed(String, leader: NodeID?)
}

/// What a ``BenchProducer`` sends: the frames of one request and the reading of their answers,
/// so raw appends and message sends share one load generator.
protocol BenchOperation: Sendable {
    /// For the report: `raw appends of 1024 B`.
    var label: String { get }
    /// Messages each request carries.
    var batch: Int { get }
    /// Bytes of each message's body (what MB/s counts).
    var messageSize: Int { get }
    /// The frames one request writes, in order; each is acknowledged on its own.
    var frames: [WireMessage] { get }
    /// The size of the RocketMQ record each message is stored as; nil when not a message.
    var storedRecordBytes: Int? { get }
    /// What an answer frame says; `nil` for a message this operation never expects (the
    /// producer then treats the connection as broken).
    func answer(_ message: WireMessage) -> BenchAnswer?
}

extension BenchOperation {
    var storedRecordBytes: Int? { nil }

    /// Frames one request writes, and so acknowledgements it waits for.
    var framesPerRequest: Int { frames.count }

    /// Messages per acknowledgement frame.
    var messagesPerFrame: Int { batch / framesPerRequest }

    /// The reading of an error response shared by every operation.
    func failure(_ message: WireMessage) -> BenchAnswer? {
        guard case .errorResponse(let error, _) = message else { return nil }
        if case .notLeader(let leader, _) = error.code { return .failed(error.description, leader: leader) }
        return .failed(error.description, leader: nil)
    }
}

/// Raw log appends (the `append` opcode) of `messageSize` bytes. There is no batch opcode for
/// raw appends, so a batch of N is N append frames written back to back in one buffer (one
/// `write(2)` when the socket takes it); the leader proposes them in order and they share its
/// group commit, so they are usually acknowledged together.
struct RawAppendOperation: BenchOperation {
    let batch: Int
    let messageSize: Int
    let frames: [WireMessage]

    init(size: Int, batch: Int) {
        precondition(size > 0 && batch > 0, "a raw append needs a size and a batch of at least 1")
        self.batch = batch
        messageSize = size
        // The body's content is irrelevant to the log; a printable byte keeps `ledger get` readable.
        let append = WireMessage.appendRequest(
            ClientAppendRequest(data: [UInt8](repeating: UInt8(ascii: "b"), count: size)))
        frames = Array(repeating: append, count: batch)
    }

    var label: String { "raw appends of \(messageSize) B" }

    func answer(_ message: WireMessage) -> BenchAnswer? {
        if case .appendResponse = message { return .acknowledged }
        return failure(message)
    }
}

/// Message sends (the `send` opcode) of `messageSize`-byte bodies to `topic`, spread over its
/// queues by the state machine. A batch of N is one send request carrying N messages, stored
/// atomically as one Raft entry and acknowledged by one frame. Sends carry no producer stamp
/// (a plain, not idempotent, producer: what RocketMQ's default producer does).
struct MessageSendOperation: BenchOperation {
    let batch: Int
    let messageSize: Int
    let topic: String
    let frames: [WireMessage]

    init(topic: String, size: Int, batch: Int) {
        precondition(size > 0 && batch > 0, "a message send needs a size and a batch of at least 1")
        self.batch = batch
        self.topic = topic
        messageSize = size
        let message = ProducerMessage(topic: topic, body: [UInt8](repeating: UInt8(ascii: "m"), count: size))
        frames = [.sendRequest(SendRequest(messages: Array(repeating: message, count: batch)))]
    }

    var label: String { "messages of \(messageSize) B to \(topic)" }

    /// The stored record: body, topic and the one property the store adds (`UNIQ_KEY`, the
    /// 32-digit offset message id of an IPv4 store host).
    var storedRecordBytes: Int? {
        MessageRecord.size(
            body: messageSize, topic: topic.utf8.count,
            properties: MessageRecord.propertiesCount([
                MessagePropertyPair(MessageProperty.uniqueKey, String(repeating: "0", count: 32))
            ]),
            bornIPv6: false, storeIPv6: false)
    }

    func answer(_ message: WireMessage) -> BenchAnswer? {
        if case .sendResponse = message { return .acknowledged }
        return failure(message)
    }
}
