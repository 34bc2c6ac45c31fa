import Dispatch
import LedgerConfig
import LedgerModel
import Raft
import Wire

/// Producing and consuming messages. Every call goes to the leader (following redirects and
/// retrying on leader changes until ``LedgerClientOptions/timeout``, 3 s by default, RocketMQ's
/// send timeout). Reads are linearizable: they see every send acknowledged before they began.
/// A read of a topic no message was sent to throws ``LedgerClientError/rejected(node:message:)``
/// with "no such topic: T".
extension LedgerClient {
    // MARK: - Producing

    /// Sends one message and returns where it was stored, once the entry is committed (on a
    /// majority) and applied on the leader.
    ///
    /// Idempotent: the send carries (``producerID``, next sequence) and keeps it through its
    /// retries, so a send retried after a timeout or a leader change is stored once (the
    /// answer to a retry of a stored send is the original result). Throws
    /// ``LedgerClientError/rejected(node:message:)`` for input the leader refuses (a body over
    /// `maxMessageSize`, a bad topic or queue), ``LedgerClientError/outcomeUnknown(_:)`` when no
    /// answer confirmed it in time but an attempt may have been stored (it may still be stored
    /// later, once), ``LedgerClientError/noQuorum(_:)`` when no attempt can have been.
    public func send(_ message: ProducerMessage) throws(LedgerClientError) -> SendResult {
        try sendStamped([message])[0]
    }

    /// Sends `messages` as one batch, stored atomically (all or none) and idempotently like
    /// ``send(_:)``; returns one result per message, in order.
    public func sendBatch(_ messages: [ProducerMessage]) throws(LedgerClientError) -> [SendResult] {
        guard !messages.isEmpty else { return [] }
        return try sendStamped(messages)
    }

    private func sendStamped(_ messages: [ProducerMessage]) throws(LedgerClientError) -> [SendResult] {
        lastSequence += 1
        let request = SendRequest(
            messages: messages, producer: ProducerStamp(producer: producerID, sequence: lastSequence))
        return try onLeader("send", write: true) { (connection, deadline) throws(AttemptFailure) in
            let answer = try connection.attempt(.sendRequest(request), deadline: deadline)
            guard case .sendResponse(let response) = answer, response.results.count == messages.count else {
                throw .protocolViolation("answered a send of \(messages.count) with \(answer)")
            }
            return response.results
        }
    }

    /// Sends one message without waiting for any answer (RocketMQ's one-way send): returns once
    /// the leader's socket took it. Nothing reports whether it was stored; a message the leader
    /// refuses, or that reaches a node that just stopped leading, is dropped (and logged there).
    public func sendOneWay(_ message: ProducerMessage) throws(LedgerClientError) {
        try onLeader("one-way send", write: true) { (connection, deadline) throws(AttemptFailure) in
            do throws(NodeConnectionError) {
                try connection.post(.sendOneWay(SendRequest(messages: [message])), deadline: deadline)
            } catch {
                throw .connection(error)
            }
        }
    }

    /// Sends one message in the background and calls `completion` (on a background thread) with
    /// its result. Sends submitted this way are sent one after another, in submission order,
    /// by a client of their own (with its own producer id), so they keep the idempotence of
    /// ``send(_:)``. ``waitForAsyncSends()`` waits until every submitted send has completed.
    public func sendAsync(
        _ message: ProducerMessage, completion: @escaping @Sendable (Result<SendResult, LedgerClientError>) -> Void
    ) {
        asyncSender.submit(message, completion: completion)
    }

    /// Returns once every ``sendAsync(_:completion:)`` submitted before has completed.
    public func waitForAsyncSends() { asyncSender.wait() }

    // MARK: - Consuming

    /// Up to `maxCount` messages of a queue from `offset` whose tags match `tags` (`*` or
    /// `TagA || TagB`), with RocketMQ's statuses. With a `wait`, a pull that finds no new message
    /// waits on the leader up to that long (at most 30 s) for one instead of returning
    /// `NO_NEW_MSG` at once (long polling).
    public func pull(
        topic: String, queueID: Int32, offset: QueueOffset, maxCount: Int = 32, tags: String = "*",
        wait: Duration = .zero
    ) throws(LedgerClientError) -> PullResult {
        let waitMs = UInt32(clamping: max(0, wait.wholeMilliseconds))
        let request = PullRequest(
            queue: MessageQueue(topic: topic, queueID: queueID), offset: offset,
            maxCount: UInt32(clamping: maxCount), tagExpression: tags, waitMs: waitMs)
        return try ask("pull", .pullRequest(request), timeout: options.timeout + wait, serverWait: wait) {
            if case .pullResponse(let response) = $0 { response.result } else { nil }
        }
    }

