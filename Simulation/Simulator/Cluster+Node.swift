import CommitLog
import Raft

/// Driving one node's core: feeding it messages, handling its readies exactly per the `Ready`
/// contract (send, persist, send after persist, apply, advance), and its process lifecycle.
extension Cluster {
    /// Boots `node` over its durable store: its CommitLog reopened from its last persist, and a
    /// fresh `RaftCore` that replays every committed entry after it.
    func start(_ node: SimNode) throws(Violation) {
        let machine = try openStateMachine(node)
        var config = RaftConfig(id: node.id, voters: ids)
        let tuning = options.raft
        config.electionTimeoutTicks = tuning.electionTimeoutTicks
        config.heartbeatIntervalTicks = tuning.heartbeatIntervalTicks
        config.maxEntriesPerMessage = tuning.maxEntriesPerMessage
        config.maxInflightMessages = tuning.maxInflightMessages
        config.proposalTimeoutTicks = tuning.proposalTimeoutTicks
        config.preferredLeader = tuning.preferredLeader.map { ids[$0] }
        config.randomSeed = raftRNG.next()
        config.applied = machine.appliedIndex
        config.brokenRules = options.brokenRules
        let core: RaftCore
        do {
            core = try RaftCore(config: config, storage: node.disk.raftStorage)
        } catch {
            throw Violation("config", "n\(node.id) rejected its configuration: \(error)")
        }
        node.core = core
        node.machine = machine
        node.applied = machine.appliedIndex
        node.persistedIndex = machine.appliedIndex
        node.pendingPersist = nil
        node.inFlight = nil
        node.awaitingWrite = []
        node.paused = false
        node.deferred = []
        try checker.started(node, core)
        try settle(node)
    }

    /// Brings a crashed node back over what its disk kept.
    func restart(_ node: SimNode) throws(Violation) {
        precondition(!node.isUp, "restart of a running node")
        statistics.restarts += 1
        note("n\(node.id) restarts (durable \(node.disk.durableHardState), last index \(node.disk.durableLastIndex))")
        try start(node)
    }

    /// Kills `node`: its core, its state machine, its in-flight write and every unsynced byte are
    /// gone. Clients waiting on it learn that the outcome is unknown.
    func crash(_ node: SimNode) throws(Violation) {
        precondition(node.isUp, "crash of a node that is down")
        statistics.crashes += 1
        note("n\(node.id) crashes\(node.inFlight == nil ? "" : " with a write in flight")")
        node.core = nil
        node.machine = nil
        node.pendingPersist = nil
        node.incarnation += 1
        node.inFlight = nil
        node.awaitingWrite = []
        node.paused = false
        node.deferred = []
        do {
            try node.disk.crash()
        } catch {
            throw Violation("recovery", "n\(node.id) after a crash: \(error)")
        }
        note("n\(node.id) disk recovered: \(node.disk.lastRecovery)")
        let proposals = node.pendingProposals
        let reads = node.pendingReads + node.parkedReads.map(\.read)
        node.pendingProposals = []
        node.pendingReads = []
        node.parkedReads = []
        for pending in proposals {
            if let id = pending.rawID { history.indeterminate(id, reason: "node \(node.id) crashed") }
            attemptFailed(pending.client, request: pending.request, definitely: false)
        }
        for read in reads { attemptFailed(read.client, request: read.request, definitely: false) }
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
        try settle(node)
    }

    func deliver(_ message: Message, to node: SimNode) throws(Violation) {
        guard let core = node.core else { return statistics.messagesDropped += 1 }
        if node.paused { return node.deferred.append(.deliver(message, to: node.index)) }
        if blocked[index(of: message.from)][node.index] { return statistics.messagesDropped += 1 }
        do { try core.step(message) } catch { throw Violation("core-error", "n\(node.id) step threw: \(error)") }
        try settle(node)
    }

    /// After anything touched `node`: handle its readies, then check every invariant.
    ///
    /// Like the real node, the disk overlaps the next readies: while a synced write is in flight,
    /// later readies are taken (sent, staged, applied, advanced with `entriesDurable: false`)
    /// and wait in `node.awaitingWrite`; their messages-after-persist leave only when the write
    /// that covers them completes. A ready that would rewrite entries still being written waits.
    func settle(_ node: SimNode) throws(Violation) {
        guard let core = node.core, !node.paused else { return }
        while core.hasReady {
            if let held = node.lastHeldIndex, let next = core.nextIndexToPersist, next <= held { break }
            let ready: Ready
            do { ready = try core.ready() } catch { throw Violation("core-error", "n\(node.id) ready threw: \(error)") }
            try checker.readyProduced(ready, by: node, core)
            if node.inFlight != nil { statistics.readiesDuringWrites += 1 }
            if let eventSink { eventSink("    n\(node.id) \(Self.describe(ready))") }
            try send(ready.messages, from: node)
            if ready.mustSync || node.inFlight != nil || !node.awaitingWrite.isEmpty {
                do { try node.disk.stage(ready.entries) } catch { throw Violation("storage", "n\(node.id): \(error)") }
                try handle(ready, on: node, core, entriesDurable: false)
                node.awaitingWrite.append(ready)
                startWriteIfIdle(node)
            } else {
                try write([ready], on: node)
                try send(ready.messagesAfterPersist, from: node)
                try handle(ready, on: node, core, entriesDurable: true)
            }
        }
        try checker.observe(node, core)
    }

