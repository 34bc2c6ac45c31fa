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
            frames = try connection.readFrames(using: &readScratch)
        } catch {
            if case .malformed = error {
                logger.warning(term: replica.term.rawValue, "closing \(connection.label): \(error)")
            }
            close(connection, reason: error.description)
            return
        }
        for frame in frames {
            let message: WireMessage
            let signature: RequestSignature?
            do {
                (message, signature) = try WireCodec.decodeReceived(frame)
            } catch {
                if frame.opcode == .handshake || frame.opcode.isOneWayOnly {
                    // Peer traffic: refused and logged at most once a minute per address, like
                    // a failed proof (a node of an older build sends a handshake without a nonce).
                    refusePeer(connection, .malformed(opcode: frame.opcode.name, error.description))
                    return
                }
                logger.warning(
                    term: replica.term.rawValue,
                    "closing \(connection.label): malformed \(frame.opcode) frame: \(error)")
                if !frame.opcode.isOneWayOnly && !frame.flags.contains(.response) && !frame.flags.contains(.oneWay) {
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
            guard authorizeWire(message, signature: signature, requestID: frame.requestID, on: connection) else {
                continue
            }
            guard handle(message, requestID: frame.requestID, on: connection) else { return }
        }
    }

    /// Returns false when the connection was closed.
    private func handle(_ message: WireMessage, requestID: UInt64, on connection: Connection) -> Bool {
        let client = ClientID(connection.id)
        switch message {
        case .raft(let raft):
            guard var authentication = peerAuthentications[connection.id] else {
                refusePeer(connection, .outOfOrder("a Raft message without a handshake"))
                return false
            }
            // The hot path: an admitted message leaves the state as it was, so only a refusal
            // (final, and read back for its log line) is stored.
            if let refusal = authentication.admit(raft) {
                peerAuthentications[connection.id] = authentication
                refusePeer(connection, refusal)
                return false
            }
            if !isolatedFrom.contains(raft.from) { deliver(.peerMessage(raft)) }
        case .snapshotChunk(let chunk):
            guard var authentication = peerAuthentications[connection.id] else {
                refusePeer(connection, .outOfOrder("a snapshot chunk without a handshake"))
                return false
            }
            if let refusal = authentication.admit(chunk) {
                peerAuthentications[connection.id] = authentication
                refusePeer(connection, refusal)
                return false
            }
            if !isolatedFrom.contains(chunk.from) { deliver(.snapshotChunk(chunk)) }
        case .handshakeRequest(let hello):
            return peerHandshakeReceived(hello, requestID: requestID, on: connection)
        case .peerProof(let proof):
            return peerProofReceived(proof, on: connection)
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
        case .updateTopicRequest(let request):
            submit(.updateTopic(request), from: client, requestID: requestID)
        case .deleteTopicRequest(let request):
            submit(.deleteTopic(request), from: client, requestID: requestID)
        case .describeTopicRequest(let request):
            submit(.read(.describeTopic(request)), from: client, requestID: requestID)
        case .sendBackRequest(let request):
            submit(.sendBack(request), from: client, requestID: requestID)
        case .endTransactionRequest(let request):
            submit(.endTransaction(request, oneWay: false), from: client, requestID: requestID)
        case .endTransactionOneWay(let request):
            submit(.endTransaction(request, oneWay: true), from: client, requestID: requestID)
        case .consumerGroupRequest(let request):
            serveConsumerGroup(request, requestID: requestID, on: connection)
        case .handshakeResponse, .statusResponse, .appendResponse, .getResponse, .transferLeaderResponse,
            .faultInjectionResponse, .errorResponse, .sendResponse, .pullResponse, .queueOffsetsResponse,
            .searchOffsetResponse, .messagesByKeyResponse, .viewMessageResponse, .topicsResponse,
            .commitOffsetResponse, .consumerOffsetsResponse, .updateTopicResponse, .deleteTopicResponse,
            .describeTopicResponse, .sendBackResponse, .endTransactionResponse, .consumerGroupResponse:
            logger.warning(
                term: replica.term.rawValue, "closing \(connection.label): it sent a response, not a request")
            close(connection, reason: "unexpected response")
            return false
        }
        return true
    }

    /// A connector introduced itself: answer with this node's handshake and a fresh nonce, or
    /// refuse (`badRequest`) and close. Returns false when the connection was closed.
    private func peerHandshakeReceived(_ hello: PeerHandshake, requestID: UInt64, on connection: Connection) -> Bool {
        let nonce: [UInt8]
        do {
            nonce = try SystemRandom.bytes(count: PeerHandshake.nonceByteCount)
        } catch {
            logger.error(term: replica.term.rawValue, "cannot draw a handshake nonce: \(error)")
            close(connection, reason: "no nonce")
            return false
        }
        let context = options.peerAuthentication
        var authentication = peerAuthentications[connection.id] ?? InboundPeerAuthentication(context: context)
        let step = authentication.handshakeReceived(hello, nonce: nonce)
        peerAuthentications[connection.id] = authentication
        switch step {
        case .answer(let answer):
            connection.label = "peer \(hello.nodeName) (inbound, authenticating)"
            send(.handshakeResponse(answer), requestID: requestID, on: connection, lane: .control)
            return true
        case .refuse(let refusal):
            send(
                .errorResponse(ErrorResponse(code: .badRequest, message: refusal.description), answering: .handshake),
                requestID: requestID, on: connection, lane: .control)
            flush(connection)
            refusePeer(connection, refusal)
            return false
        }
    }

    /// The connector's proof: on success the connection is the peer's and this node answers
    /// with its own proof; otherwise it is closed. Returns false when the connection was closed.
    private func peerProofReceived(_ proof: PeerProof, on connection: Connection) -> Bool {
        guard var authentication = peerAuthentications[connection.id] else {
            refusePeer(connection, .outOfOrder("a proof without a handshake"))
            return false
        }
        let step = authentication.proofReceived(proof)
        peerAuthentications[connection.id] = authentication
        switch step {
        case .authenticated(let peer, let answer):
            connection.label = "peer \(peer.nodeName) (inbound)"
            send(.peerProof(answer), requestID: 0, on: connection, lane: .control)
            let how = options.clusterSecret == nil ? "unauthenticated" : "authenticated"
            logger.info(term: replica.term.rawValue, "inbound link from \(peer.nodeName) up (\(how))")
            return true
        case .refuse(let refusal):
            refusePeer(connection, refusal)
            return false
        }
    }

    /// Closes a connection whose peer handshake or Raft traffic was refused, and logs why with
    /// the remote address: at most one line per address per minute (``RefusalLog``).
    private func refusePeer(_ connection: Connection, _ refusal: PeerRefusal) {
        let claimedPeer = peerAuthentications[connection.id]?.claimedPeer
        let address = connection.remoteAddress
        close(connection, reason: "refused: \(refusal)")
        guard let suppressed = refusals.record(address: address?.host ?? "unknown", now: ContinuousClock().now) else {
            return
        }
        let who = claimedPeer.map { " claiming to be \($0.nodeName) of group \(String(reflecting: $0.group))" } ?? ""
        let earlier = suppressed > 0 ? " (\(suppressed) more refusals from this address since the last line)" : ""
        logger.warning(
            term: replica.term.rawValue,
            "refused a peer connection from \(address?.description ?? "an unknown address")\(who): \(refusal)\(earlier)"
        )
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
