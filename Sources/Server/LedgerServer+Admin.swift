import Admin
import Posix
import Replica

#if canImport(Glibc)
    import Glibc
#endif

extension LedgerServer {
    /// The most admin connections open at once; a new one beyond it replaces the one idle longest.
    static let maxAdminConnections = 64

    /// Binds the admin HTTP port (``ServerOptions/admin``), if configured.
    static func listenAdmin(_ options: ServerOptions) throws(ServerError) -> Socket? {
        guard let address = options.admin else { return nil }
        do {
            return try Socket.listen(on: address)
        } catch {
            if error.errno == EADDRINUSE {
                throw .addressInUse(address: "\(address) (adminPort)", source: options.source)
            }
            throw .system(error)
        }
    }

    func acceptAdminConnections() {
        guard let adminListener else { return }
        acceptPending(on: adminListener, .admin) { socket in
            if adminConnections.count >= Self.maxAdminConnections,
                let idlest = adminConnections.values.min(by: { $0.lastActive < $1.lastActive })
            {
                // Full: the connection idle longest makes room, so a new scrape is always served.
                logger.warning(
                    "admin port: \(Self.maxAdminConnections) connections open; closing the one idle longest")
                closeAdmin(idlest)
            }
            let connection = AdminConnection(socket: socket, id: nextAdminConnectionID)
            nextAdminConnectionID += 1
            adminEvents += 1
            connection.lastActive = adminEvents
            do {
                try loop.register(socket.fd, for: .readable) { [unowned self] readiness in
                    serveAdmin(connection, readiness)
                }
            } catch {
                logger.warning("admin port: cannot serve a new connection: \(error)")
                socket.close()
                return
            }
            adminConnections[connection.id] = connection
        }
    }

    /// Reads, answers every complete request (in order, until answers back up), writes, and
    /// closes the connection when an answer ended it or the client closed its side.
    func serveAdmin(_ connection: AdminConnection, _ readiness: Interest) {
        adminEvents += 1
        connection.lastActive = adminEvents
        var clientClosed = false
        do {
            if !connection.isBackedUp && (readiness.contains(.readable) || readiness.contains(.hangup)) {
                clientClosed = try !connection.read(using: &readScratch)
            }
            // Answer, write, and again while answers backed up but the socket took them all.
            var drained: Bool
            repeat {
                let stoppedBackedUp = answerAdminRequests(connection)
                drained = try connection.flush()
                if !(stoppedBackedUp && drained) { break }
            } while true
            if drained && connection.closeWhenFlushed { return closeAdmin(connection) }
            if clientClosed {
                // Nothing more can be asked; what the socket did not take is lost with it.
                return closeAdmin(connection)
            }
            let interest: Interest =
                connection.isBackedUp ? .writable : connection.pendingBytes > 0 ? [.readable, .writable] : .readable
            if interest != connection.interest {
                connection.interest = interest
                try loop.watch(connection.socket.fd, for: interest)
            }
        } catch {
            closeAdmin(connection)
        }
    }

    /// Answers the requests the parser holds until answers back up or the stream ends. Returns
    /// true when it stopped because answers backed up (requests may still wait in the parser).
    private func answerAdminRequests(_ connection: AdminConnection) -> Bool {
        while !connection.closeWhenFlushed {
            if connection.isBackedUp { return true }
            let request: HTTPRequest
            do {
                guard let next = try connection.parser.next() else {
                    if connection.parser.isFinished { connection.closeWhenFlushed = true }
                    return false
                }
                request = next
            } catch {
                let response = HTTPResponse.refusal(error)
                metrics.answeredAdmin(nil, response.status)
                connection.queue(response.encoded(headOnly: false, keepAlive: false))
                connection.closeWhenFlushed = true
                return false
            }
            let (route, response) = adminResponse(to: request, from: APIDocuments(server: self))
            metrics.answeredAdmin(route, response.status)
            let keepAlive = request.keepAlive && !request.hasBody
            connection.queue(response.encoded(headOnly: request.method == "HEAD", keepAlive: keepAlive))
            if !keepAlive { connection.closeWhenFlushed = true }
        }
        return false
    }

    /// Samples the per-topic counters now and every ``TopicRates/interval``.
    func sampleTopicRates() {
        guard stopReason == nil else { return }
        topicRates.sample(
            at: .now, received: replica.messagesReceived, delivered: metrics.messagesDelivered)
        loop.schedule(after: TopicRates.interval) { [unowned self] in sampleTopicRates() }
    }

    func closeAdmin(_ connection: AdminConnection) {
        guard connection.isOpen else { return }
        connection.isOpen = false
        loop.deregister(connection.socket.fd)
        connection.socket.close()
        adminConnections.removeValue(forKey: connection.id)
    }
}
