import CommitLog
import LedgerModel
import LogStore
import Posix
import Raft
import Wire

extension LedgerServer {
    /// Drives the core's output: send, write, apply, answer clients, advance; and keeps the disk
    /// busy with group commits. While one sync runs on the disk thread, later readies are taken
    /// too (their sends leave at once, their entries are written to the page cache, committed
    /// entries are applied); what they must send after persisting waits in `awaitingSync`, and
    /// the next sync covers all their entries at once. A ready that would rewrite entries being
    /// synced waits for that sync.
    func processReady() throws(ServerError) {
        while core.hasReady {
            if syncInFlight != nil, let next = core.nextIndexToPersist, next <= store.lastIndex { break }
            let ready: Ready
            do { ready = try core.ready() } catch { throw .configuration("raft: \(error)") }
            if let soft = ready.softState { report(soft) }
            sendToPeers(ready.messages)
            // Replication leaves before this node's own disk write, so followers write in parallel.
            if !ready.entries.isEmpty && !ready.messages.isEmpty { writeDirtyConnections() }
            do {
                if let first = ready.entries.first, first.index <= store.lastIndex {
                    logger.warning(
                        term: core.term.rawValue,
                        "truncating the log after index \(first.index.previous): the leader's log differs from index \(first.index)"
                    )
                }
                try store.append(ready.entries)
                // Term and vote must be durable before any vote or answer leaves (saveHardState
                // syncs); a commit-only change is saved lazily (with the next term change, and at
                // shutdown).
                if let hard = ready.hardState, hard.term != store.hardState.term || hard.vote != store.hardState.vote {
                    try store.saveHardState(hard)
                }
            } catch {
                throw .storage(error)
            }
            let waitsForDisk =
                options.syncBeforeAcknowledging
                && (!ready.entries.isEmpty || syncInFlight != nil || !awaitingSync.isEmpty)
            if waitsForDisk {
                awaitingSync.append(AwaitingSync(ready))
            } else {
                sendToPeers(ready.messagesAfterPersist)
            }
            handle(ready, entriesDurable: !waitsForDisk)
            try startSyncIfIdle()
        }
    }

    /// Hands everything written since the last sync to the disk thread, unless a sync runs.
    /// With nothing to sync, releases what waited at once.
    private func startSyncIfIdle() throws(ServerError) {
        guard syncInFlight == nil, !awaitingSync.isEmpty else { return }
        let pending: PendingSync?
        do { pending = try store.beginSync() } catch { throw .storage(error) }
        let waiting = awaitingSync
        awaitingSync = []
        guard let pending else { return release(waiting) }
        syncInFlight = (waiting, pending)
        disk.submit(pending)
    }

    /// The disk thread synced the in-flight group's entries (or failed to: the node stops).
    func syncFinished(_ outcome: SyncOutcome) {
        guard let (waiting, pending) = syncInFlight else { return }
        syncInFlight = nil
        do throws(LogStoreError) {
            try store.finishSync(pending, outcome: outcome)
        } catch {
            stopReason = .failure(.storage(error))
            return
        }
        release(waiting)
        guard stopReason == nil else { return }
        do throws(ServerError) {
            try startSyncIfIdle()
        } catch {
            stopReason = .failure(error)
        }
    }

    /// The entries of `waiting` are durable: tell the core, then send what waited for that.
    private func release(_ waiting: [AwaitingSync]) {
        for group in waiting {
            if let last = group.lastEntry { core.entriesPersisted(through: last.index, term: last.term) }
            sendToPeers(group.messagesAfterPersist)
        }
    }

    /// Step 4 of a ready (apply, answer reads, fail proposals), then advance; persist the message
    /// store when due.
    private func handle(_ ready: Ready, entriesDurable: Bool) {
        var queuesWithNews = Set<MessageQueue>()
        for entry in ready.committedEntries { apply(entry, queuesWithNews: &queuesWithNews) }
        wakeLongPolls(queuesWithNews)
        handleReadStates(ready.readStates, failed: ready.failedReads)
        for failed in ready.failedProposals { fail(failed) }
        core.advance(ready, entriesDurable: entriesDurable)
        if persistence.appliedSince >= options.persistEveryEntries
            || messages.unpersistedBytes >= options.persistEveryBytes
        {
            do throws(ServerError) {
                try persistMessages()
            } catch {
                stopReason = .failure(error)
            }
        }
    }

