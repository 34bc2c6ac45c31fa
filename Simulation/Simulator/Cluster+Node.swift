import CommitLog
import FileIO
import LedgerModel
import LogStore
import Posix
import Raft
import Replica

/// Driving one node: its process lifecycle, handing events to its real ``Replica``, and
/// performing the actions the replica asks for through the simulated network and disks. Every
/// decision about ordering — what is written, synced, sent, applied and answered when — is the
/// replica's, exactly as in production.
extension Cluster {
    /// Boots `node` over its disk: its CommitLog reopened from its last persist, its log store
    /// as recovered, and a fresh replica that replays every committed entry after the
    /// CommitLog's applied index.
    func start(_ node: SimNode) throws(Violation) {
        refreshDiskSpace(of: node)
        let machine = try openStateMachine(node)
        let replica: Replica
        do {
            replica = try Replica(
                configuration: replicaConfiguration(for: node), store: node.disk.store, stateMachine: machine,
                host: node, now: wallClock)
        } catch {
            throw Violation("config", "n\(node.id) rejected its configuration: \(error)")
        }
        let checks = NodeChecks(cluster: self, node: node)
        replica.observer = checks
        node.replica = replica
        node.checks = checks
        node.syncInFlight = nil
        node.persistInFlight = nil
        node.actions = []
        node.paused = false
        node.deferred = []
        try checker.started(node, replica.core)
        try drive(node) { _ throws(Violation) in }
    }

    /// The replica settings of `node`: the run's Raft tuning and persist cadence, its own
    /// address, and the orchestration rules a test broke on purpose.
    private func replicaConfiguration(for node: SimNode) -> ReplicaConfiguration {
        var raft = RaftConfig(id: node.id, voters: ids)
        let tuning = options.raft
        raft.electionTimeoutTicks = tuning.electionTimeoutTicks
        raft.heartbeatIntervalTicks = tuning.heartbeatIntervalTicks
        raft.maxEntriesPerMessage = tuning.maxEntriesPerMessage
        raft.maxInflightMessages = tuning.maxInflightMessages
        raft.maxInflightBytes = tuning.maxInflightBytes
        raft.maxBytesPerMessage = tuning.maxBytesPerMessage
        raft.proposalTimeoutTicks = tuning.proposalTimeoutTicks
        raft.preferredLeader = tuning.preferredLeader.map { ids[$0] }
        raft.randomSeed = raftRNG.next()
        raft.brokenRules = options.brokenRules
        let members = ids.map { ReplicaMember(id: $0, name: "n\($0)", address: "\(WorkloadNames.storeHost($0))") }
        var configuration = ReplicaConfiguration(group: "sim", raft: raft, members: members, storeHost: node.storeHost)
        configuration.persistEveryEntries = Int(options.persistEveryEntries)
        configuration.transactions = options.transactions
        configuration.queueLockExpiryMilliseconds = options.queueLockExpiryMilliseconds
        // Small pieces, so a lost one interrupts a transfer and the repeated offer resumes it.
        configuration.snapshotChunkBytes = 512
        if let retention = options.retention { configuration.retention = retention }
        if options.brokenStateMachine.contains(.staleReads) { configuration.brokenRules.insert(.staleReads) }
        if options.brokenStateMachine.contains(.answerBeforeSync) {
            configuration.brokenRules.insert(.answerBeforeSync)
        }
        if options.brokenStateMachine.contains(.sharedQueueLocks) {
            configuration.brokenRules.insert(.sharedQueueLocks)
        }
        return configuration
    }

    /// The replicas' clock: virtual time on a fixed date.
    var wallClock: Int64 { WorkloadNames.epochMilliseconds + Int64(now.milliseconds) }

    /// Brings a crashed node back over what its disk kept.
    func restart(_ node: SimNode) throws(Violation) {
        precondition(!node.isUp, "restart of a running node")
        statistics.restarts += 1
        note("n\(node.id) restarts (durable \(node.disk.durableHardState), last index \(node.disk.durableLastIndex))")
        try start(node)
    }

