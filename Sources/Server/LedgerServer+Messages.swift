import Bytes
import CommitLog
import LedgerModel
import Posix
import Raft
import Wire

extension LedgerServer {
    /// Where the message store lives under `storeBaseDir`, beside the Raft log's `data/` and `index/`.
    static let messageStoreSubdirectory = "messages"
    /// Room in a Raft entry for a send command's fields besides the body (RocketMQ reserves
    /// 64 KiB beyond `maxMessageSize` too).
    static let commandOverheadBytes = 64 << 10
    /// The most record bytes one pull answer carries; a pull stops early rather than exceed
    /// the 16 MiB frame (at least one message is always returned).
    static let maxPullResponseBytes = 8 << 20

    // MARK: - Writes

    /// Proposes a send (one message or a batch) stamped with this leader's clock and address,
    /// after checking it against the current state so bad input never reaches the log. Answered
    /// once the entry is applied (``answerApplied(_:results:)``); a one-way send is never answered.
    func handleSend(_ request: SendRequest, oneWay: Bool, requestID: UInt64, on connection: Connection) {
        func refuse(_ error: ErrorResponse) {
            if oneWay {
                logger.warning(term: core.term.rawValue, "dropping a one-way send from \(connection.label): \(error)")
            } else {
                send(.errorResponse(error, answering: .send), requestID: requestID, on: connection)
            }
        }
        guard core.role == .leader else {
            refuse(errorResponse(for: .notLeader(leader: core.leader)))
            return
        }
        let stamp = StoreStamp(storeTimestamp: WallClock.nowMilliseconds(), storeHost: storeHost)
        let messages = request.messages.map { message in
            var message = message
            message.bornHost = connection.remoteHost
            return message
        }
        let command: Command
        if messages.count == 1, var message = messages.first {
            message.producer = request.producer
            command = .send(message, stamp)
        } else {
            command = .sendBatch(MessageBatch(messages: messages, producer: request.producer), stamp)
        }
        propose(command, opcode: .send, oneWay: oneWay, requestID: requestID, on: connection, refuse: refuse)
    }

    /// Proposes a consumer-group offset commit; answered once applied.
    func handleCommitOffset(_ request: CommitOffsetRequest, requestID: UInt64, on connection: Connection) {
        propose(
            .commitOffset(request.commit), opcode: .commitOffset, oneWay: false, requestID: requestID, on: connection
        ) { error in
            send(.errorResponse(error, answering: .commitOffset), requestID: requestID, on: connection)
        }
    }

    private func propose(
        _ command: Command, opcode: Opcode, oneWay: Bool, requestID: UInt64, on connection: Connection,
        refuse: (ErrorResponse) -> Void
    ) {
        if let problem = messages.precheck(command) {
            refuse(ErrorResponse(code: .badRequest, message: problem.description))
            return
        }
        let bytes: [UInt8]
        do {
            bytes = try EntryPayload.encode(command)
        } catch {
            refuse(ErrorResponse(code: .badRequest, message: error.description))
            return
        }
        do {
            let proposal = try core.propose(bytes)
            guard !oneWay else { return }
            pendingAppends[proposal.index] = PendingRequest(
                connection: connection.id, requestID: requestID, opcode: opcode, term: proposal.term)
        } catch {
            refuse(errorResponse(for: error))
        }
    }

    /// The answer to the request whose entry applied with `results` (its term checked already).
    func answerApplied(_ pending: PendingRequest, index: LogIndex, results: [ApplyResult]) -> WireMessage {
        for case .rejected(let reason) in results {
            return .errorResponse(
                ErrorResponse(code: .badRequest, message: reason.description), answering: pending.opcode)
        }
        switch pending.opcode {
        case .send:
            let stored = results.compactMap(\.sendResult)
            let duplicate = results.contains { if case .duplicate = $0 { true } else { false } }
            return .sendResponse(SendResponse(results: stored, duplicate: duplicate))
        case .commitOffset:
            return .commitOffsetResponse
        default:
            return .appendResponse(ClientAppendResponse(index: index))
        }
    }

    // MARK: - Reads

    /// Starts a linearizable read: the core confirms leadership with a quorum (ReadIndex), then
    /// the read is answered once the state machine has applied the confirmed index.
    func handleRead(_ query: ReadQuery, requestID: UInt64, on connection: Connection) {
        let id = reads.makeID()
        do {
            try core.readIndex(context: PendingReads.context(id))
            reads.unconfirmed[id] = ReadRequest(connection: connection.id, requestID: requestID, query: query)
        } catch {
            send(
                .errorResponse(errorResponse(for: error), answering: query.opcode), requestID: requestID, on: connection
            )
        }
    }

