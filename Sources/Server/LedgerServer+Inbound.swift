import CommitLog
import FileIO
import LedgerModel
import LogStore
import Posix
import Raft
import Replica
import Wire

extension LedgerServer {
    /// Input on an accepted connection: a peer's handshake and Raft messages, or client requests.
    func handleInbound(_ connection: Connection, _ readiness: Interest) {
        if readiness.contains(.writable) { flush(connection) }
        guard readiness.contains(.readable) || readiness.contains(.hangup) else { return }
        let frames: [Frame]
        do {
            frames = try connection.readFrames()
        } catch {
            if case .malformed = error {
                logger.warning(term: replica.term.rawValue, "closing \(connection.label): \(error)")
            }
            close(connection, reason: error.description)
            return
        }
        for frame in frames {
            let message: WireMessage
            do {
                message = try WireCodec.decode(frame)
            } catch {
                logger.warning(
                    term: replica.term.rawValue,
                    "closing \(connection.label): malformed \(frame.opcode) frame: \(error)")
                if !frame.opcode.isRaft && !frame.flags.contains(.response) && !frame.flags.contains(.oneWay) {
                    metrics.answered(frame.opcode, result: ErrorResponse.Code.badRequest.metricLabel)
                    send(
                        .errorResponse(
                            ErrorResponse(code: .badRequest, message: error.description), answering: frame.opcode),
                        requestID: frame.requestID, on: connection)
                    flush(connection)
                }
                close(connection, reason: "malformed frame")
                return
            }
            guard handle(message, requestID: frame.requestID, on: connection) else { return }
        }
    }

    /// Returns false when the connection was closed.
    private func handle(_ message: WireMessage, requestID: UInt64, on connection: Connection) -> Bool {
        let client = ClientID(connection.id)
        switch message {
        case .raft(let raft):
            guard inboundPeers[connection.id] == raft.from, raft.to == options.selfID else {
                logger.warning(
                    term: replica.term.rawValue,
                    "closing \(connection.label): Raft message from \(raft.from) without its handshake")
                close(connection, reason: "Raft message without handshake")
                return false
            }
            if !isolatedFrom.contains(raft.from) { deliver(.peerMessage(raft)) }
        case .handshakeRequest(let peer):
            guard peer.group == options.group, peer.nodeID != options.selfID,
                let member = options.member(peer.nodeID)
            else {
                let reason = "node \(peer.nodeName) of group \(peer.group) is not a member of group \(options.group)"
                logger.warning(term: replica.term.rawValue, "refusing a peer: \(reason)")
                send(
                    .errorResponse(ErrorResponse(code: .badRequest, message: reason), answering: .handshake),
                    requestID: requestID, on: connection)
                return true
            }
            inboundPeers[connection.id] = member.id
            connection.label = "peer \(member.name) (inbound)"
            let me = options.me
            send(
                .handshakeResponse(PeerHandshake(group: options.group, nodeID: me.id, nodeName: me.name)),
                requestID: requestID, on: connection)
        case .faultInjectionRequest(let request):
            injectFaults(request, requestID: requestID, on: connection)
        case .statusRequest:
            submit(.status, from: client, requestID: requestID)
        case .appendRequest(let request):
            submit(.append(request), from: client, requestID: requestID)
        case .getRequest(let request):
            submit(.get(request), from: client, requestID: requestID)
        case .transferLeaderRequest(let request):
            submit(.transferLeader(request), from: client, requestID: requestID)
        case .sendRequest(let request):
            submit(.send(stampBornHost(request, connection), oneWay: false), from: client, requestID: requestID)
        case .sendOneWay(let request):
            submit(.send(stampBornHost(request, connection), oneWay: true), from: client, requestID: requestID)
        case .commitOffsetRequest(let request):
            submit(.commitOffset(request), from: client, requestID: requestID)
        case .pullRequest(let request):
            submit(.read(.pull(request)), from: client, requestID: requestID)
        case .queueOffsetsRequest(let request):
            submit(.read(.queueOffsets(request.queue)), from: client, requestID: requestID)
        case .searchOffsetRequest(let request):
            submit(.read(.searchOffset(request)), from: client, requestID: requestID)
        case .messagesByKeyRequest(let request):
            submit(.read(.messagesByKey(request)), from: client, requestID: requestID)
        case .viewMessageRequest(let request):
            submit(.read(.viewMessage(request)), from: client, requestID: requestID)
        case .topicsRequest:
            submit(.read(.topics), from: client, requestID: requestID)
        case .consumerOffsetsRequest(let request):
            submit(.read(.consumerOffsets(request)), from: client, requestID: requestID)
        case .handshakeResponse, .statusResponse, .appendResponse, .getResponse, .transferLeaderResponse,
            .faultInjectionResponse, .errorResponse, .sendResponse, .pullResponse, .queueOffsetsResponse,
            .searchOffsetResponse, .messagesByKeyResponse, .viewMessageResponse, .topicsResponse,
            .commitOffsetResponse, .consumerOffsetsResponse:
            logger.warning(
                term: replica.term.rawValue, "closing \(connection.label): it sent a response, not a request")
            close(connection, reason: "unexpected response")
            return false
        }
        return true
    }

    /// Counts a decoded client request and hands it to the replica.
    private func submit(_ request: ClientRequest, from client: ClientID, requestID: UInt64) {
        metrics.received(request.kind)
        deliver(.request(request, from: client, requestID: requestID))
    }

    /// The messages of `request`, each with the client's address as its born host.
    private func stampBornHost(_ request: SendRequest, _ connection: Connection) -> SendRequest {
        var request = request
        for position in request.messages.indices { request.messages[position].bornHost = connection.remoteHost }
        return request
    }

    /// Test only: drops Raft traffic to and from the chosen peers (a partition inside the node).
    private func injectFaults(_ request: FaultInjectionRequest, requestID: UInt64, on connection: Connection) {
        guard options.faultInjection else {
            let message = "fault injection is disabled; start the node with --fault-injection (test only)"
            send(
                .errorResponse(ErrorResponse(code: .badRequest, message: message), answering: .faultInjection),
                requestID: requestID, on: connection)
            return
        }
        isolatedFrom = request.isolatedFrom
        let names = isolatedFrom.map { options.member($0)?.name ?? "\($0)" }
        logger.warning(
            term: replica.term.rawValue,
            names.isEmpty
                ? "fault injection: partition healed"
                : "fault injection: dropping Raft traffic with \(names.joined(separator: ", "))")
        send(.faultInjectionResponse, requestID: requestID, on: connection)
    }
}