    /// Kills `node`: its replica, its sync and persist in flight and every unsynced byte are
    /// gone. Clients waiting on it learn that the outcome is unknown.
    func crash(_ node: SimNode) throws(Violation) {
        precondition(node.isUp, "crash of a node that is down")
        statistics.crashes += 1
        note("n\(node.id) crashes\(node.syncInFlight == nil ? "" : " with a sync in flight")")
        node.replica = nil
        node.checks = nil
        node.syncInFlight = nil
        node.persistInFlight = nil
        node.actions = []
        node.incarnation += 1
        node.busyUntilMicros = 0
        node.paused = false
        node.deferred = []
        refreshDiskSpace(of: node)
        do {
            try node.disk.crash()
        } catch {
            throw Violation("recovery", "n\(node.id) after a crash: \(error)")
        }
        note("n\(node.id) disk recovered: \(node.disk.lastRecovery)")
        connectionsLost(at: node)
    }

    /// Freezes `node` for `milliseconds`: no ticks, no messages handled (they wait), no disk
    /// completions handled.
    func pause(_ node: SimNode, for milliseconds: UInt64) {
        precondition(node.isRunning, "pause of a node that is not running")
        statistics.pauses += 1
        node.paused = true
        node.pauseEpoch += 1
        note("n\(node.id) pauses for \(milliseconds)ms")
        schedule(.resume(node: node.index, pause: node.pauseEpoch), after: milliseconds)
    }

    /// Unfreezes `node`; what reached it meanwhile is handled now, in arrival order.
    func resume(_ node: SimNode) throws(Violation) {
        node.paused = false
        note("n\(node.id) resumes with \(node.deferred.count) waiting events")
        for event in node.deferred { queue.schedule(event, at: now) }
        node.deferred = []
        try drive(node) { _ throws(Violation) in }
    }

    func deliver(_ chunk: SnapshotChunk, to node: SimNode) throws(Violation) {
        guard node.isUp else { return statistics.messagesDropped += 1 }
        if node.paused { return node.deferred.append(.deliverSnapshot(chunk, to: node.index)) }
        if blocked[index(of: chunk.from)][node.index] { return statistics.messagesDropped += 1 }
        try drive(node) { (replica) throws(Violation) in
            try replica.handleObserved(.snapshotChunk(chunk), now: wallClock)
        }
    }

    func deliver(_ message: Message, to node: SimNode) throws(Violation) {
        guard node.isUp else { return statistics.messagesDropped += 1 }
        if node.paused { return node.deferred.append(.deliver(message, to: node.index)) }
        if blocked[index(of: message.from)][node.index] { return statistics.messagesDropped += 1 }
        try drive(node) { (replica) throws(Violation) in
            try replica.handleObserved(.peerMessage(message), now: wallClock)
        }
    }

    /// Hands `node`'s replica an event (`body`), lets it run its ready pipeline, performs the
    /// actions it asked for, then checks every invariant the node can break.
    func drive(_ node: SimNode, _ body: (Replica) throws(Violation) -> Void) throws(Violation) {
        guard let replica = node.replica, !node.paused else { return }
        refreshDiskSpace(of: node)
        node.workBytes = 0
        try body(replica)
        try replica.settleObserved(now: wallClock)
        try performActions(of: node)
        if let core = node.core { try checker.observe(node, core) }
        if let cost = options.processing {
            let micros = cost.microsPerEvent + UInt64(node.workBytes) * cost.microsPerKiB / 1024
            node.busyUntilMicros = max(node.busyUntilMicros, now.milliseconds * 1000) + micros
        }
    }

    /// With a processing cost model: when `node`'s loop is still busy after the millisecond
    /// `time`, the millisecond in which it takes up its next event (events in one millisecond
    /// share it in order, so a busy node handles as much per millisecond as its costs allow).
    func busyUntil(_ node: SimNode, at time: VirtualTime) -> VirtualTime? {
        guard options.processing != nil, node.busyUntilMicros / 1000 > time.milliseconds else { return nil }
        return .milliseconds(node.busyUntilMicros / 1000)
    }

    /// Performs what `node`'s replica asked for while it handled the last event, in order.
    private func performActions(of node: SimNode) throws(Violation) {
        let actions = node.actions
        node.actions = []
        for action in actions {
            switch action {
            case .send(let message):
                send(message, from: node)
            case .sendSnapshot(let chunk):
                send(chunk, from: node)
            case .transmit:
                break
            case .reply(let reply, let client, let request):
                try clientReply(reply, client: client, request: request, from: node)
            case .sync(let pending):
                precondition(node.syncInFlight == nil, "n\(node.id) started a second sync")
                node.syncInFlight = pending
                statistics.diskWrites += 1
                schedule(.syncDone(node: node.index, incarnation: node.incarnation), after: diskLatency())
            case .persist(let pending):
                precondition(node.persistInFlight == nil, "n\(node.id) started a second persist")
                node.persistInFlight = pending
                schedule(.persistDone(node: node.index, incarnation: node.incarnation), after: diskLatency())
            case .checkTransaction(let check):
                transactionChecked(check, by: node)
            case .log(_, let line):
                note("n\(node.id) \(line)")
            case .stop(let failure):
                throw Violation("storage", "n\(node.id) stopped: \(failure)")
            }
        }
    }