    private func report(_ soft: SoftState) {
        defer { lastSoftState = soft }
        let term = core.term.rawValue
        if soft.role == .leader && lastSoftState.role != .leader {
            logger.info(term: term, "won the election: leading the group")
        } else if lastSoftState.role == .leader && soft.role != .leader {
            logger.warning(term: term, "stepped down as leader")
            releaseLongPolls()
        }
        if soft.leader != lastSoftState.leader {
            let name = options.member(soft.leader)?.name ?? "none"
            logger.info(term: term, "leader is now \(name)")
        }
        if soft.role == .candidate && lastSoftState.role != .candidate {
            logger.info(term: term, "campaigning")
        }
    }

    /// Applies a committed entry to the message store and answers the client that proposed it;
    /// adds the queues that received messages to `queuesWithNews`.
    private func apply(_ entry: Entry, queuesWithNews: inout Set<MessageQueue>) {
        let results = messages.apply(entry: entry)
        persistence.appliedSince += 1
        for case .stored(let result) in results { queuesWithNews.insert(result.queue) }
        guard let pending = pendingAppends.removeValue(forKey: entry.index),
            let connection = connections[pending.connection]
        else { return }
        if pending.term == entry.term {
            send(
                answerApplied(pending, index: entry.index, results: results), requestID: pending.requestID,
                on: connection)
        } else {
            let error = ErrorResponse(
                code: .notLeader(leader: core.leader, leaderAddress: leaderAddress),
                message: "entry \(entry.index) was replaced by a newer leader's entry; the write was lost, retry it")
            send(.errorResponse(error, answering: pending.opcode), requestID: pending.requestID, on: connection)
        }
    }

    private func fail(_ failed: FailedProposal) {
        guard let pending = pendingAppends.removeValue(forKey: failed.index),
            let connection = connections[pending.connection]
        else { return }
        send(
            .errorResponse(errorResponse(for: failed.error), answering: pending.opcode),
            requestID: pending.requestID, on: connection)
    }

    /// The leader's client address, if a leader is known.
    var leaderAddress: String? { options.member(core.leader)?.address.description }

    /// How a Raft refusal reads to a client. A refusal before anything was proposed is
    /// `notLeader` or `noQuorum` (certainly no effect); a proposal the core gave up on (timed out,
    /// leadership lost) is `outcomeUnknown`, since another leader may still commit it.
    func errorResponse(for error: RaftError) -> ErrorResponse {
        switch error {
        case .notLeader(let leader):
            let code: ErrorResponse.Code =
                leader == nil
                ? .noQuorum : .notLeader(leader: leader, leaderAddress: options.member(leader)?.address.description)
            return ErrorResponse(code: code, message: error.description)
        case .transferInProgress(let target):
            return ErrorResponse(
                code: .notLeader(leader: target, leaderAddress: options.member(target)?.address.description),
                message: error.description)
        case .noQuorum, .leadershipLost:
            return ErrorResponse(code: .outcomeUnknown, message: error.description)
        case .entryTooLarge, .unknownNode, .transferFailed:
            return ErrorResponse(code: .badRequest, message: error.description)
        case .storageFailed:
            return ErrorResponse(code: .internal, message: error.description)
        }
    }

    /// Answers every client waiting for a proposed entry with `outcomeUnknown` (on shutdown: the
    /// entries are in the log and a later leader may still commit them).
    func failAllPending() {
        for (index, pending) in pendingAppends.sorted(by: { $0.key < $1.key }) {
            guard let connection = connections[pending.connection] else { continue }
            let error = ErrorResponse(
                code: .outcomeUnknown,
                message: "node \(options.me.name) is shutting down before entry \(index) committed; "
                    + "the next leader may still commit it")
            send(.errorResponse(error, answering: pending.opcode), requestID: pending.requestID, on: connection)
        }
        pendingAppends.removeAll()
    }
}
