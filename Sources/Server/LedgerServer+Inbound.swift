import CommitLog
import LedgerModel
import LogStore
import Posix
import Raft
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
                logger.warning(term: core.term.rawValue, "closing \(connection.label): \(error)")
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
                    term: core.term.rawValue, "closing \(connection.label): malformed \(frame.opcode) frame: \(error)")
                if !frame.opcode.isRaft && !frame.flags.contains(.response) && !frame.flags.contains(.oneWay) {
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
        switch message {
        case .raft(let raft):
            guard inboundPeers[connection.id] == raft.from, raft.to == options.selfID else {
                logger.warning(
                    term: core.term.rawValue,
                    "closing \(connection.label): Raft message from \(raft.from) without its handshake")
                close(connection, reason: "Raft message without handshake")
                return false
            }
            if isolatedFrom.contains(raft.from) { return true }
            do {
                try core.step(raft)
            } catch {
                if case .storageFailed = error { stopReason = .failure(.configuration("raft: \(error)")) }
                logger.warning(term: core.term.rawValue, "ignored a message from \(connection.label): \(error)")
            }
        case .handshakeRequest(let peer):
            guard peer.group == options.group, peer.nodeID != options.selfID,
                let member = options.member(peer.nodeID)
            else {
                let reason = "node \(peer.nodeName) of group \(peer.group) is not a member of group \(options.group)"
                logger.warning(term: core.term.rawValue, "refusing a peer: \(reason)")
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
        case .statusRequest:
            send(.statusResponse(status), requestID: requestID, on: connection)
        case .appendRequest(let request):
            handleAppend(request, requestID: requestID, on: connection)
        case .getRequest(let request):
            handleGet(request, requestID: requestID, on: connection)
        case .transferLeaderRequest(let request):
            do {
                try core.transferLeadership(to: request.target)
                logger.info(
                    term: core.term.rawValue,
                    "handing leadership to \(options.member(request.target)?.name ?? "\(request.target)")")
                send(.transferLeaderResponse, requestID: requestID, on: connection)
            } catch {
                send(
                    .errorResponse(errorResponse(for: error), answering: .transferLeader), requestID: requestID,
                    on: connection)
            }
        case .faultInjectionRequest(let request):
            guard options.faultInjection else {
                let message = "fault injection is disabled; start the node with --fault-injection (test only)"
                send(
                    .errorResponse(ErrorResponse(code: .badRequest, message: message), answering: .faultInjection),
                    requestID: requestID, on: connection)
                return true
            }
            isolatedFrom = request.isolatedFrom
            let names = isolatedFrom.map { options.member($0)?.name ?? "\($0)" }
            logger.warning(
                term: core.term.rawValue,
                names.isEmpty
                    ? "fault injection: partition healed"
                    : "fault injection: dropping Raft traffic with \(names.joined(separator: ", "))")
            send(.faultInjectionResponse, requestID: requestID, on: connection)
        case .sendRequest(let request):
            handleSend(request, oneWay: false, requestID: requestID, on: connection)
        case .sendOneWay(let request):
            handleSend(request, oneWay: true, requestID: requestID, on: connection)
        case .commitOffsetRequest(let request):
            handleCommitOffset(request, requestID: requestID, on: connection)
        case .pullRequest(let request):
            handleRead(.pull(request), requestID: requestID, on: connection)
        case .queueOffsetsRequest(let request):
            handleRead(.queueOffsets(request.queue), requestID: requestID, on: connection)
        case .searchOffsetRequest(let request):
            handleRead(.searchOffset(request), requestID: requestID, on: connection)
        case .messagesByKeyRequest(let request):
            handleRead(.messagesByKey(request), requestID: requestID, on: connection)
        case .viewMessageRequest(let request):
            handleRead(.viewMessage(request), requestID: requestID, on: connection)
        case .topicsRequest:
            handleRead(.topics, requestID: requestID, on: connection)
        case .consumerOffsetsRequest(let request):
            handleRead(.consumerOffsets(request), requestID: requestID, on: connection)
        case .handshakeResponse, .statusResponse, .appendResponse, .getResponse, .transferLeaderResponse,
            .faultInjectionResponse, .errorResponse, .sendResponse, .pullResponse, .queueOffsetsResponse,
            .searchOffsetResponse, .messagesByKeyResponse, .viewMessageResponse, .topicsResponse,
            .commitOffsetResponse, .consumerOffsetsResponse:
            logger.warning(term: core.term.rawValue, "closing \(connection.label): it sent a response, not a request")
            close(connection, reason: "unexpected response")
            return false
        }
        return true
    }

    var status: StatusResponse {
        let raft = core.status
        let elapsed = startedAt.duration(to: ContinuousClock().now)
        return StatusResponse(
            group: options.group, nodeID: options.selfID, nodeName: options.me.name, role: raft.role, term: raft.term,
            leader: raft.leader, leaderAddress: leaderAddress, lastIndex: raft.lastIndex, commit: raft.commitIndex,
            applied: raft.appliedIndex,
            uptimeMs: UInt64(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            stateApplied: messages.appliedIndex, stateDigest: messages.digest)
    }

    private func handleAppend(_ request: ClientAppendRequest, requestID: UInt64, on connection: Connection) {
        do {
            // The envelope tells the state machine this is not a command: it applies nothing.
            let proposal = try core.propose(EntryPayload.encodeRaw(request.data))
            pendingAppends[proposal.index] = PendingRequest(
                connection: connection.id, requestID: requestID, opcode: .append, term: proposal.term)
        } catch {
            send(.errorResponse(errorResponse(for: error), answering: .append), requestID: requestID, on: connection)
        }
    }

    private func handleGet(_ request: GetRequest, requestID: UInt64, on connection: Connection) {
        let index = request.index
        let commit = core.commitIndex
        guard index >= store.firstIndex, index <= commit else {
            let message =
                index > commit
                ? "entry \(index) is not committed on node \(options.me.name) (commit index \(commit))"
                : "entry \(index) is not in the log (first index \(store.firstIndex))"
            send(
                .errorResponse(ErrorResponse(code: .badRequest, message: message), answering: .get),
                requestID: requestID, on: connection)
            return
        }
        do {
            guard let entry = try core.entries(from: index, through: index).first else { return }
            send(
                .getResponse(GetResponse(index: entry.index, term: entry.term, kind: entry.kind, data: entry.data)),
                requestID: requestID, on: connection)
        } catch {
            send(
                .errorResponse(ErrorResponse(code: .internal, message: error.description), answering: .get),
                requestID: requestID, on: connection)
            stopReason = .failure(.configuration("raft: \(error)"))
        }
    }
}