    private func diskLatency() -> UInt64 { options.disk.minLatencyMs + diskRNG.below(options.disk.latencySpreadMs + 1) }

    /// The disk finished `node`'s sync: its fdatasyncs run on the simulated file system now, and
    /// the replica learns the outcome.
    func completeSync(_ node: SimNode) throws(Violation) {
        guard let pending = node.syncInFlight else { preconditionFailure("no sync in flight") }
        node.syncInFlight = nil
        let outcome = Result { () throws(SystemError) in try pending.perform(on: node.disk.raftFileSystem) }
        try drive(node) { (replica) throws(Violation) in
            try replica.handleObserved(.syncCompleted(outcome), now: wallClock)
        }
    }

    /// The persist thread finished `node`'s persist: its writes and syncs happen on the simulated
    /// file system now (a crash before this loses them), and the replica learns the outcome.
    func completePersist(_ node: SimNode) throws(Violation) {
        guard let pending = node.persistInFlight else { preconditionFailure("no persist in flight") }
        node.persistInFlight = nil
        refreshDiskSpace(of: node)
        let outcome = Result { () throws(CommitLogError) -> PersistDone in
            try pending.perform(on: node.disk.stateMachineFileSystem)
            return PersistDone(index: pending.appliedIndex, took: .zero)
        }
        statistics.persists += 1
        try drive(node) { (replica) throws(Violation) in
            try replica.handleObserved(.persistCompleted(outcome), now: wallClock)
        }
    }

    /// Sends `message` from `node` through the network model: a blocked link or a loss drops
    /// it; otherwise it arrives after a random delay, sometimes twice.
    private func send(_ message: Message, from node: SimNode) {
        statistics.messagesSent += 1
        if case .vote(let request) = message.body, request.preVote { statistics.preVoteRequests[node.index] += 1 }
        let to = index(of: message.to)
        if blocked[node.index][to] || networkRNG.chance(network.lossPerMille, in: 1000) {
            statistics.messagesDropped += 1
            return
        }
        schedule(.deliver(message, to: to), after: networkDelay())
        if networkRNG.chance(network.duplicatePerMille, in: 1000) {
            statistics.messagesDuplicated += 1
            schedule(.deliver(message, to: to), after: networkDelay())
        }
    }

    /// A piece of a snapshot travels like a message: lost, duplicated or delayed alike.
    private func send(_ chunk: SnapshotChunk, from node: SimNode) {
        statistics.messagesSent += 1
        let to = index(of: chunk.to)
        if blocked[node.index][to] || networkRNG.chance(network.lossPerMille, in: 1000) {
            statistics.messagesDropped += 1
            return
        }
        schedule(.deliverSnapshot(chunk, to: to), after: networkDelay())
        if networkRNG.chance(network.duplicatePerMille, in: 1000) {
            statistics.messagesDuplicated += 1
            schedule(.deliverSnapshot(chunk, to: to), after: networkDelay())
        }
    }

    private func networkDelay() -> UInt64 {
        var delay = network.minDelayMs + networkRNG.below(network.delaySpreadMs + 1)
        if networkRNG.chance(network.tailPerMille, in: 1000) { delay += networkRNG.below(network.tailSpreadMs + 1) }
        return delay
    }

    /// One line about a ready, for `--verbose`.
    static func describe(_ ready: Ready) -> String {
        var parts = ["ready"]
        if let first = ready.entries.first, let last = ready.entries.last {
            parts.append("entries \(first.index)...\(last.index) terms \(first.term)...\(last.term)")
        }
        if let state = ready.hardState { parts.append("hard state \(state)") }
        if let soft = ready.softState { parts.append("\(soft.role) leader \(soft.leader.map(\.description) ?? "-")") }
        if ready.mustSync { parts.append("sync") }
        if let first = ready.committedEntries.first, let last = ready.committedEntries.last {
            parts.append("apply \(first.index)...\(last.index)")
        }
        for message in ready.messages { parts.append("send \(message)") }
        for message in ready.messagesAfterPersist { parts.append("send after persist \(message)") }
        return parts.joined(separator: "; ")
    }
}