    /// Takes the core's confirmed and failed reads from a ready, after its entries applied.
    func handleReadStates(_ states: [ReadState], failed: [FailedRead]) {
        for state in states {
            guard let id = PendingReads.id(from: state.context),
                let read = reads.unconfirmed.removeValue(forKey: id)
            else { continue }
            reads.confirmed.append((state.index, read))
        }
        for failure in failed {
            guard let id = PendingReads.id(from: failure.context),
                let read = reads.unconfirmed.removeValue(forKey: id),
                let connection = connections[read.connection]
            else { continue }
            send(
                .errorResponse(errorResponse(for: failure.error), answering: read.query.opcode),
                requestID: read.requestID, on: connection)
        }
        answerConfirmedReads()
    }

    /// Answers every confirmed read whose index the state machine has reached.
    func answerConfirmedReads() {
        guard !reads.confirmed.isEmpty else { return }
        let applied = messages.appliedIndex
        var waiting: [(index: LogIndex, read: ReadRequest)] = []
        for (index, read) in reads.confirmed {
            if index <= applied {
                answer(read, mayWait: true)
            } else {
                waiting.append((index, read))
            }
        }
        reads.confirmed = waiting
    }

    /// Answers `read` from the current state; a pull with nothing new and a wait becomes a
    /// long poll when `mayWait` (and this node still leads).
    private func answer(_ read: ReadRequest, mayWait: Bool) {
        guard let connection = connections[read.connection] else { return }
        let message: WireMessage
        do throws(QueryError) {
            switch read.query {
            case .pull(let request):
                let result = try pull(request)
                if mayWait, result.status == .noNewMessage, request.waitMs > 0, core.role == .leader {
                    startLongPoll(read, request)
                    return
                }
                message = .pullResponse(PullResponse(result: result))
            case .queueOffsets(let queue):
                let range = try messages.offsetRange(topic: queue.topic, queueID: queue.queueID)
                message = .queueOffsetsResponse(QueueOffsetsResponse(range: range))
            case .searchOffset(let request):
                let offset = try messages.searchOffset(
                    topic: request.queue.topic, queueID: request.queue.queueID, timestamp: request.timestamp)
                message = .searchOffsetResponse(OffsetResponse(offset: offset))
            case .messagesByKey(let request):
                let found = try messages.messages(
                    topic: request.topic, key: request.key, maxCount: Int(request.maxCount))
                message = .messagesByKeyResponse(MessagesResponse(messages: found))
            case .viewMessage(.physicalOffset(let offset)):
                message = .viewMessageResponse(MessagesResponse(messages: [try messages.message(at: offset)]))
            case .viewMessage(.messageID(let id)):
                message = .viewMessageResponse(MessagesResponse(messages: [try messages.message(id: id)]))
            case .topics:
                message = .topicsResponse(TopicsResponse(topics: messages.topicList()))
            case .consumerOffsets(let request):
                if let topic = request.topic { _ = try messages.offsetRange(topic: topic, queueID: 0) }
                let progress = messages.consumerProgress(group: request.group, topic: request.topic)
                message = .consumerOffsetsResponse(ConsumerOffsetsResponse(group: request.group, progress: progress))
            }
        } catch {
            // A store this node cannot read is its own failure, not the client's bad request.
            let code: ErrorResponse.Code
            if case .unreadable = error {
                code = .internal
                logger.error(term: core.term.rawValue, "\(error)")
            } else {
                code = .badRequest
            }
            message = .errorResponse(
                ErrorResponse(code: code, message: error.description), answering: read.query.opcode)
        }
        send(message, requestID: read.requestID, on: connection)
    }

    /// A pull against the state machine, its answer cut to ``maxPullResponseBytes``.
    private func pull(_ request: PullRequest) throws(QueryError) -> PullResult {
        var result = try messages.pull(
            topic: request.queue.topic, queueID: request.queue.queueID, offset: request.offset,
            maxCount: Int(min(request.maxCount, UInt32(Int32.max))),
            filter: TagFilter(expression: request.tagExpression))
        var bytes = 0
        for (position, message) in result.messages.enumerated() {
            bytes += message.storeSize
            if bytes > LedgerServer.maxPullResponseBytes && position > 0 {
                result.messages.removeSubrange(position...)
                result.nextOffset = result.messages[position - 1].queueOffset.next
                break
            }
        }
        return result
    }

