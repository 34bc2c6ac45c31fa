import Admin
import LedgerModel
import Posix
import Raft
import Replica
import Wire

extension LedgerServer: ReplicaHost {
    /// Performs one of the replica's actions: queue a frame, start a sync or a persist on its
    /// thread, write a log line, or stop the node.
    public func perform(_ action: ReplicaAction) {
        switch action {
        case .send(let message):
            sendToPeer(message)
        case .sendSnapshot(let chunk):
            sendToPeer(chunk)
        case .transmit:
            writeDirtyConnections()
        case .reply(let reply, let client, let requestID):
            metrics.answered(reply)
            guard let connection = connections[client.rawValue] else {
                if let remoting = remotingConnections[client.rawValue] {
                    metrics.delivered(reply)
                    answerRemoting(reply, requestID: requestID, on: remoting)
                }
                return
            }
            metrics.delivered(reply)
            send(reply.wireMessage, requestID: requestID, on: connection)
        case .sync(let pending):
            disk.submit(pending)
        case .persist(let pending):
            persister.submit(pending)
        case .log(let level, let line):
            let term = replica?.term.rawValue
            switch level {
            case .info: logger.info(term: term, line)
            case .warning: logger.warning(term: term, line)
            case .error: logger.error(term: term, line)
            }
            recordEvent(level, term: term, line)
        case .checkTransaction(let check):
            checkTransaction(check)
        case .stop(let failure):
            if stopReason == nil { stopReason = .failure(ServerError(failure)) }
        }
    }
}

extension LedgerServer {
    /// Keeps one logged event for `/api/events` (the ring drops the oldest when full).
    func recordEvent(_ level: ReplicaLogLevel, term: UInt64?, _ message: String) {
        let name =
            switch level {
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        events.record(NodeEvent(timeMs: WallClock.nowMilliseconds(), level: name, term: term, message: message))
    }
}

extension ClientReply {
    /// This answer as our own protocol's response frame.
    var wireMessage: WireMessage {
        switch self {
        case .status(let status): .statusResponse(status)
        case .appended(let response): .appendResponse(response)
        case .entry(let response): .getResponse(response)
        case .transferStarted: .transferLeaderResponse
        case .sent(let response): .sendResponse(response)
        case .sentBack(let response): .sendBackResponse(response)
        case .transactionEnded: .endTransactionResponse
        case .queuesLocked(let queues): .consumerGroupResponse(.lock(queues))
        case .queuesUnlocked: .consumerGroupResponse(.unlock)
        case .offsetCommitted: .commitOffsetResponse
        case .pulled(let response): .pullResponse(response)
        case .queueOffsets(let response): .queueOffsetsResponse(response)
        case .searchedOffset(let response): .searchOffsetResponse(response)
        case .messagesByKey(let response): .messagesByKeyResponse(response)
        case .viewedMessage(let response): .viewMessageResponse(response)
        case .topics(let response): .topicsResponse(response)
        case .consumerOffsets(let response): .consumerOffsetsResponse(response)
        case .topicUpdated(let topic): .updateTopicResponse(topic)
        case .topicDeleted: .deleteTopicResponse
        case .topicDescription(let description): .describeTopicResponse(description)
        case .error(let error, let kind): .errorResponse(error, answering: Opcode(kind))
        }
    }
}

extension Opcode {
    /// The opcode of a request of `kind`.
    init(_ kind: RequestKind) {
        self =
            switch kind {
            case .status: .status
            case .append: .append
            case .get: .get
            case .transferLeader: .transferLeader
            case .send: .send
            case .commitOffset: .commitOffset
            case .pull: .pull
            case .queueOffsets: .queueOffsets
            case .searchOffset: .searchOffset
            case .messagesByKey: .messagesByKey
            case .viewMessage: .viewMessage
            case .topics: .topics
            case .consumerOffsets: .consumerOffsets
            case .updateTopic: .updateTopic
            case .deleteTopic: .deleteTopic
            case .describeTopic: .describeTopic
            case .sendBack: .sendBack
            case .endTransaction: .endTransaction
            case .lockQueues: .lockQueues
            case .unlockQueues: .unlockQueues
            }
    }
}
