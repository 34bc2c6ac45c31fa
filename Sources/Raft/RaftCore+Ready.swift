extension RaftCore {
    /// Whether ``ready()`` has anything to hand out. False while a ready is outstanding.
    public var hasReady: Bool {
        guard !readyOutstanding else { return false }
        let writes = !writesHeld && (hardState != reportedHardState || log.hasEntriesToPersist)
        return softState != reportedSoftState || writes
            || log.snapshotToInstall != nil
            || !messagesNow.isEmpty || !messagesAfterPersist.isEmpty || log.applicableRange != nil
            || !readStates.isEmpty || !failedProposals.isEmpty || !failedReads.isEmpty || broadcastPending
            || heartbeatPending
    }

    /// Collects everything to persist, send and apply since the last ready. Follow
    /// ``Ready``'s handling order, then call ``advance(_:)``.
    /// - Precondition: the previous ready was advanced.
    public func ready() throws(RaftError) -> Ready {
        precondition(!readyOutstanding, "ready() called before the previous ready was advanced")
        if broadcastPending {
            broadcastPending = false
            try broadcastAppend()
        }
        if heartbeatPending {
            heartbeatPending = false
            broadcastHeartbeat()
        }
        var ready = Ready()
        let soft = softState
        if soft != reportedSoftState {
            ready.softState = soft
            reportedSoftState = soft
        }
        let hard = hardState
        if !writesHeld && hard != reportedHardState {
            ready.hardState = hard
            ready.mustSync = hard.term != reportedHardState.term || hard.vote != reportedHardState.vote
            reportedHardState = hard
        }
        ready.snapshot = log.takeSnapshotToInstall()
        if ready.snapshot != nil { ready.mustSync = true }
        if !writesHeld { ready.entries = log.takeEntriesToPersist() }
        if !ready.entries.isEmpty { ready.mustSync = true }
        if let range = log.applicableRange {
            ready.committedEntries = try log.entries(
                from: range.lowerBound, through: range.upperBound, maxBytes: config.maxBytesPerMessage * 4)
            if role == .leader {
                // Saturating: entries of earlier terms were never counted.
                let applying = ready.committedEntries.reduce(0) { $0 + $1.data.count }
                uncommittedBytes = max(0, uncommittedBytes - applying)
            }
        }
        swap(&ready.messages, &messagesNow)
        swap(&ready.messagesAfterPersist, &messagesAfterPersist)
        swap(&ready.readStates, &readStates)
        swap(&ready.failedProposals, &failedProposals)
        swap(&ready.failedReads, &failedReads)
        readyOutstanding = true
        return ready
    }

    /// Confirms that `ready` was handled: its messages sent, its entries written, its hard state
    /// saved, its committed entries applied. With `entriesDurable` (the simple owner that syncs
    /// before advancing) its entries are durable too. Without it (an owner that overlaps its
    /// disk with the next readies), the owner reports durability later through
    /// ``entriesPersisted(through:term:)`` and holds `messagesAfterPersist` until then; the
    /// next ``ready()`` may be taken meanwhile.
    public func advance(_ ready: Ready, entriesDurable: Bool = true) {
        precondition(readyOutstanding, "advance() without an outstanding ready")
        readyOutstanding = false
        if entriesDurable, let last = ready.entries.last { log.stableTo(index: last.index, term: last.term) }
        if let snapshot = ready.snapshot { log.snapshotInstalled(snapshot) }
        // A snapshot restored meanwhile already counts as applied; never move back from it.
        if let last = ready.committedEntries.last { log.applied = max(log.applied, last.index) }
        if maybeCommit() { broadcastPending = true }
    }

    /// The entries of earlier readies through `index` (whose entry had `term` when handed out)
    /// reached stable storage. A leader now counts itself for them; committed ones become
    /// applicable. Ignored when the log has since been rewritten at `index` (the rewrite's own
    /// ready covers those indices).
    public func entriesPersisted(through index: LogIndex, term: Term) {
        log.stableTo(index: index, term: term)
        if maybeCommit() { broadcastPending = true }
    }

    /// The index of the first entry the next ready hands out to persist, or nil when none waits
    /// (or writes are held). An owner with entries still syncing compares it with its store's
    /// last index: at or below it, the next ready rewrites entries being synced, so wait for
    /// that sync first.
    public var nextIndexToPersist: LogIndex? { writesHeld ? nil : log.nextIndexToPersist }

    /// The owner could not write the outstanding ready's entries from `index` on (nil: it wrote
    /// them) or save its hard state, because the disk is full; `saved` is the hard state its
    /// storage holds. Until ``resumeWrites()`` readies hand out no entries and no hard state —
    /// those entries stay in memory, not durable, so this node neither counts nor acknowledges
    /// them — and then hand out again everything not written, with the hard state if it
    /// differs from `saved`. The owner must hold back every `messagesAfterPersist` meanwhile:
    /// they may vouch for what is not durable.
    /// - Precondition: a ready is outstanding, and `index` is one of its entries.
    public func writesFailed(from index: LogIndex?, saved: HardState) {
        precondition(readyOutstanding, "writesFailed(from:saved:) without an outstanding ready")
        if let index { log.rewindHandedOut(before: index) }
        reportedHardState = saved
        writesHeld = true
    }

    /// Lets readies hand out entries and the hard state again after ``writesFailed(from:saved:)``.
    public func resumeWrites() { writesHeld = false }

    /// Whether the next ready carries a leader's snapshot to install (an offer was accepted).
    public var hasSnapshotToInstall: Bool { log.snapshotToInstall != nil }
}