    /// Starts one synced write for every ready waiting, unless a write is in flight.
    private func startWriteIfIdle(_ node: SimNode) {
        guard node.inFlight == nil, !node.awaitingWrite.isEmpty else { return }
        node.inFlight = node.awaitingWrite
        node.awaitingWrite = []
        statistics.diskWrites += 1
        let latency = options.disk.minLatencyMs + diskRNG.below(options.disk.latencySpreadMs + 1)
        schedule(.diskWriteDone(node: node.index, incarnation: node.incarnation), after: latency)
    }

    /// The synced write of the readies in flight reached the disk: the core learns their entries
    /// are durable, and what waited for that is sent.
    func completeWrite(_ node: SimNode) throws(Violation) {
        guard let group = node.inFlight, let core = node.core else { preconditionFailure("no write in flight") }
        node.inFlight = nil
        try write(group, on: node)
        for ready in group {
            if let last = ready.entries.last { core.entriesPersisted(through: last.index, term: last.term) }
            try send(ready.messagesAfterPersist, from: node)
        }
        try checker.commitAdvanced(node, core)
        startWriteIfIdle(node)
        try settle(node)
    }

    /// Step 2 of the ready contract for `group` (readies in order, entries contiguous): their
    /// entries and newest hard state reach the disk, synced when any of them must be.
    private func write(_ group: [Ready], on node: SimNode) throws(Violation) {
        var combined = Ready()
        for ready in group {
            combined.entries += ready.entries
            if let state = ready.hardState { combined.hardState = state }
            combined.mustSync = combined.mustSync || ready.mustSync
        }
        guard !combined.entries.isEmpty || combined.hardState != nil else { return }
        try checker.willWrite(combined, on: node)
        do {
            try node.disk.write(entries: combined.entries, hardState: combined.hardState, sync: combined.mustSync)
        } catch {
            throw Violation("storage", "n\(node.id) disk write failed: \(error)")
        }
        try checker.didWrite(on: node)
    }

    /// Step 4 of the ready contract (apply, answer reads and failures), then `advance`.
    private func handle(_ ready: Ready, on node: SimNode, _ core: RaftCore, entriesDurable: Bool) throws(Violation) {
        try checker.commitAdvanced(node, core)
        let given = stateMachineEntries(ready.committedEntries, on: node)
        for (entry, givenEntry) in zip(ready.committedEntries, given) { try apply(entry, as: givenEntry, on: node) }
        try persistIfDue(node)
        for state in ready.readStates { try readConfirmed(state, on: node) }
        try serveParkedReads(on: node)
        for failed in ready.failedReads { readFailed(failed, on: node) }
        for failed in ready.failedProposals { proposalFailed(failed, on: node) }
        core.advance(ready, entriesDurable: entriesDurable)
    }

    /// The state machine applies `entry` (given as `given`, which differs only when a test broke
    /// the state machine on purpose); a proposal this incarnation accepted at its index is
    /// acknowledged if the terms match and lost otherwise.
    private func apply(_ entry: Entry, as given: Entry, on node: SimNode) throws(Violation) {
        try checker.applied(entry, on: node)
        let results = try applyToStateMachine(given, on: node)
        node.applied = entry.index
        let rawID = entry.kind == .normal ? Payload.id(in: entry.data) : nil
        if let rawID { try history.applied(rawID, at: entry.index) }
        guard let position = node.pendingProposals.firstIndex(where: { $0.proposal.index == entry.index }) else {
            return
        }
        let pending = node.pendingProposals.remove(at: position)
        if pending.proposal.term == entry.term {
            guard entry.data == pending.data else {
                throw Violation(
                    "proposal-identity",
                    "n\(node.id) accepted a proposal at \(pending.proposal.index) term \(pending.proposal.term) "
                        + "but that entry holds other bytes")
            }
            try proposalApplied(pending, results: results, at: entry.index, on: node)
        } else {
            if let id = pending.rawID {
                history.failed(id, reason: "index \(entry.index) committed with term \(entry.term)")
            }
            attemptFailed(pending.client, request: pending.request, definitely: true)
        }
    }

    /// Sends `messages` from `node` through the network model: a blocked link or a loss drops a
    /// message; the rest arrive after a random delay, sometimes twice.
    func send(_ messages: [Message], from node: SimNode) throws(Violation) {
        for message in messages {
            try checker.sent(message, by: node)
            statistics.messagesSent += 1
            if case .vote(let request) = message.body, request.preVote { statistics.preVoteRequests[node.index] += 1 }
            let to = index(of: message.to)
            if blocked[node.index][to] || networkRNG.chance(network.lossPerMille, in: 1000) {
                statistics.messagesDropped += 1
                continue
            }
            schedule(.deliver(message, to: to), after: networkDelay())
            if networkRNG.chance(network.duplicatePerMille, in: 1000) {
                statistics.messagesDuplicated += 1
                schedule(.deliver(message, to: to), after: networkDelay())
            }
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
