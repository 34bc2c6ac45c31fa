import Admin
import CommitLog
import FileIO
import LedgerConfig
import LedgerModel
import LogStore
import Posix
import Raft
import Remoting
import Replica
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// What the disk thread reports for one sync.
typealias SyncOutcome = Result<Void, SystemError>

/// A sync's outcome and how long its fdatasyncs took on the disk thread.
struct TimedSync: Sendable {
    var outcome: SyncOutcome
    var took: Duration
}
/// What the persist thread reports for one persist of the message store.
typealias PersistOutcome = Result<PersistDone, CommitLogError>

/// One node of a SwiftLedger group: the I/O shell around its ``Replica``. The event loop turns
/// sockets, timers, signals and the disk and persist threads' results into replica events, and
/// performs the actions the replica returns (it is the replica's ``ReplicaHost``). Every
/// decision — what to persist, send, apply and answer, and in which order — is the replica's.
///
/// Threads: everything here runs on the thread that calls ``run()``, except the fdatasyncs
/// (disk thread) and the message-store persists (persist thread). Peers and clients share one
/// TCP port; a peer introduces itself with a handshake, anything else is a client.
public final class LedgerServer {
    let options: ServerOptions
    let logger: NodeLogger
    let loop: EventLoop
    /// The node core; set at the end of `init` (it needs this server as its host).
    private(set) var replica: Replica!
    let signals: SignalSource
    private var listener: Socket?
    /// The admin HTTP port's socket, when `adminPort` is configured.
    var adminListener: Socket?
    /// Open admin HTTP connections by id.
    var adminConnections: [UInt64: AdminConnection] = [:]
    var nextAdminConnectionID: UInt64 = 0
    /// Admin connection events so far: the clock of ``AdminConnection/lastActive``.
    var adminEvents: UInt64 = 0
    /// Counters for `/metrics`.
    var metrics = ServerMetrics()
    /// The node's recent events (the replica's log lines and peer links going down or up), for
    /// `/api/events`.
    var events = EventRing(capacity: LedgerServer.eventCapacity)
    /// How many events `/api/events` keeps.
    static let eventCapacity = 256
    /// When the process started serving, for `ledger_process_start_time_seconds`.
    let startedAt = WallClock.now()
    /// Held for the life of the process so no other node opens this store.
    private let storeLock: FileLock
    /// The RocketMQ broker and NameServer ports' sockets, when `listenPort` is configured.
    var remotingListeners: [(socket: Socket, role: RemotingConnection.Role)] = []
    /// Open RocketMQ connections (both ports) by connection id, which is their ``ClientID``.
    var remotingConnections: [UInt64: RemotingConnection] = [:]
    /// RocketMQ connections with answers queued this turn.
    var remotingDirty: [RemotingConnection] = []
    /// The RocketMQ consumer groups' live members, from heartbeats on the broker port.
    var consumerGroups = ConsumerGroups()
    /// Producer groups' connections, for transaction check backs.
    var producerGroups = ProducerGroups()
    /// Samples of the per-topic message counters, for `/api/topics`' rates.
    var topicRates = TopicRates()
    /// Inbound connections, peers' and clients', by connection id (a client's ``ClientID``).
    var connections: [UInt64: Connection] = [:]
    /// Inbound connections that began a peer handshake, by connection id: where each stands in
    /// the challenge–response, and, once it proved the secret, which peer it is.
    var peerAuthentications: [UInt64: InboundPeerAuthentication] = [:]
    /// Rate limits the log lines about refused peer connections (one per address per minute).
    var refusals = RefusalLog()
    /// The client ACL in force and its file, when `aclEnable` is set.
    var acl: AclWatch?
    /// Rate limits the log lines about requests the ACL refused (one per address and refusal per
    /// minute).
    var accessRefusals = RefusalLog()
    /// Rate limits the log lines about connections refused over ``ServerOptions/maxConnections``
    /// or closed as stalled (one per port and cause per minute, with the count in between).
    var connectionLimitLog = RefusalLog()
    /// The one buffer every connection reads into (the loop reads one socket at a time), so an
    /// open connection holds no read buffer of its own.
    var readScratch = [UInt8](repeating: 0, count: 64 << 10)
    /// The store's file system as last measured (``measureDisk()``); nil until then or while it
    /// cannot be measured.
    var diskUsage: DiskUsage?
    var diskUsageFailed = false
    /// Outbound links, one per peer, in id order.
    var links: [PeerLink] = []
    /// The last connection id handed out; ids are shared by every kind of client connection.
    var nextConnectionID: UInt64 = 0
    /// Connections with output waiting to be flushed at the end of this loop turn.
    var dirty: [Connection] = []
    /// Peers whose messages may have been lost this turn, told to the replica before it settles.
    var unreachablePeers: [NodeID] = []
    /// Test only (``ServerOptions/faultInjection``): peers whose Raft traffic is dropped both ways.
    var isolatedFrom: [NodeID] = []
    /// The disk thread: runs the log's fdatasyncs so the loop never waits on the disk.
    let disk: WorkerThread<PendingSync, TimedSync>
    let syncResults: Mailbox<TimedSync>
    /// The persist thread: writes and syncs the message store's files and replaces its checkpoint.
    let persister: WorkerThread<PendingPersist, PersistOutcome>
    let persistResults: Mailbox<PersistOutcome>
    /// Set when the node must stop; `run()` returns (or throws it) after the current turn.
    var stopReason: StopReason?

