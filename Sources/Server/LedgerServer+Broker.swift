import Bytes
import LedgerModel
import Posix
import Raft
import Remoting
import Replica

/// The broker port's requests: translated into the node core's requests (sends, pulls,
/// offsets), or answered from the consumer groups' membership (heartbeats, consumer lists;
/// a membership change is pushed to the group's members).
/// The core's replies come back through ``answerRemoting(_:requestID:on:)``.
extension LedgerServer {
    func handleBroker(_ command: RemotingCommand, on connection: RemotingConnection) {
        let translated: BrokerRequest
        do {
            translated = try BrokerRequest(command, bornHost: connection.remoteHost)
        } catch {
            if case .malformed = error {
                logger.warning(term: replica.term.rawValue, "\(connection.label): \(command.requestCode): \(error)")
            }
            return answer(error.response(to: command), to: command, on: connection)
        }
        noteProducer(translated, on: connection)
        let request: ClientRequest
        let awaiting: RemotingConnection.Awaiting
        switch translated {
        case .heartbeat(let heartbeat):
            let joined = consumerGroups.record(
                heartbeat, connection: connection.id, address: connection.remoteHost.description,
                now: WallClock.nowMilliseconds())
            answer(.response(to: command), to: command, on: connection)
            return notifyConsumerIDsChanged(joined)
        case .unregisterClient(let clientID, let group):
            let left = consumerGroups.unregister(clientID, group: group)
            answer(.response(to: command), to: command, on: connection)
            return notifyConsumerIDsChanged(left)
        case .consumerList(let group):
            let members = consumerGroups.members(of: group, now: WallClock.nowMilliseconds())
            return answer(.consumerListResponse(members, to: command), to: command, on: connection)
        default:
            (request, awaiting) = Self.coreRequest(translated, oneWay: command.isOneWay)
        }
        guard let remoting = options.remoting, connection.pending.count < remoting.maxPendingPerConnection else {
            let remark = "\(connection.pending.count) requests of this connection are in progress; retry later"
            return answer(.response(to: command, code: .systemBusy, remark: remark), to: command, on: connection)
        }
        if case .pull(_, let commit?) = translated { commitPiggybacked(commit, for: command, on: connection) }
        let requestID = connection.makeRequestID()
        // A one-way send gets no reply from the core; every other request does, answered or not.
        let coreReplies: Bool =
            switch awaiting {
            case .send, .endTransaction: !command.isOneWay
            default: true
            }
        if coreReplies { connection.pending[requestID] = .init(answering: command, awaiting: awaiting) }
        metrics.received(request.kind)
        deliver(.request(request, from: ClientID(connection.id), requestID: requestID))
    }

    /// The node core's request for a broker request the core answers, and what its reply will
    /// answer. Membership requests (34, 35, 38) are the front end's own and never get here.
    private static func coreRequest(_ translated: BrokerRequest, oneWay: Bool) -> (
        ClientRequest, RemotingConnection.Awaiting
    ) {
        switch translated {
        case .send(let send):
            return (.send(send, oneWay: oneWay), .send)
        case .pull(let pull, _):
            return (.read(.pull(pull)), .pull)
        case .queryConsumerOffset(let group, let queue):
            // All of the group's offsets: a topic the store does not hold yet (a retry topic)
            // then answers "none committed" instead of an error.
            return (.read(.consumerOffsets(ConsumerOffsetsRequest(group: group))), .consumerOffset(queue))
        case .updateConsumerOffset(let commit):
            return (.commitOffset(CommitOffsetRequest(commit: commit)), .commit)
        case .maxOffset(let queue):
            return (.read(.queueOffsets(queue)), .maxOffset)
        case .minOffset(let queue):
            return (.read(.queueOffsets(queue)), .minOffset)
        case .searchOffset(let search):
            return (.read(.searchOffset(search)), .searchOffset)
        case .viewMessage(let offset):
            return (.read(.viewMessage(.physicalOffset(offset))), .viewMessage)
        case .queryMessage(let lookup, let storedWithin):
            return (.read(.messagesByKey(lookup)), .queryMessage(storedWithin: storedWithin))
        case .allTopicConfig:
            return (.read(.topics), .topicConfig)
        case .updateTopic(let update):
            return (.updateTopic(update), .topicUpdate)
        case .deleteTopic(let deletion):
            return (.deleteTopic(deletion), .topicDeletion)
        case .earliestStoreTime(let queue):
            return (
                .read(.describeTopic(TopicDescriptionRequest(topic: queue.topic))),
                .earliestStoreTime(queueID: queue.queueID)
            )
        case .sendBack(let sendBack):
            return (.sendBack(sendBack), .sendBack)
        case .endTransaction(let end):
            return (.endTransaction(end, oneWay: oneWay), .endTransaction)
        case .lockQueues(let request):
            return (.lockQueues(request.queueLockRequest), .lockQueues(request))
        case .unlockQueues(let request):
            return (.unlockQueues(request.queueLockRequest), .unlockQueues)
        case .heartbeat, .unregisterClient, .consumerList:
            preconditionFailure("\(translated) is answered by the front end, not the core")
        }
    }

