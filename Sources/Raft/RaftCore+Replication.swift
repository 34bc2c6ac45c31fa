extension RaftCore {
    // MARK: - Leader side

    /// Sends the next batch to `peer` if its flow control allows. Returns whether it sent.
    @discardableResult
    func sendAppend(to peer: NodeID, evenIfEmpty: Bool) throws(RaftError) -> Bool {
        guard var pr = progress[peer], !pr.isPaused else { return false }
        let prevIndex = pr.next.previous
        guard let prevTerm = log.term(at: prevIndex) else {
            // The entries the follower needs were compacted away: offer the snapshot instead.
            precondition(prevIndex < log.firstIndex, "no term for index \(prevIndex) inside the log")
            let snapshot = log.snapshotToSend
            send(.installSnapshot(snapshot), to: peer)
            pr.becomeSnapshot(snapshot.index)
            progress[peer] = pr
            return true
        }
        var entries: [Entry] = []
        if pr.next <= log.lastIndex {
            let through = min(log.lastIndex, pr.next.advanced(by: Int64(config.maxEntriesPerMessage - 1)))
            entries = try log.entries(from: pr.next, through: through, maxBytes: config.maxBytesPerMessage)
        }
        guard !entries.isEmpty || evenIfEmpty else { return false }
        let request = AppendRequest(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: log.committed)
        send(.append(request), to: peer)
        pr.sent(
            through: entries.last?.index ?? prevIndex, entryCount: entries.count,
            bytes: entries.reduce(0) { $0 + $1.data.count })
        progress[peer] = pr
        return true
    }

    /// Streams to `peer` everything its window allows.
    func sendPipelined(to peer: NodeID, evenIfEmpty: Bool) throws(RaftError) {
        var sent = try sendAppend(to: peer, evenIfEmpty: evenIfEmpty)
        while sent, let pr = progress[peer], pr.state == .replicate, pr.next <= log.lastIndex {
            sent = try sendAppend(to: peer, evenIfEmpty: false)
        }
    }

    /// New entries or a new commit index go to every follower.
    func broadcastAppend() throws(RaftError) {
        for peer in peers { try sendPipelined(to: peer, evenIfEmpty: true) }
    }

    func broadcastHeartbeat() {
        for peer in peers {
            let match = progress[peer]?.match ?? .zero
            let heartbeat = Heartbeat(commit: min(match, log.committed), readSequence: readOnly.sequence)
            send(.heartbeat(heartbeat), to: peer)
        }
    }

    func handleAppendResponse(_ response: AppendResponse, from peer: NodeID) throws(RaftError) {
        guard var pr = progress[peer] else { return }
        pr.recentActive = true
        if response.reject {
            var hint = response.hintIndex
            if response.hintTerm > .zero {
                hint = log.conflictHint(atOrBefore: response.hintIndex, term: response.hintTerm).index
            }
            let moved = pr.backtrack(rejected: response.index, hint: hint)
            progress[peer] = pr
            if moved { try sendAppend(to: peer, evenIfEmpty: true) }
            return
        }
        guard pr.acknowledge(response.index) else {
            progress[peer] = pr
            return
        }
        switch pr.state {
        case .probe: pr.becomeReplicate()
        case .replicate: pr.inflights.free(through: response.index)
        case .snapshot:
            // Installed (an answer at or past the snapshot), or the follower caught up otherwise.
            if pr.match >= pr.pendingSnapshot { pr.becomeReplicate() }
        }
        progress[peer] = pr
        if maybeCommit() { broadcastPending = true }
        try sendPipelined(to: peer, evenIfEmpty: false)
        if peer == transferTarget && pr.match == log.lastIndex { sendTimeoutNow() }
    }

    /// The owner could not deliver to `peer` (its connection broke, or its buffer overflowed):
    /// appends in flight may be lost, so stop streaming and probe from what it acknowledged.
    /// A snapshot offered to `peer` is lost with the connection too: it is offered again.
    public func reportUnreachable(_ peer: NodeID) {
        guard role == .leader, var pr = progress[peer], pr.state != .probe else { return }
        pr.becomeProbe()
        progress[peer] = pr
    }

    /// The owner's transfer of the snapshot offered to `peer` ended. `delivered`: every byte
    /// reached the follower, so probe right after the snapshot once it answers; otherwise offer
    /// it again (with the next heartbeat answer or append).
    public func reportSnapshot(to peer: NodeID, delivered: Bool) {
        guard role == .leader, var pr = progress[peer], pr.state == .snapshot else { return }
        if delivered { pr.snapshotSent() } else { pr.becomeProbe() }
        progress[peer] = pr
    }

    func handleHeartbeatResponse(_ response: HeartbeatResponse, from peer: NodeID) throws(RaftError) {
        guard var pr = progress[peer] else { return }
        pr.recentActive = true
        pr.heartbeatAnswered(at: now, interval: config.heartbeatIntervalTicks)
        pr.readAcked = max(pr.readAcked, response.readSequence)
        progress[peer] = pr
        if pr.match < log.lastIndex { try sendAppend(to: peer, evenIfEmpty: true) }
        releaseConfirmedReads()
    }

    /// Raft §5.4.2: commit the highest index a majority holds durably, but only by counting an
    /// entry of the current term (Figure 8). Returns whether the commit index moved.
    @discardableResult
    func maybeCommit() -> Bool {
        guard role == .leader else { return false }
        var matches = [log.persistedIndex]
        for peer in peers { matches.append(progress[peer]?.match ?? .zero) }
        matches.sort(by: >)
        let candidate = matches[quorum - 1]
        guard candidate > log.committed else { return false }
        if !config.brokenRules.contains(.commitPriorTermEntries) {
            guard log.term(at: candidate) == term else { return false }
        }
        log.commit(to: candidate)
        let committed = pendingProposals.prefix(while: { $0.proposal.index <= candidate }).count
        pendingProposals.removeFirst(committed)
        if !readOnly.waitingForCommit.isEmpty && log.term(at: log.committed) == term {
            for context in readOnly.waitingForCommit { registerRead(context) }
            readOnly.waitingForCommit = []
        }
        return true
    }

    // MARK: - Follower side

    func handleAppend(_ request: AppendRequest, from leaderID: NodeID) {
        if request.prevIndex < log.committed {
            send(.appendResponse(AppendResponse(index: log.committed)), to: leaderID)
            return
        }
        guard log.matches(index: request.prevIndex, term: request.prevTerm) else {
            let hint = log.conflictHint(atOrBefore: request.prevIndex, term: request.prevTerm)
            let response = AppendResponse(
                index: request.prevIndex, reject: true, hintIndex: hint.index, hintTerm: hint.term)
            send(.appendResponse(response), to: leaderID)
            return
        }
        let lastNew = request.prevIndex.advanced(by: Int64(request.entries.count))
        // Every entry here lies after prevIndex ≥ commit, so a conflict never reaches a committed entry.
        if let conflict = request.entries.firstIndex(where: { log.term(at: $0.index) != $0.term }) {
            log.append(Array(request.entries[conflict...]))
        }
        log.commit(to: min(request.commit, lastNew))
        send(.appendResponse(AppendResponse(index: lastNew)), to: leaderID)
    }

    /// Raft §7: a leader's snapshot, its bytes already held by this node's owner.
    func handleInstallSnapshot(_ snapshot: SnapshotMetadata, from leaderID: NodeID) {
        if snapshot.index <= log.committed {
            send(.appendResponse(AppendResponse(index: log.committed)), to: leaderID)
            return
        }
        if log.matches(index: snapshot.index, term: snapshot.term) {
            // The log already holds the snapshot's last entry, hence everything before it.
            log.commit(to: snapshot.index)
        } else {
            log.restore(snapshot)
        }
        send(.appendResponse(AppendResponse(index: snapshot.index)), to: leaderID)
    }

    func handleHeartbeat(_ heartbeat: Heartbeat, from leaderID: NodeID) {
        log.commit(to: min(heartbeat.commit, log.lastIndex))
        send(.heartbeatResponse(HeartbeatResponse(readSequence: heartbeat.readSequence)), to: leaderID)
    }
}