    private func startLongPoll(_ read: ReadRequest, _ request: PullRequest) {
        let id = reads.makeID()
        let wait = Int64(min(request.waitMs, PullRequest.maxWaitMs))
        let timer = loop.schedule(after: .milliseconds(wait)) { [unowned self] in
            if let poll = reads.longPolls.removeValue(forKey: id) { answer(poll.read, mayWait: false) }
        }
        reads.longPolls[id] = LongPoll(read: read, queue: request.queue, timer: timer)
    }

    /// Answers the long polls waiting on `queues` (which just received messages).
    func wakeLongPolls(_ queues: Set<MessageQueue>) {
        guard !queues.isEmpty, !reads.longPolls.isEmpty else { return }
        for (id, poll) in reads.longPolls.sorted(by: { $0.key < $1.key }) where queues.contains(poll.queue) {
            reads.longPolls[id] = nil
            loop.cancel(poll.timer)
            answer(poll.read, mayWait: false)
        }
    }

    /// Answers every long poll now (this node stopped leading: its clients must find the new
    /// leader rather than wait on a node that will see no new messages).
    func releaseLongPolls() {
        for (id, poll) in reads.longPolls.sorted(by: { $0.key < $1.key }) {
            reads.longPolls[id] = nil
            loop.cancel(poll.timer)
            answer(poll.read, mayWait: false)
        }
    }

    /// Answers every waiting read with `error` (on shutdown).
    func failAllReads(_ error: ErrorResponse) {
        let waiting =
            reads.unconfirmed.sorted(by: { $0.key < $1.key }).map(\.value) + reads.confirmed.map(\.read)
            + reads.longPolls.sorted(by: { $0.key < $1.key }).map(\.value.read)
        reads = PendingReads()
        for read in waiting {
            guard let connection = connections[read.connection] else { continue }
            send(.errorResponse(error, answering: read.query.opcode), requestID: read.requestID, on: connection)
        }
    }

    // MARK: - Persistence

    /// Persists the message store every ``ServerOptions/persistIntervalMilliseconds`` when
    /// entries were applied since the last time.
    func schedulePersist() {
        loop.schedule(after: .milliseconds(Int64(options.persistIntervalMilliseconds))) { [unowned self] in
            guard stopReason == nil else { return }
            do throws(ServerError) {
                try persistMessages()
            } catch {
                stopReason = .failure(error)
            }
            schedulePersist()
        }
    }

    /// Starts persisting what the state machine applied since the last persist, unless one is
    /// under way: the loop hands the new bytes over (timed: that is the loop's cost), the
    /// persist thread writes and syncs them and replaces the checkpoint; the state machine
    /// drops them from memory once that completed (``persistFinished(_:)``).
    func persistMessages() throws(ServerError) {
        guard !persistence.inFlight, messages.appliedIndex > persistence.persistedIndex else { return }
        let started = ContinuousClock().now
        let pending: PendingPersist?
        do {
            pending = try messages.beginPersist()
        } catch {
            throw .stateMachine(error)
        }
        guard let pending else { return }
        let took = started.duration(to: ContinuousClock().now)
        persistence.begun(loopTime: took)
        if took > .milliseconds(100) {
            logger.warning(
                term: core.term.rawValue,
                "writing the message store through index \(pending.appliedIndex) took \(took) of the loop's time")
        }
        persister.submit(pending)
    }

    /// The persist thread synced a persist (or failed to: the node stops).
    func persistFinished(_ outcome: PersistOutcome) {
        switch outcome {
        case .success(let done):
            messages.completePersist(through: done.index)
            persistence.finished(done)
            if done.took > .seconds(1) {
                logger.warning(
                    term: core.term.rawValue,
                    "syncing the message store through index \(done.index) took \(done.took) (the disk is slow)")
            }
        case .failure(let error):
            persistence.inFlight = false
            stopReason = .failure(.stateMachine(error))
        }
    }

    /// Persists everything applied, synchronously, after waiting for a persist under way (at
    /// shutdown: the persist thread stops here).
    func persistMessagesNow() throws(ServerError) {
        persister.stop()
        for outcome in persistResults.drain() { persistFinished(outcome) }
        if case .failure(let error) = stopReason { throw error }
        guard messages.appliedIndex > persistence.persistedIndex else { return }
        let started = ContinuousClock().now
        do {
            try messages.persist()
        } catch {
            throw .stateMachine(error)
        }
        let took = started.duration(to: ContinuousClock().now)
        persistence.begun(loopTime: took)
        persistence.finished(PersistDone(index: messages.appliedIndex, took: took))
    }
}