    enum StopReason {
        case signal(Int32)
        case failure(ServerError)
    }

    /// Opens the log (recovering it) and the message store, binds the node's port and prepares
    /// the loop. Nothing is sent until ``run()``.
    public init(options: ServerOptions, logger: NodeLogger) throws(ServerError) {
        self.options = options
        self.logger = logger
        do {
            signals = try SignalSource()
            loop = try EventLoop()
            syncResults = try Mailbox()
            persistResults = try Mailbox()
        } catch {
            throw .system(error)
        }
        let fileSystem = RealFileSystem()
        persister = WorkerThread(name: "persist", results: persistResults) { pending in
            let started = ContinuousClock().now
            return Result { () throws(CommitLogError) in
                try pending.perform(on: fileSystem)
                return PersistDone(index: pending.appliedIndex, took: started.duration(to: ContinuousClock().now))
            }
        }
        disk = WorkerThread(name: "disk", results: syncResults) { pending in
            let started = ContinuousClock().now
            let outcome = Result { () throws(SystemError) in try pending.perform(on: fileSystem) }
            return TimedSync(outcome: outcome, took: started.duration(to: ContinuousClock().now))
        }
        let configuration = LogStoreConfiguration(
            dataFileSize: options.dataFileSize,
            indexEntriesPerFile: LogStoreConfiguration.indexEntriesPerFile(forDataFileSize: options.dataFileSize),
            flushPolicy: options.replica.syncBeforeAcknowledging
                ? .syncFlush : .asyncFlush(intervalMilliseconds: UInt64(options.replica.flushIntervalMilliseconds)))
        // Claim the port first, then the store: a second process started with the same
        // configuration must fail before it opens (and "recovers") a live node's log.
        let address = options.me.address
        do {
            listener = try Socket.listen(on: address)
        } catch {
            if error.errno == EADDRINUSE { throw .addressInUse(address: address.description, source: options.source) }
            throw .system(error)
        }
        do {
            adminListener = try LedgerServer.listenAdmin(options)
        } catch {
            listener?.close()
            throw error
        }
        do {
            remotingListeners = try LedgerServer.listenRemoting(options)
        } catch {
            listener?.close()
            adminListener?.close()
            throw error
        }
        do {
            try makeDirectories(options.storeDirectory)
            storeLock = try FileLock(path: "\(options.storeDirectory)/LOCK")
        } catch {
            listener?.close()
            adminListener?.close()
            for (socket, _) in remotingListeners { socket.close() }
            if error.errno == EWOULDBLOCK {
                throw .configuration(
                    "\(options.source): store directory \(options.storeDirectory) is in use by another process")
            }
            throw .system(error)
        }
        let store: LogStore
        do {
            store = try LogStore(
                directory: options.storeDirectory, fileSystem: fileSystem, configuration: configuration)
        } catch {
            throw .storage(error)
        }
        logger.info(term: store.hardState.term.rawValue, "recovered \(options.storeDirectory): \(store.recovery)")
        let messageDirectory = "\(options.storeDirectory)/\(LedgerServer.messageStoreSubdirectory)"
        let messages: CommitLogStateMachine
        do {
            messages = try CommitLogStateMachine.open(
                directory: messageDirectory, fileSystem: fileSystem, configuration: options.commitLog,
                log: LogStoreMessages(store))
        } catch {
            throw .stateMachine(error)
        }
        if let recovery = messages.recovery {
            logger.info(
                term: store.hardState.term.rawValue,
                "recovered \(messageDirectory): applied through index \(recovery.appliedIndex), "
                    + "\(recovery.messages) messages ending at log position \(recovery.lastRecordEnd)"
                    + (recovery.rebuiltQueues.isEmpty && !recovery.rebuiltKeyIndex
                        ? "" : "; indexes missing or behind: rebuilding them by replaying the log")
            )
        }
        do {
            let applied = messages.appliedIndex
            try Replica.reconcile(store: store, stateMachine: messages)
            if messages.appliedIndex != applied {
                logger.info(
                    term: store.hardState.term.rawValue,
                    "installed the kept snapshot at index \(messages.appliedIndex), where the log starts")
            }
        } catch {
            throw .stateMachine(error)
        }
        links = options.members.filter { $0.id != options.selfID }.map(PeerLink.init)
        acl = options.acl.map { AclWatch(path: $0.path, initial: $0.initial, stamp: $0.initialStamp) }
        do {
            replica = try Replica(
                configuration: options.replica, store: store, stateMachine: messages, host: self,
                now: WallClock.nowMilliseconds())
        } catch {
            throw .configuration("\(options.source): \(error)")
        }
    }