    /// Records, through the log, that `group` will next consume `offset` of `queue`; returns once
    /// applied on the leader, so it survives a leader change. The offset must be within the
    /// queue's `0...maxOffset`.
    public func commitOffset(group: String, queue: MessageQueue, offset: QueueOffset) throws(LedgerClientError) {
        let request = CommitOffsetRequest(commit: OffsetCommit(group: group, queue: queue, offset: offset))
        try ask("commit offset", .commitOffsetRequest(request), write: true) {
            if case .commitOffsetResponse = $0 { () } else { nil }
        }
    }

    /// The offsets a queue holds (`minOffset..<maxOffset`).
    public func queueOffsets(topic: String, queueID: Int32) throws(LedgerClientError) -> QueueOffsetRange {
        let request = QueueRequest(queue: MessageQueue(topic: topic, queueID: queueID))
        return try ask("query offsets", .queueOffsetsRequest(request)) {
            if case .queueOffsetsResponse(let response) = $0 { response.range } else { nil }
        }
    }

    /// A consumer group's committed offsets and lag per queue (of one topic, or all), sorted by
    /// queue; empty when the group never committed.
    public func consumerOffsets(group: String, topic: String? = nil) throws(LedgerClientError) -> [ConsumerProgress] {
        try ask("consumer offsets", .consumerOffsetsRequest(ConsumerOffsetsRequest(group: group, topic: topic))) {
            if case .consumerOffsetsResponse(let response) = $0 { response.progress } else { nil }
        }
    }

    /// Every topic with its queues' offset ranges, sorted by name.
    public func topics() throws(LedgerClientError) -> [TopicInfo] {
        try ask("topics", .topicsRequest) {
            if case .topicsResponse(let response) = $0 { response.topics } else { nil }
        }
    }

    /// The first offset of the queue whose message was stored at or after `timestamp` (ms since
    /// the epoch); the queue's max offset when none was.
    public func searchOffset(topic: String, queueID: Int32, timestamp: Int64) throws(LedgerClientError)
        -> QueueOffset
    {
        let request = SearchOffsetRequest(queue: MessageQueue(topic: topic, queueID: queueID), timestamp: timestamp)
        return try ask("search offset", .searchOffsetRequest(request)) {
            if case .searchOffsetResponse(let response) = $0 { response.offset } else { nil }
        }
    }

    /// The latest (at most `maxCount`) messages of `topic` with `key` among their keys, oldest first.
    public func messages(topic: String, key: String, maxCount: Int = 64) throws(LedgerClientError) -> [StoredMessage] {
        let request = KeyLookupRequest(topic: topic, key: key, maxCount: UInt32(clamping: maxCount))
        return try ask("look up by key", .messagesByKeyRequest(request)) {
            if case .messagesByKeyResponse(let response) = $0 { response.messages } else { nil }
        }
    }

    /// The message with an offset message id (as a send returned it).
    public func viewMessage(id: String) throws(LedgerClientError) -> StoredMessage {
        try view(.messageID(id))
    }

    /// The message whose record starts at `offset` of the commit log.
    public func viewMessage(at offset: PhysicalOffset) throws(LedgerClientError) -> StoredMessage {
        try view(.physicalOffset(offset))
    }

    private func view(_ request: ViewMessageRequest) throws(LedgerClientError) -> StoredMessage {
        try ask("view message", .viewMessageRequest(request)) {
            if case .viewMessageResponse(let response) = $0 { response.messages.first } else { nil }
        }
    }

    /// Sends `request` to the leader and extracts the answer; an answer `extract` refuses is a
    /// protocol violation. `write` and `serverWait` as for `onLeader`.
    func ask<T>(
        _ operation: String, _ request: WireMessage, timeout: Duration? = nil, write: Bool = false,
        serverWait: Duration = .zero, _ extract: (WireMessage) -> T?
    ) throws(LedgerClientError) -> T {
        try onLeader(operation, timeout: timeout, write: write, serverWait: serverWait) {
            (connection, deadline) throws(AttemptFailure) in
            let answer = try connection.attempt(request, deadline: deadline)
            guard let value = extract(answer) else {
                throw .protocolViolation("answered \(request.opcode) with \(answer.opcode)")
            }
            return value
        }
    }
}

/// Runs the sends of ``LedgerClient/sendAsync(_:completion:)``: a client of its own, used only
/// on one serial queue (hence `@unchecked Sendable`: the queue is the lock), so the async sends
/// go one at a time, in order, each retried with its own stamp.
final class AsyncSender: @unchecked Sendable {
    private let queue = DispatchQueue(label: "ledger.async-send")
    /// Touched only on `queue`.
    private let client: LedgerClient

    init(peers: [Peer], options: LedgerClientOptions) {
        client = LedgerClient(peers: peers, options: options)
    }

    func submit(
        _ message: ProducerMessage, completion: @escaping @Sendable (Result<SendResult, LedgerClientError>) -> Void
    ) {
        queue.async {
            completion(Result { () throws(LedgerClientError) in try self.client.send(message) })
        }
    }

    func wait() { queue.sync {} }
}
