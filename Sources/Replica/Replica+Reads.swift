import CommitLog
import LedgerModel
import Raft

extension Replica {
    /// Starts a linearizable read: the core confirms leadership with a quorum (ReadIndex), then
    /// the read is answered once the state machine has applied the confirmed index.
    func startRead(_ query: ReadQuery, client: ClientID, requestID: UInt64) throws(Violation) {
        let read = ReadRequest(client: client, requestID: requestID, query: query)
        if configuration.brokenRules.contains(.staleReads) { return answer(read, mayWait: false) }
        let id = reads.makeID()
        do {
            try core.readIndex(context: PendingReads.context(id))
            reads.unconfirmed[id] = read
        } catch {
            reply(.error(errorResponse(for: error), answering: query.kind), to: client, requestID: requestID)
        }
    }

    /// Takes the core's confirmed and failed reads from a ready, after its entries applied.
    func handleReadStates(_ states: [ReadState], failed: [FailedRead]) throws(Violation) {
        for state in states {
            guard let id = PendingReads.id(from: state.context), let read = reads.unconfirmed.removeValue(forKey: id)
            else { continue }
            try observer?.readConfirmed(at: state.index, for: read.client, requestID: read.requestID)
            reads.confirmed.append((state.index, read))
        }
        for failure in failed {
            guard let id = PendingReads.id(from: failure.context), let read = reads.unconfirmed.removeValue(forKey: id)
            else { continue }
            reply(
                .error(errorResponse(for: failure.error), answering: read.query.kind), to: read.client,
                requestID: read.requestID)
        }
        answerConfirmedReads()
    }

    /// Answers every confirmed read whose index the state machine has reached.
    private func answerConfirmedReads() {
        guard !reads.confirmed.isEmpty else { return }
        let applied = stateMachine.appliedIndex
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

    /// Answers `read` from the applied state; a pull with nothing new and a wait becomes a long
    /// poll when `mayWait` (and this node still leads).
    private func answer(_ read: ReadRequest, mayWait: Bool) {
        let answer: ClientReply
        do throws(QueryError) {
            switch read.query {
            case .pull(let request):
                let result = try pull(request)
                if mayWait, result.status == .noNewMessage, request.waitMs > 0, core.role == .leader {
                    let wait = Int64(min(request.waitMs, PullRequest.maxWaitMs))
                    reads.longPolls[reads.makeID()] = LongPoll(read: read, queue: request.queue, deadline: now + wait)
                    return
                }
                answer = .pulled(PullResponse(result: result))
            case .queueOffsets(let queue):
                answer = .queueOffsets(
                    QueueOffsetsResponse(
                        range: try stateMachine.offsetRange(topic: queue.topic, queueID: queue.queueID)))
            case .searchOffset(let request):
                let offset = try stateMachine.searchOffset(
                    topic: request.queue.topic, queueID: request.queue.queueID, timestamp: request.timestamp)
                answer = .searchedOffset(OffsetResponse(offset: offset))
            case .messagesByKey(let request):
                let found = try stateMachine.messages(
                    topic: request.topic, key: request.key, maxCount: Int(request.maxCount))
                answer = .messagesByKey(MessagesResponse(messages: found))
            case .viewMessage(.physicalOffset(let offset)):
                answer = .viewedMessage(MessagesResponse(messages: [try stateMachine.message(at: offset)]))
            case .viewMessage(.messageID(let id)):
                answer = .viewedMessage(MessagesResponse(messages: [try stateMachine.message(id: id)]))
            case .topics:
                answer = .topics(TopicsResponse(topics: stateMachine.topicList()))
            case .consumerOffsets(let request):
                if let topic = request.topic { _ = try stateMachine.offsetRange(topic: topic, queueID: 0) }
                let progress = stateMachine.consumerProgress(group: request.group, topic: request.topic)
                answer = .consumerOffsets(ConsumerOffsetsResponse(group: request.group, progress: progress))
            case .describeTopic(let request):
                answer = .topicDescription(try stateMachine.describeTopic(request.topic))
            }
        } catch {
            // A store this node cannot read is its own failure, not the client's bad request.
            let code: ErrorResponse.Code
            if case .unreadable = error {
                code = .internal
                log(.error, "\(error)")
            } else {
                code = .badRequest
            }
            answer = .error(ErrorResponse(code: code, message: error.description), answering: read.query.kind)
        }
        reply(answer, to: read.client, requestID: read.requestID)
    }

    /// A pull against the state machine, its answer cut to ``ReplicaConfiguration/maxPullResponseBytes``.
    /// A pull of an absent topic, when the request treats it as empty, answers as an empty queue
    /// does (``PullRequest/absentTopicIsEmpty``).
    private func pull(_ request: PullRequest) throws(QueryError) -> PullResult {
        var result: PullResult
        do {
            result = try stateMachine.pull(
                topic: request.queue.topic, queueID: request.queue.queueID, offset: request.offset,
                maxCount: Int(min(request.maxCount, UInt32(Int32.max))),
                filter: TagFilter(expression: request.tagExpression))
        } catch .topicNotFound where request.absentTopicIsEmpty {
            let status: PullStatus = request.offset == .zero ? .noNewMessage : .offsetIllegal
            return PullResult(status: status, nextOffset: .zero, minOffset: .zero, maxOffset: .zero, messages: [])
        }
        var bytes = 0
        for (position, message) in result.messages.enumerated() {
            bytes += message.storeSize
            if bytes > configuration.maxPullResponseBytes && position > 0 {
                result.messages.removeSubrange(position...)
                result.nextOffset = result.messages[position - 1].queueOffset.next
                break
            }
        }
        return result
    }

    /// Answers the long polls waiting on `queues` (which just received messages).
    func wakeLongPolls(_ queues: Set<MessageQueue>) {
        guard !queues.isEmpty, !reads.longPolls.isEmpty else { return }
        for (id, poll) in reads.longPollsInOrder where queues.contains(poll.queue) {
            reads.longPolls[id] = nil
            answer(poll.read, mayWait: false)
        }
    }

    /// Answers the long polls whose deadline passed (`NO_NEW_MSG`, or what arrived meanwhile).
    func expireLongPolls() throws(Violation) {
        guard !reads.longPolls.isEmpty else { return }
        for (id, poll) in reads.longPollsInOrder where poll.deadline <= now {
            reads.longPolls[id] = nil
            answer(poll.read, mayWait: false)
        }
    }

    /// Answers every long poll now (this node stopped leading: its clients must find the new
    /// leader rather than wait on a node that will see no new messages).
    func releaseLongPolls() {
        for (id, poll) in reads.longPollsInOrder {
            reads.longPolls[id] = nil
            answer(poll.read, mayWait: false)
        }
    }

    /// Forgets what `client` waits for (its connection closed).
    func forget(_ client: ClientID) {
        writes.forget(client)
        reads.forget(client)
    }
}