    /// Where the message store lives under `storeBaseDir`, beside the Raft log's `data/` and `index/`.
    static let messageStoreSubdirectory = "messages"

    /// Serves until SIGTERM or SIGINT (then shuts down cleanly and returns) or a fatal failure
    /// (thrown after the log is closed).
    public func run() throws(ServerError) {
        do {
            guard let listener else { return }
            try loop.register(listener.fd, for: .readable) { [unowned self] _ in acceptConnections() }
            if let adminListener {
                try loop.register(adminListener.fd, for: .readable) { [unowned self] _ in acceptAdminConnections() }
            }
            for (socket, role) in remotingListeners {
                try loop.register(socket.fd, for: .readable) { [unowned self] _ in
                    acceptRemotingConnections(on: socket, role)
                }
            }
            // A finished sync or persist reaches the replica even in the turn a signal stopped
            // the node (``deliver(_:)`` drops events then): once drained here it is gone, and
            // `shutDown()` closes the replica only when it waits for neither.
            try loop.register(syncResults.fd, for: .readable) { [unowned self] _ in
                for sync in syncResults.drain() { completed(syncCompleted(sync)) }
            }
            try loop.register(persistResults.fd, for: .readable) { [unowned self] _ in
                for outcome in persistResults.drain() { completed(persistCompleted(outcome)) }
            }
            try loop.register(signals.fd, for: .readable) { [unowned self] _ in
                if let signal = signals.drain().first { stopReason = .signal(signal) }
            }
        } catch {
            throw .system(error)
        }
        logger.info(
            term: replica.term.rawValue,
            "listening on \(options.me.address) as node \(options.me.name) of group \(options.group)")
        if options.clusterSecret == nil {
            logger.warning(
                term: replica.term.rawValue,
                "peers are not authenticated: no clusterSecretFile is configured (allowed because every peer is on loopback)"
            )
        }
        if let acl {
            logger.info(
                term: replica.term.rawValue,
                "client ACL on: \(acl.current.accounts.count) accounts and "
                    + "\(acl.current.globalWhiteRemoteAddresses.count) global white addresses from \(acl.path)")
        }
        for link in links { connect(link) }
        scheduleTick()
        scheduleAclCheck()
        sweepStalledConnections()
        measureDisk()
        // Peers' status carries their disk use, admin port or not: a leader refuses writes while a
        // majority's disks are full, and hands leadership only to a member whose disk is not.
        pollPeerStatus()
        if adminListener != nil { sampleTopicRates() }
        do {
            try loop.run { [unowned self] in
                afterTurn()
                return stopReason != nil
            }
        } catch {
            stopReason = .failure(.system(error))
        }
        try shutDown()
    }

