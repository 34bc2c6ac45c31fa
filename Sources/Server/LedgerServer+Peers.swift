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

    private func sendHandshake(_ link: PeerLink, _ connection: Connection) {
        let me = options.me
        send(
            .handshakeRequest(PeerHandshake(group: options.group, nodeID: me.id, nodeName: me.name)),
            requestID: 0, on: connection)
        link.handshakeSent(connection)
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
            frames = try connection.readFrames()
        } catch {
            close(connection, reason: error.description)
            return
        }
        for frame in frames {
            switch Result(catching: { () throws(WireError) in try WireCodec.decode(frame) }) {
            case .success(.handshakeResponse(let peer)) where peer.nodeID == link.member.id:
                link.connected(connection)
                logger.info(term: replica.term.rawValue, "peer \(link.member.name) up at \(link.member.address)")
                recordEvent(.info, term: replica.term.rawValue, "peer \(link.member.name) up at \(link.member.address)")
            case .success(.statusResponse(let status)) where status.nodeID == link.member.id:
                link.statusReceived(status, at: .now)
            case .success(.errorResponse(let error, _)):
                close(connection, reason: "refused: \(error)")
                return
            case .success(let message):
                close(connection, reason: "unexpected \(message.opcode) on an outbound peer link")
                return
            case .failure(let error):
                close(connection, reason: "malformed frame: \(error)")
                return
            }
        }
    }

    /// The link lost its connection: log the outage once and retry after a backoff.
    func linkFailed(_ link: PeerLink, reason: String) {
        unreachablePeers.append(link.member.id)
        let wasUp = link.isConnected
        let wasDown = link.isDown
        let delay = link.failed(reason: reason)
        if wasUp || !wasDown {
            logger.warning(term: replica.term.rawValue, "peer \(link.member.name) down: \(reason)")
            recordEvent(.warning, term: replica.term.rawValue, "peer \(link.member.name) down: \(reason)")
        }
        guard stopReason == nil else { return }
        loop.schedule(after: delay) { [unowned self] in
            if stopReason == nil, case .idle = link.state { connect(link) }
        }
    }

    /// How often the node asks each peer for its status, for `/api/group`.
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
