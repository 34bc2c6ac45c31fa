import CommitLog
import FileIO
import LedgerModel
import LogStore
import Posix
import Raft

extension Replica {
    /// Drives the core's output per the ``Ready`` contract: send, write, save the hard state,
    /// apply, answer, advance; and keeps the disk busy with group commits.
    ///
    /// A ready that would rewrite entries already written waits until no sync runs: a
    /// truncation must never become durable while an earlier ready's acknowledgement of the
    /// entries it removes is still waiting to leave.
    func processReadies() throws(Violation) {
        while failure == nil && core.hasReady {
            if groupCommit.isSyncing, let next = core.nextIndexToPersist, next <= store.lastIndex { break }
            let ready: Ready
            do { ready = try core.ready() } catch { return stop(.raft(error)) }
            try observer?.readyTaken(ready, by: core)
            if let soft = ready.softState { try report(soft) }
            try send(ready.messages)
            if let snapshot = ready.snapshot {
                try install(snapshot)
                guard failure == nil else { return }
            }
            // Replication leaves before this node's own disk write, so followers write in parallel.
            if !ready.entries.isEmpty && !ready.messages.isEmpty { host.perform(.transmit) }
            let waitsForDisk =
                configuration.syncBeforeAcknowledging && !configuration.brokenRules.contains(.answerBeforeSync)
                && (!ready.entries.isEmpty || groupCommit.isBusy)
            switch try write(ready) {
            case .failed:
                return
            case .refused(let entriesWritten, let error):
                try logWritesRefused(ready, entriesWritten: entriesWritten, error)
            case .written where refusedLogWrites != nil:
                if core.writesHeld { holdPromises(of: ready) } else { logWritesResumed(ready) }
            case .written where waitsForDisk:
                groupCommit.awaiting.append(AwaitingSync(ready))
            case .written:
                try send(ready.messagesAfterPersist)
            }
            try applyCommitted(ready)
            core.advance(ready, entriesDurable: !waitsForDisk)
            persistIfDue()
            try startSync(evenIfNoneWaits: false)
        }
    }

    /// Step 2 of a ready: its entries reach the page cache (a conflicting suffix is cut first,
    /// durably) and a new term or vote is saved durably before anything that depends on it
    /// leaves, with the commit it can vouch for (``durableHardState(_:)``). A commit-only change
    /// is saved lazily (with the next term change, and at close).
    /// A full disk refuses the write with the store intact (``ReadyWrite/refused(entriesWritten:_:)``);
    /// any other store failure stops the replica.
    private func write(_ ready: Ready) throws(Violation) -> ReadyWrite {
        if let first = ready.entries.first {
            try observer?.willWrite(ready.entries)
            if first.index <= store.lastIndex {
                log(
                    .warning,
                    "truncating the log after index \(first.index.previous): the leader's log differs from index \(first.index)"
                )
            }
        }
        var entriesWritten = false
        do {
            try store.append(ready.entries)
            entriesWritten = true
            if let hard = ready.hardState, hard.term != store.hardState.term || hard.vote != store.hardState.vote {
                try store.saveHardState(durableHardState(hard))
            }
        } catch .outOfSpace(let error, let action) {
            try observer?.storageChanged(core)
            return .refused(entriesWritten: entriesWritten, .outOfSpace(error, action: action))
        } catch {
            stop(.storage(error))
            return .failed
        }
        try observer?.storageChanged(core)
        return .written
    }

    /// How ``write(_:)`` ended.
    private enum ReadyWrite {
        /// Entries and hard state are in the store (entries not yet durable).
        case written
        /// The disk is full: nothing of the ready was written, or (`entriesWritten`) its entries
        /// but not its hard state. The store goes on.
        case refused(entriesWritten: Bool, LogStoreError)
        /// The store failed; the replica stopped.
        case failed
    }

    /// `state` as it may be saved now: its commit capped at what the store holds durably. The
    /// hard state is saved at once (a vote must be durable before it leaves) while the entries it
    /// commits may still be syncing; a crash must not leave a commit beyond the durable log.
    func durableHardState(_ state: HardState) -> HardState {
        HardState(term: state.term, vote: state.vote, commit: min(state.commit, store.durableIndex))
    }