    /// The replica event for a finished sync; a successful one's duration is counted.
    private func syncCompleted(_ sync: TimedSync) -> ReplicaEvent {
        if case .success = sync.outcome { metrics.logSyncSeconds.observe(sync.took) }
        return .syncCompleted(sync.outcome)
    }

    /// The replica event for a finished persist; a successful one's duration is counted.
    private func persistCompleted(_ outcome: PersistOutcome) -> ReplicaEvent {
        if case .success(let done) = outcome { metrics.statePersistSeconds.observe(done.took) }
        return .persistCompleted(outcome)
    }

    /// Hands `event` to the replica, stamped with the wall clock; dropped once the node is
    /// stopping.
    func deliver(_ event: ReplicaEvent) {
        guard stopReason == nil else { return }
        replica.handle(event, now: WallClock.nowMilliseconds())
    }

    /// Hands the replica a finished sync or persist, also while the node is stopping: it must
    /// know what is durable, and that nothing of its own is under way, before it closes.
    private func completed(_ event: ReplicaEvent) {
        replica.handle(event, now: WallClock.nowMilliseconds())
    }

    /// Once per loop turn, after every ready descriptor and timer was handled: the replica runs
    /// its ready pipeline over everything this turn brought (one write and one sync for all of
    /// it), then the connections write what was queued.
    private func afterTurn() {
        let unreachable = unreachablePeers
        unreachablePeers.removeAll()
        for peer in unreachable { deliver(.peerUnreachable(peer)) }
        if stopReason == nil { replica.settle(now: WallClock.nowMilliseconds()) }
        flushDirtyConnections()
        flushRemotingConnections()
    }

    private func scheduleTick() {
        loop.schedule(after: .milliseconds(options.tickMilliseconds)) { [unowned self] in
            guard stopReason == nil else { return }
            deliver(.tick)
            scheduleTick()
        }
    }

    // MARK: - Connections

    func makeConnection(_ socket: Socket, label: String) -> Connection {
        nextConnectionID += 1
        return Connection(
            socket: socket, id: nextConnectionID, label: label, maxFrameBytes: options.maxFrameBytes,
            maxOutboundBytes: options.maxOutboundBytesPerConnection)
    }

    /// Accepts every connection waiting on `listener` (the `port` named in log lines), counts it,
    /// and hands its socket to `serve`.
    func acceptPending(on listener: Socket, _ port: ServerMetrics.Port, _ serve: (Socket) -> Void) {
        while true {
            let socket: Socket?
            do {
                socket = try listener.accept()
            } catch {
                logger.warning("\(port.rawValue) port: accept failed: \(error)")
                return
            }
            guard let socket else { return }
            metrics.accepted(on: port)
            serve(socket)
        }
    }

    private func acceptConnections() {
        guard let listener else { return }
        acceptPending(on: listener, .node) { socket in
            guard connections.count < options.maxConnections else {
                refuseOverLimit(socket, on: .node, open: connections.count)
                return
            }
            do {
                try socket.setNoDelay()
                let connection = makeConnection(socket, label: "client fd \(socket.fd)")
                let remote = try socket.peerAddress()
                connection.remoteAddress = remote
                connection.remoteHost = HostAddress(parsing: remote.description) ?? .unspecified
                try loop.register(socket.fd, for: .readable) { [unowned self] readiness in
                    handleInbound(connection, readiness)
                }
                connections[connection.id] = connection
            } catch {
                logger.warning("cannot serve a new connection: \(error)")
                socket.close()
            }
        }
    }

    /// Queues `message` on `connection` in `lane`; it leaves at the end of this turn. Returns
    /// false when it was dropped (the connection's buffer is full, or it does not encode).
    @discardableResult
    func send(
        _ message: WireMessage, requestID: UInt64, on connection: Connection, lane: OutboundQueue.Lane = .bulk
    ) -> Bool {
        do {
            if try connection.enqueue(message, requestID: requestID, lane: lane) {
                dirty.append(connection)
                return true
            }
            logger.warning("dropping a \(message.opcode) for \(connection.label): its outbound buffer is full")
        } catch {
            logger.warning("cannot encode a \(message.opcode) for \(connection.label): \(error)")
        }
        return false
    }

