import CommitLog
import FileIO
import LedgerModel
import LogStore
import Posix
import Raft
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// One node of a SwiftLedger group: the event loop that owns the Raft core, the log store, the
/// peer links and the client connections.
///
/// Threads: everything here runs on the thread that calls ``run()``. Peers and clients share one
/// TCP port; a peer introduces itself with a handshake, anything else is a client.
/// What the disk thread reports for one sync.
typealias SyncOutcome = Result<Void, SystemError>

public final class LedgerServer {
    let options: ServerOptions
    let logger: NodeLogger
    let loop: EventLoop
    let store: LogStore
    let core: RaftCore
    /// The replicated state machine: messages, consume queues, consumer offsets. Every
    /// committed entry is applied to it, in order, on this thread.
    let messages: CommitLogStateMachine
    /// This node's address as records stamped by it store it (the store host of message ids).
    let storeHost: HostAddress
    /// Linearizable reads waiting for their ReadIndex or for the apply to catch up, and pulls
    /// waiting for new messages.
    var reads = PendingReads()
    /// When the state machine was last persisted and what persisting costs.
    var persistence = PersistenceStats()
    let signals: SignalSource
    private var listener: Socket?
    /// Held for the life of the process so no other node opens this store.
    private let storeLock: FileLock
    /// Inbound connections, peers' and clients', by connection id.
    var connections: [UInt64: Connection] = [:]
    /// Inbound connections that completed a peer handshake, and whose they are.
    var inboundPeers: [UInt64: NodeID] = [:]
    /// Outbound links, one per peer, in id order.
    var links: [PeerLink] = []
    private var nextConnectionID: UInt64 = 0
    /// Connections with output waiting to be flushed at the end of this loop turn.
    var dirty: [Connection] = []
    /// Test only (``ServerOptions/faultInjection``): peers whose Raft traffic is dropped both ways.
    var isolatedFrom: [NodeID] = []
    /// Client appends waiting for their entries to apply, by log index.
    var pendingAppends: [LogIndex: PendingRequest] = [:]
    let startedAt: ContinuousClock.Instant
    var lastSoftState = SoftState(role: .follower, leader: nil)
    /// The disk thread: runs the fdatasyncs of SYNC_FLUSH so the loop never waits on the disk.
    let disk: WorkerThread<PendingSync, SyncOutcome>
    let syncResults: Mailbox<SyncOutcome>
    /// The persist thread: syncs the message store's files and replaces its checkpoint, so the
    /// loop only writes to the page cache (``persistMessages()``).
    let persister: WorkerThread<PendingPersist, PersistOutcome>
    let persistResults: Mailbox<PersistOutcome>
    /// The readies whose entries the disk thread is syncing, and the sync.
    var syncInFlight: (waiting: [AwaitingSync], sync: PendingSync)?
    /// Readies taken while a sync ran: written, not yet synced; the next sync covers them.
    var awaitingSync: [AwaitingSync] = []
    /// Set when the node must stop; `run()` returns (or throws it) after the current turn.
    var stopReason: StopReason?

    enum StopReason {
        case signal(Int32)
        case failure(ServerError)
    }