    /// Hands everything written since the last sync to the owner's disk thread, unless a sync
    /// runs. With nothing to sync, releases what waited at once.
    func startSync(evenIfNoneWaits: Bool) throws(Violation) {
        guard failure == nil, !groupCommit.isSyncing, evenIfNoneWaits || !groupCommit.awaiting.isEmpty else { return }
        let pending: PendingSync?
        do { pending = try store.beginSync() } catch { return stop(.storage(error)) }
        let waiting = groupCommit.awaiting
        groupCommit.awaiting = []
        guard let pending else { return try release(waiting) }
        groupCommit.inFlight = (waiting, pending)
        host.perform(.sync(pending))
    }

    /// The owner's disk thread finished the running sync (or failed it: the replica stops).
    func syncFinished(_ outcome: Result<Void, SystemError>) throws(Violation) {
        guard let (waiting, pending) = groupCommit.inFlight else {
            preconditionFailure("a sync completed but none was started")
        }
        groupCommit.inFlight = nil
        do {
            try store.finishSync(pending, outcome: outcome)
        } catch {
            return stop(.storage(error))
        }
        try observer?.storageChanged(core)
        try release(waiting)
        try startSync(evenIfNoneWaits: false)
        stepSnapshotOfferIfIdle()
    }

    /// The entries of `waiting` are durable: tell the core, then send what waited for that.
    private func release(_ waiting: [AwaitingSync]) throws(Violation) {
        for group in waiting {
            if let last = group.lastEntry { core.entriesPersisted(through: last.index, term: last.term) }
            try send(group.messagesAfterPersist)
        }
        try observer?.storageChanged(core)
    }

    /// Step 4 of a ready: apply the committed entries (answering the clients that proposed
    /// them), answer confirmed reads, fail what the core gave up on.
    private func applyCommitted(_ ready: Ready) throws(Violation) {
        var queuesWithNews = Set<MessageQueue>()
        let given = observer?.stateMachineInput(ready.committedEntries) ?? ready.committedEntries
        for (entry, givenEntry) in zip(ready.committedEntries, given) {
            try observer?.willApply(entry)
            let position: Int64
            do {
                position = try bodyPosition(of: entry.index)
                try snapshotAtFileBoundary(
                    before: entry.index, recordPosition: UInt64(position) - UInt64(LogStore.recordHeaderBytes))
            } catch {
                return stop(.storage(error))
            }
            let results = stateMachine.apply(entry: givenEntry, bodyPosition: position)
            if results.contains(where: \.isRejection) { proposalTail = nil }
            try observer?.didApply(entry, results: results, stateMachine: stateMachine)
            persistence.appliedSince += 1
            for case .stored(let result) in results {
                queuesWithNews.insert(result.queue)
                messagesReceived.add(1, topic: result.queue.topic)
            }
            answerApplied(entry, results: results)
            heldMessagesApplied(results)
            heldCounters.count(entry, results)
        }
        proposalTail?.forget(appliedThrough: stateMachine.appliedIndex)
        wakeLongPolls(queuesWithNews)
        try handleReadStates(ready.readStates, failed: ready.failedReads)
        for failed in ready.failedProposals { failWrite(failed) }
    }

    /// Logs role and leader changes; a leader that steps down releases its long polls.
    private func report(_ soft: SoftState) throws(Violation) {
        defer { lastSoftState = soft }
        if soft.role != lastSoftState.role {
            proposalTail = nil
            checksInFlight = [:]
        }
        if soft.role == .leader && lastSoftState.role != .leader {
            log(.info, "won the election: leading the group")
        } else if lastSoftState.role == .leader && soft.role != .leader {
            log(.warning, "stepped down as leader")
            releaseLongPolls()
        }
        if soft.leader != lastSoftState.leader { log(.info, "leader is now \(name(soft.leader))") }
        if soft.role == .candidate && lastSoftState.role != .candidate { log(.info, "campaigning") }
    }
}