    /// Records the offset commit a pull carries (PULL_MESSAGE's COMMIT_OFFSET flag) through the
    /// log, as the Java broker records it before serving the pull. Its answer is dropped: a
    /// refusal (a topic not created yet, an offset past the queue's end, not the leader)
    /// changes nothing, and the client commits again with its next pull and every 5 s (15).
    private func commitPiggybacked(_ commit: OffsetCommit, for pull: RemotingCommand, on connection: RemotingConnection)
    {
        let requestID = connection.makeRequestID()
        connection.pending[requestID] = .init(answering: pull, awaiting: .piggybackedCommit)
        metrics.received(.commitOffset)
        deliver(
            .request(
                .commitOffset(CommitOffsetRequest(commit: commit)), from: ClientID(connection.id), requestID: requestID)
        )
    }

    /// Answers the broker request `requestID` of `connection` with the core's `reply`.
    func answerRemoting(_ reply: ClientReply, requestID: UInt64, on connection: RemotingConnection) {
        guard let pending = connection.pending.removeValue(forKey: requestID) else { return }
        if case .piggybackedCommit = pending.awaiting { return }
        let request = pending.request
        let response: RemotingCommand
        switch (reply, pending.awaiting) {
        case (.error(let error, _), _):
            response = .errorResponse(error, to: request)
        case (.sent(let sent), .send):
            // The most frequent answer: encoded without building the command.
            return answer(request, on: connection) { (outbound) throws(EncodeError) in
                try RemotingCommand.encodeSendResponse(sent, to: request, into: &outbound)
            }
        case (.pulled(let pulled), .pull):
            response = .pullResponse(pulled.result, to: request)
        case (.consumerOffsets(let offsets), .consumerOffset(let queue)):
            response = .consumerOffsetResponse(offsets, queue: queue, to: request)
        case (.queueOffsets(let offsets), .maxOffset):
            response = .offsetResponse(offsets.range.maxOffset, to: request)
        case (.queueOffsets(let offsets), .minOffset):
            response = .offsetResponse(offsets.range.minOffset, to: request)
        case (.offsetCommitted, .commit), (.topicUpdated, .topicUpdate), (.topicDeleted, .topicDeletion),
            (.sentBack, .sendBack), (.transactionEnded, .endTransaction), (.queuesUnlocked, .unlockQueues):
            response = .response(to: request)
        case (.queuesLocked(let held), .lockQueues(let asked)):
            let locked = asked.queues.filter { held.contains(MessageQueue(topic: $0.topic, queueID: $0.queueID)) }
            response = .response(to: request, body: LockBatchRequest.lockedBody(locked)[...])
        case (.topicDescription(let description), .earliestStoreTime(let queueID)):
            response = .earliestStoreTimeResponse(description, queueID: queueID, to: request)
        case (.searchedOffset(let found), .searchOffset):
            response = .offsetResponse(found.offset, to: request)
        case (.viewedMessage(let viewed), .viewMessage) where viewed.messages.count == 1:
            response = .viewMessageResponse(viewed.messages[0], to: request)
        case (.topics(let topics), .topicConfig):
            response = .topicConfigResponse(topics.topics, to: request)
        case (.messagesByKey(let found), .queryMessage(let storedWithin)):
            response = .queryMessageResponse(found.messages, storedWithin: storedWithin, to: request)
        default:
            preconditionFailure("the core answered a \(pending.awaiting) request with \(reply.requestKind)")
        }
        answer(response, to: request, on: connection)
    }
}