    /// Opens the log (recovering it), binds the node's port and prepares the loop. Nothing is
    /// sent until ``run()``.
    public init(options: ServerOptions, logger: NodeLogger) throws(ServerError) {
        self.options = options
        self.logger = logger
        startedAt = ContinuousClock().now
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
            Result { () throws(SystemError) in try pending.perform(on: fileSystem) }
        }
        let configuration = LogStoreConfiguration(
            dataFileSize: options.dataFileSize,
            flushPolicy: options.syncBeforeAcknowledging
                ? .syncFlush : .asyncFlush(intervalMilliseconds: UInt64(options.flushIntervalMilliseconds)))
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
            try makeDirectories(options.storeDirectory)
            storeLock = try FileLock(path: "\(options.storeDirectory)/LOCK")
        } catch {
            listener?.close()
            if error.errno == EWOULDBLOCK {
                throw .configuration(
                    "\(options.source): store directory \(options.storeDirectory) is in use by another process")
            }
            throw .system(error)
        }
        do {
            store = try LogStore(
                directory: options.storeDirectory, fileSystem: fileSystem, configuration: configuration)
        } catch {
            throw .storage(error)
        }
        logger.info(term: store.hardState.term.rawValue, "recovered \(options.storeDirectory): \(store.recovery)")
        let messageDirectory = "\(options.storeDirectory)/\(LedgerServer.messageStoreSubdirectory)"
        do {
            messages = try CommitLogStateMachine.open(
                directory: messageDirectory, fileSystem: fileSystem, configuration: options.commitLog)
        } catch {
            throw .stateMachine(error)
        }
        if let recovery = messages.recovery {
            logger.info(
                term: store.hardState.term.rawValue,
                "recovered \(messageDirectory): applied through index \(recovery.appliedIndex), "
                    + "\(recovery.messages) messages, \(recovery.commitLogEnd) commit-log bytes, "
                    + "\(recovery.rebuiltQueues.count) consume queues rebuilt, \(recovery.discardedBytes) bytes past the checkpoint discarded"
            )
        }
        guard let host = HostAddress(parsing: options.me.address.description) else {
            throw .configuration("\(options.source): own address \(options.me.address) is not an IPv4 host:port")
        }
        storeHost = host
        var raft = options.raft
        // The core hands out committed entries after this index again; the state machine skips
        // any it already holds (after an ASYNC_FLUSH crash the log may end before it).
        raft.applied = messages.appliedIndex
        do {
            core = try RaftCore(config: raft, storage: store)
        } catch {
            throw .configuration("\(options.source): \(error)")
        }
        links = options.members.filter { $0.id != options.selfID }.map(PeerLink.init)
    }

    /// Serves until SIGTERM or SIGINT (then shuts down cleanly and returns) or a fatal failure
    /// (thrown after the log is closed).
    public func run() throws(ServerError) {
        do {
            guard let listener else { return }
            try loop.register(listener.fd, for: .readable) { [unowned self] _ in acceptConnections() }
            try loop.register(syncResults.fd, for: .readable) { [unowned self] _ in
                for outcome in syncResults.drain() { syncFinished(outcome) }
            }
            try loop.register(persistResults.fd, for: .readable) { [unowned self] _ in
                for outcome in persistResults.drain() { persistFinished(outcome) }
            }
            try loop.register(signals.fd, for: .readable) { [unowned self] _ in
                if let signal = signals.drain().first { stopReason = .signal(signal) }
            }
        } catch {
            throw .system(error)
        }
        logger.info(
            term: core.term.rawValue,
            "listening on \(options.me.address) as node \(options.me.name) of group \(options.group)")
        for link in links { connect(link) }
        scheduleTick()
        schedulePersist()
        if !options.syncBeforeAcknowledging { scheduleFlush() }
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

    /// Work done once per loop turn, after all ready descriptors and timers were handled:
    /// hand the core's output to disk and network, then write what connections have queued.
    private func afterTurn() {
        do {
            try processReady()
        } catch {
            stopReason = .failure(error)
        }
        flushDirtyConnections()
    }

    private func scheduleTick() {
        loop.schedule(after: .milliseconds(options.tickMilliseconds)) { [unowned self] in
            guard stopReason == nil else { return }
            do {
                try core.tick()
            } catch {
                stopReason = .failure(.configuration("raft: \(error)"))
            }
            scheduleTick()
        }
    }

    private func scheduleFlush() {
        loop.schedule(after: .milliseconds(options.flushIntervalMilliseconds)) { [unowned self] in
            guard stopReason == nil else { return }
            do throws(LogStoreError) {
                try store.sync()
            } catch {
                stopReason = .failure(.storage(error))
            }
            scheduleFlush()
        }
    }

    // MARK: - Connections

    func makeConnection(_ socket: Socket, label: String) -> Connection {
        nextConnectionID += 1
        return Connection(
            socket: socket, id: nextConnectionID, label: label, maxFrameBytes: options.maxFrameBytes,
            maxOutboundBytes: options.maxOutboundBytesPerConnection)
    }

    private func acceptConnections() {
        guard let listener else { return }
        while true {
            let socket: Socket?
            do {
                socket = try listener.accept()
            } catch {
                logger.warning("accept failed: \(error)")
                return
            }
            guard let socket else { return }
            do {
                try socket.setNoDelay()
                let connection = makeConnection(socket, label: "client fd \(socket.fd)")
                connection.remoteHost = HostAddress(parsing: try socket.peerAddress().description) ?? .unspecified
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

    /// Queues `message` on `connection`; it leaves at the end of this turn.
    func send(_ message: WireMessage, requestID: UInt64, on connection: Connection) {
        do {
            if try connection.enqueue(message, requestID: requestID) {
                dirty.append(connection)
            } else {
                logger.warning("dropping a \(message.opcode) for \(connection.label): its outbound buffer is full")
            }
        } catch {
            logger.warning("cannot encode a \(message.opcode) for \(connection.label): \(error)")
        }
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
            if let peer = inboundPeers.removeValue(forKey: connection.id) {
                logger.info(
                    term: core.term.rawValue,
                    "inbound link from \(options.member(peer)?.name ?? "\(peer)") closed: \(reason)")
            }
            return
        }
        if let link = links.first(where: { $0.connection === connection }) {
            linkFailed(link, reason: reason)
        }
    }

    // MARK: - Shutdown

    private func shutDown() throws(ServerError) {
        if let listener {
            loop.deregister(listener.fd)
            listener.close()
            self.listener = nil
        }
        let failure: ServerError?
        switch stopReason {
        case .signal(let signal):
            logger.info(term: core.term.rawValue, "received signal \(signal): stopping")
            failure = nil
        case .failure(let error):
            logger.error(term: core.term.rawValue, "stopping: \(error)")
            failure = error
        case nil:
            failure = nil
        }
        if syncInFlight != nil {
            disk.stop()
            for outcome in syncResults.drain() { syncFinished(outcome) }
        }
        failAllPending()
        failAllReads(
            ErrorResponse(
                code: .notLeader(leader: nil, leaderAddress: nil),
                message: "node \(options.me.name) is shutting down; retry on another node"))
        flushDirtyConnections()
        if failure == nil {
            do {
                try store.saveHardState(HardState(term: core.term, vote: core.vote, commit: core.commitIndex))
                try store.sync()
                try store.close()
            } catch {
                logger.error(term: core.term.rawValue, "final sync failed: \(error)")
                throw .storage(error)
            }
            do {
                try persistMessagesNow()
            } catch {
                logger.error(term: core.term.rawValue, "final persist of the message store failed: \(error)")
                throw error
            }
            logger.info(term: core.term.rawValue, "message store: \(persistence.summary)")
            logger.info(
                term: core.term.rawValue, "stopped cleanly at index \(store.lastIndex), commit \(core.commitIndex)")
        }
        for connection in connections.values { connection.socket.close() }
        for link in links { link.connection?.socket.close() }
        if let failure { throw failure }
    }
}
