extension RaftCore {
    /// A leader's tick: heartbeats, check-quorum, transfer timeouts, the preferred leader and
    /// proposal deadlines.
    func tickLeader() throws(RaftError) {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTimeoutTicks.lowerBound {
            electionElapsed = 0
            if config.checkQuorum {
                let active = 1 + peers.count(where: { progress[$0]?.recentActive == true })
                if active < quorum {
                    becomeFollower(term: term, leader: nil, lostQuorum: true)
                    return
                }
            }
            try transferToPreferredLeaderIfCaughtUp()
            if config.checkQuorum {
                for peer in peers { progress[peer]?.recentActive = false }
            }
        }
        if transferTarget != nil && now >= transferDeadline { abortTransfer() }
        if heartbeatElapsed >= config.heartbeatIntervalTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
        expireProposals()
    }

    /// Fails proposals whose deadline passed without a commit.
    private func expireProposals() {
        let expired = pendingProposals.prefix(while: { $0.deadline <= now }).count
        guard expired > 0 else { return }
        for pending in pendingProposals.prefix(expired) {
            let error = RaftError.noQuorum(index: pending.proposal.index, ticks: config.proposalTimeoutTicks)
            failedProposals.append(
                FailedProposal(index: pending.proposal.index, term: pending.proposal.term, error: error))
        }
        pendingProposals.removeFirst(expired)
    }

    /// Called when this node stops leading: nothing it accepted can be confirmed by it any more.
    func abandonLeadership(lostQuorum: Bool) {
        for pending in pendingProposals {
            let index = pending.proposal.index
            let error: RaftError =
                lostQuorum
                ? .noQuorum(index: index, ticks: config.electionTimeoutTicks.lowerBound)
                : .leadershipLost(index: index)
            failedProposals.append(FailedProposal(index: index, term: pending.proposal.term, error: error))
        }
        pendingProposals = []
        let readError = RaftError.notLeader(leader: leader)
        for read in readOnly.pending { failedReads.append(FailedRead(context: read.context, error: readError)) }
        for context in readOnly.waitingForCommit { failedReads.append(FailedRead(context: context, error: readError)) }
        readOnly = ReadOnlyState()
        heartbeatPending = false
        broadcastPending = false
    }

    // MARK: - Leadership transfer

    /// Hands leadership to `target`: once it holds the whole log it is told to campaign at once
    /// (TimeoutNow). Proposals are refused meanwhile; the transfer is abandoned after the
    /// minimum election timeout. Transferring to the current leader does nothing.
    public func transferLeadership(to target: NodeID) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        guard config.voters.contains(target) else { throw .unknownNode(target) }
        guard target != id, transferTarget != target else { return }
        try startTransfer(to: target)
    }

    private func startTransfer(to target: NodeID) throws(RaftError) {
        abortTransfer()
        transferTarget = target
        transferDeadline = now + config.electionTimeoutTicks.lowerBound
        if progress[target]?.match == log.lastIndex {
            sendTimeoutNow()
        } else {
            try sendAppend(to: target, evenIfEmpty: true)
        }
    }

    func sendTimeoutNow() {
        guard let target = transferTarget, !transferTimeoutNowSent else { return }
        transferTimeoutNowSent = true
        send(.timeoutNow, to: target)
    }

    func abortTransfer() {
        transferTarget = nil
        transferTimeoutNowSent = false
    }

    /// DLedger's preferred leader: hand over to it whenever it is reachable and caught up.
    private func transferToPreferredLeaderIfCaughtUp() throws(RaftError) {
        guard let preferred = config.preferredLeader, preferred != id, transferTarget == nil,
            let pr = progress[preferred], pr.recentActive, pr.match == log.lastIndex
        else { return }
        try startTransfer(to: preferred)
    }
}
