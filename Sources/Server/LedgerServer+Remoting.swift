import Bytes
import LedgerModel
import Posix
import Raft
import Remoting
import Replica

#if canImport(Glibc)
    import Glibc
#endif

/// The RocketMQ front end's connections: the broker port (`listenPort`) and the embedded
/// NameServer (`namesrvPort`), both on the node's event loop. Frames that break the framing or
/// whose header does not decode close their connection with one log line.
extension LedgerServer {
    /// Binds the broker and NameServer ports (``ServerOptions/remoting``), if configured.
    static func listenRemoting(_ options: ServerOptions) throws(ServerError) -> [(
        socket: Socket, role: RemotingConnection.Role
    )] {
        guard let remoting = options.remoting else { return [] }
        var bound: [(socket: Socket, role: RemotingConnection.Role)] = []
        let wanted: [(SocketAddress, RemotingConnection.Role, String)] =
            [(remoting.broker, .broker, "listenPort")]
            + (remoting.nameServer.map { [($0, .nameServer, "namesrvPort")] } ?? [])
        for (address, role, key) in wanted {
            do {
                bound.append((try Socket.listen(on: address), role))
            } catch {
                for (socket, _) in bound { socket.close() }
                if error.errno == EADDRINUSE {
                    throw .addressInUse(address: "\(address) (\(key))", source: options.source)
                }
                throw .system(error)
            }
        }
        return bound
    }

    /// Accepts what waits on a RocketMQ port; beyond ``RemotingOptions/maxConnections`` open on
    /// that port, a new connection is closed at once.
    func acceptRemotingConnections(on listener: Socket, _ role: RemotingConnection.Role) {
        guard let remoting = options.remoting else { return }
        acceptPending(on: listener, role == .broker ? .remoting : .nameServer) { socket in
            let open = remotingConnections.values.count { $0.role == role }
            guard open < remoting.maxConnections else {
                refuseOverLimit(socket, on: role == .broker ? .remoting : .nameServer, open: open)
                return
            }
            do {
                try socket.setNoDelay()
                nextConnectionID += 1
                let connection = RemotingConnection(
                    socket: socket, id: nextConnectionID, role: role,
                    remoteHost: HostAddress(parsing: try socket.peerAddress().description) ?? .unspecified,
                    limits: .default, maxOutboundBytes: options.maxOutboundBytesPerConnection)
                try loop.register(socket.fd, for: .readable) { [unowned self] readiness in
                    serveRemoting(connection, readiness)
                }
                remotingConnections[connection.id] = connection
            } catch {
                logger.warning("\(role.rawValue) port: cannot serve a new connection: \(error)")
                socket.close()
            }
        }
    }

    private func serveRemoting(_ connection: RemotingConnection, _ readiness: Interest) {
        if readiness.contains(.writable) { flushRemoting(connection) }
        guard readiness.contains(.readable) || readiness.contains(.hangup) else { return }
        let commands: [RemotingCommand]
        do {
            commands = try connection.readCommands(using: &readScratch)
        } catch {
            if case .malformed = error {
                logger.warning(term: replica.term.rawValue, "closing \(connection.label): \(error)")
            }
            closeRemoting(connection)
            return
        }
        for command in commands where connection.isOpen {
            guard !command.isResponse else {
                logger.warning(
                    term: replica.term.rawValue, "closing \(connection.label): it sent a response, not a request")
                return closeRemoting(connection)
            }
            switch connection.role {
            case .nameServer: answer(nameServerResponse(to: command), to: command, on: connection)
            case .broker: if authorizeRemoting(command, on: connection) { handleBroker(command, on: connection) }
            }
        }
    }

    /// Queues `response` unless `request` wanted none.
    func answer(_ response: RemotingCommand, to request: RemotingCommand, on connection: RemotingConnection) {
        answer(request, on: connection) { (outbound) throws(EncodeError) in
            try response.encode(into: &outbound, as: .json)
        }
    }

    /// Queues the answer `encode` appends to `request`, unless the request is one-way.
    func answer(
        _ request: RemotingCommand, on connection: RemotingConnection,
        encoding encode: (inout [UInt8]) throws(EncodeError) -> Void
    ) {
        guard request.expectsResponse else { return }
        send(on: connection, encoding: encode)
    }

    /// Queues `command` on `connection`; closes it when the client left too much unread.
    func send(_ command: RemotingCommand, on connection: RemotingConnection) {
        send(on: connection) { (outbound) throws(EncodeError) in try command.encode(into: &outbound, as: .json) }
    }

    /// Queues the frame `encode` appends on `connection`; closes it when the client left too
    /// much unread.
    func send(on connection: RemotingConnection, encoding encode: (inout [UInt8]) throws(EncodeError) -> Void) {
        guard connection.isOpen else { return }
        do {
            try connection.queue(encoding: encode)
            remotingDirty.append(connection)
        } catch {
            logger.warning(term: replica.term.rawValue, "closing \(connection.label): \(error)")
            closeRemoting(connection)
        }
    }

    /// Writes what every RocketMQ connection queued this turn.
    func flushRemotingConnections() {
        let pending = remotingDirty
        remotingDirty.removeAll(keepingCapacity: true)
        for connection in pending { flushRemoting(connection) }
    }

    private func flushRemoting(_ connection: RemotingConnection) {
        guard connection.isOpen else { return }
        do {
            let done = try connection.flush()
            if let interest = connection.interestChange(afterFlush: done) {
                try loop.watch(connection.socket.fd, for: interest)
            }
        } catch {
            closeRemoting(connection)
        }
    }

    /// Tells every member of `groups` that its group changed (NOTIFY_CONSUMER_IDS_CHANGED, one-way),
    /// so each rebalances at once instead of at its next periodic rebalance.
    func notifyConsumerIDsChanged(_ groups: [String]) {
        for group in groups {
            for id in consumerGroups.connections(of: group) {
                guard let member = remotingConnections[id] else { continue }
                send(.consumerIDsChanged(group: group, opaque: member.makeOpaque()), on: member)
            }
        }
    }

    /// Forgets a RocketMQ connection: its consumers leave their groups (the others are told), and
    /// the node core drops what it still owed it.
    func closeRemoting(_ connection: RemotingConnection) {
        guard connection.isOpen else { return }
        connection.isOpen = false
        loop.deregister(connection.socket.fd)
        connection.socket.close()
        remotingConnections.removeValue(forKey: connection.id)
        producerGroups.connectionClosed(connection.id)
        notifyConsumerIDsChanged(consumerGroups.connectionClosed(connection.id))
        deliver(.clientGone(ClientID(connection.id)))
    }
}
