import LedgerModel
import Posix
import Raft
import Replica
import Wire

extension LedgerServer {
    /// Starts (or restarts) the outbound connection of `link`.
    func connect(_ link: PeerLink) {
        do {
            let (socket, inProgress) = try Socket.connect(to: link.member.address, nonBlocking: true)
            try socket.setNoDelay()
            let connection = makeConnection(socket, label: "peer \(link.member.name)")
            link.startConnecting(connection, established: !inProgress)
            try loop.register(socket.fd, for: inProgress ? .writable : .readable) { [unowned self] readiness in
                handleOutbound(link, connection, readiness)
            }
            if !inProgress { sendHandshake(link, connection) }
        } catch {
            linkFailed(link, reason: error.description)
        }
    }

    /// Opens the challenge–response on a new outbound connection: the handshake with a fresh nonce.
    private func sendHandshake(_ link: PeerLink, _ connection: Connection) {
        let nonce: [UInt8]
        do {
            nonce = try SystemRandom.bytes(count: PeerHandshake.nonceByteCount)
        } catch {
            close(connection, reason: "cannot draw a handshake nonce: \(error)")
            return
        }
        let authentication = OutboundPeerAuthentication(
            context: options.peerAuthentication, peer: link.member.id, nonce: nonce)
        send(.handshakeRequest(authentication.handshake), requestID: 0, on: connection)
        link.handshakeSent(connection, authentication)
    }

    private func handleOutbound(_ link: PeerLink, _ connection: Connection, _ readiness: Interest) {
        if case .connecting = link.state {
            let code = connection.socket.pendingError()
            guard code == 0 else {
                close(
                    connection,
                    reason: SystemError("connect", subject: link.member.address.description, errno: code).description)
                return
            }
            do {
                try loop.watch(connection.socket.fd, for: .readable)
            } catch {
                close(connection, reason: error.description)
                return
            }
            sendHandshake(link, connection)
            return
        }
        if readiness.contains(.writable) { flush(connection) }
        guard readiness.contains(.readable) || readiness.contains(.hangup) else { return }
        let frames: [Frame]
        do {
            frames = try connection.readFrames(using: &readScratch)
        } catch {
            let during =
                link.isConnected ? "" : " during authentication (do both nodes use the same clusterSecretFile?)"
            close(connection, reason: "\(error)\(during)")
            return
        }
        for frame in frames {
            let message: WireMessage
            do {
                message = try WireCodec.decode(frame)
            } catch {
                close(connection, reason: "malformed frame: \(error)")
                return
            }
            // Once authenticated, the link also carries the answers to this node's status polls.
            if link.isConnected, case .statusResponse(let status) = message, status.nodeID == link.member.id {
                link.statusReceived(status, at: .now)
                continue
            }
            guard authenticate(link, connection, message) else { return }
        }
    }

    /// Steps the link's challenge–response with `message` from the acceptor. Returns false when
    /// the connection was closed. Nothing but the handshake's frames may arrive on a link.
    private func authenticate(_ link: PeerLink, _ connection: Connection, _ message: WireMessage) -> Bool {
        guard var authentication = link.authentication, !authentication.isAuthenticated else {
            close(connection, reason: "unexpected \(message.opcode) on an outbound peer link")
            return false
        }
        let refusal: PeerRefusal?
        switch message {
        case .handshakeResponse(let answer):
            switch authentication.handshakeResponseReceived(answer) {
            case .prove(let proof):
                send(.peerProof(proof), requestID: 0, on: connection, lane: .control)
                refusal = nil
            case .refuse(let reason):
                refusal = reason
            }
        case .peerProof(let proof):
            refusal = authentication.proofReceived(proof)
        case .errorResponse(let error, _):
            close(connection, reason: "refused: \(error)")
            return false
        default:
            close(connection, reason: "unexpected \(message.opcode) on an outbound peer link")
            return false
        }
        link.authentication = authentication
        if let refusal {
            close(connection, reason: "refusing \(link.member.name) at \(link.member.address): \(refusal)")
            return false
        }
        if authentication.isAuthenticated {
            link.connected(connection)
            let how = options.clusterSecret == nil ? "unauthenticated" : "authenticated"
            let line = "peer \(link.member.name) up at \(link.member.address) (\(how))"
            logger.info(term: replica.term.rawValue, line)
            recordEvent(.info, term: replica.term.rawValue, line)
        }
        return true
    }

    /// The link lost its connection: log the outage (once per cause) and retry after a backoff.
    func linkFailed(_ link: PeerLink, reason: String) {
        unreachablePeers.append(link.member.id)
        let (delay, log) = link.failed(reason: reason)
        if log {
            logger.warning(term: replica.term.rawValue, "peer \(link.member.name) down: \(reason)")
            recordEvent(.warning, term: replica.term.rawValue, "peer \(link.member.name) down: \(reason)")
        }
        guard stopReason == nil else { return }
        loop.schedule(after: delay) { [unowned self] in
            if stopReason == nil, case .idle = link.state { connect(link) }
        }
    }

    /// How often the node asks each peer for its status, for `/api/group` and for the members'
    /// disk use (the disk-full refusal and the choice of a member to hand leadership to).
    static let statusPollInterval: Duration = .milliseconds(500)

    /// Asks every connected peer for its status (a `status` request in the link's control lane,
    /// answered like any client's), then again after ``statusPollInterval``. The answers arrive
    /// on the links and are kept there, so `/api/group` renders from memory at once.
    func pollPeerStatus() {
        guard stopReason == nil else { return }
        for link in links {
            guard case .connected(let connection) = link.state else { continue }
            send(.statusRequest, requestID: 0, on: connection, lane: .control)
        }
        loop.schedule(after: Self.statusPollInterval) { [unowned self] in pollPeerStatus() }
    }

    /// Sends a Raft message over its peer's outbound link; a message for an unreachable peer
    /// is dropped (Raft retransmits what matters).
    ///
    /// Appends go in the connection's bulk lane; heartbeats, votes and answers in its control
    /// lane, ahead of entries still waiting. An append the connection cannot take is reported to
    /// the replica, which resumes from what the peer acknowledged.
    /// Queues a piece of a snapshot for its peer on the bulk lane (dropped when the peer is
    /// unreachable: the leader offers the snapshot again).
    func sendToPeer(_ chunk: SnapshotChunk) {
        guard !isolatedFrom.contains(chunk.to),
            let link = links.first(where: { $0.member.id == chunk.to }),
            case .connected(let connection) = link.state
        else { return }
        if !send(.snapshotChunk(chunk), requestID: 0, on: connection, lane: .bulk) {
            unreachablePeers.append(chunk.to)
        }
    }

    func sendToPeer(_ message: Message) {
        guard !isolatedFrom.contains(message.to),
            let link = links.first(where: { $0.member.id == message.to }),
            case .connected(let connection) = link.state
        else { return }
        let lane: OutboundQueue.Lane
        if case .append = message.body { lane = .bulk } else { lane = .control }
        if !send(.raft(message), requestID: 0, on: connection, lane: lane), lane == .bulk {
            unreachablePeers.append(message.to)
        }
    }
}