    /// Writes what the queued connections take now, without changing what the loop watches
    /// (that waits for the end of the turn, so several writes in one turn cost no epoll calls).
    /// Connections stay queued for ``flushDirtyConnections()``.
    func writeDirtyConnections() {
        for connection in dirty where connection.isOpen {
            do {
                _ = try connection.flush()
            } catch {
                close(connection, reason: "write failed: \(error)")
            }
        }
    }

    /// Writes what every connection has queued (see ``flush(_:)``).
    func flushDirtyConnections() {
        let pending = dirty
        dirty.removeAll(keepingCapacity: true)
        for connection in pending { flush(connection) }
    }

    /// Writes what the socket takes; watches for writability while bytes remain.
    func flush(_ connection: Connection) {
        guard connection.isOpen else { return }
        do {
            let done = try connection.flush()
            if let interest = connection.interestChange(afterFlush: done) {
                try loop.watch(connection.socket.fd, for: interest)
            }
        } catch {
            close(connection, reason: "write failed: \(error)")
        }
    }

    /// Forgets a connection and closes its socket; an outbound peer link reconnects later.
    func close(_ connection: Connection, reason: String) {
        guard connection.isOpen else { return }
        connection.isOpen = false
        loop.deregister(connection.socket.fd)
        connection.socket.close()
        if connections.removeValue(forKey: connection.id) != nil {
            let authentication = peerAuthentications.removeValue(forKey: connection.id)
            if let peer = authentication?.authenticatedPeer {
                logger.info(term: replica.term.rawValue, "inbound link from \(peer.nodeName) closed: \(reason)")
            } else {
                // Its consumers (`consumerHeartbeat`) leave their groups, as a RocketMQ client's do.
                notifyConsumerIDsChanged(consumerGroups.connectionClosed(connection.id))
                deliver(.clientGone(ClientID(connection.id)))
            }
            return
        }
        if let link = links.first(where: { $0.connection === connection }) {
            linkFailed(link, reason: reason)
        }
    }

    // MARK: - Shutdown

    /// Stops serving: waits for the disk and persist threads, lets the replica answer every
    /// waiting client and (unless a failure stopped the node) make everything durable.
    private func shutDown() throws(ServerError) {
        if let listener {
            loop.deregister(listener.fd)
            listener.close()
            self.listener = nil
        }
        if let adminListener {
            loop.deregister(adminListener.fd)
            adminListener.close()
            self.adminListener = nil
        }
        for connection in Array(adminConnections.values) { closeAdmin(connection) }
        for (socket, _) in remotingListeners {
            loop.deregister(socket.fd)
            socket.close()
        }
        remotingListeners.removeAll()
        let failure: ServerError?
        switch stopReason {
        case .signal(let signal):
            logger.info(term: replica.term.rawValue, "received signal \(signal): stopping")
            failure = nil
        case .failure(let error):
            logger.error(term: replica.term.rawValue, "stopping: \(error)")
            failure = error
        case nil:
            failure = nil
        }
        disk.stop()
        persister.stop()
        // The last results reach the replica even after a stop, so it knows what is durable. A
        // result may start the next sync or persist (entries written meanwhile, a new applied
        // index): the threads are stopped, so those run here, until the replica waits for none.
        repeat {
            for sync in syncResults.drain() { completed(syncCompleted(sync)) }
            for outcome in persistResults.drain() { completed(persistCompleted(outcome)) }
        } while disk.runRemaining() + persister.runRemaining() > 0
        var closeFailure: ServerError?
        do {
            try replica.close(cleanly: failure == nil)
        } catch {
            logger.error(term: replica.term.rawValue, "final sync failed: \(error)")
            closeFailure = ServerError(error)
        }
        flushDirtyConnections()
        flushRemotingConnections()
        for connection in connections.values { connection.socket.close() }
        for connection in remotingConnections.values { connection.socket.close() }
        for link in links { link.connection?.socket.close() }
        if let failure = failure ?? closeFailure { throw failure }
    }
}
