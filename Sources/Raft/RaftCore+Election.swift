extension RaftCore {
    /// Starts an election now (with a pre-vote round first when pre-vote is on). A leader
    /// ignores it.
    public func campaign() throws(RaftError) {
        try campaign(transfer: false)
    }

    /// `transfer`: the leader asked us to take over (TimeoutNow), so skip pre-vote and ask
    /// voters to ignore their leases.
    func campaign(transfer: Bool) throws(RaftError) {
        guard role != .leader else { return }
        if config.preVote && !transfer {
            becomePreCandidate()
            votes[id] = true
            if grantedVotes >= quorum { return startElection(transfer: false) }
            let request = VoteRequest(lastIndex: log.lastIndex, lastTerm: log.lastTerm, preVote: true)
            for peer in peers { send(.vote(request), to: peer, term: term.next) }
        } else {
            startElection(transfer: transfer)
        }
    }

    private func startElection(transfer: Bool) {
        becomeCandidate()
        votes[id] = true
        if grantedVotes >= quorum { return becomeLeader() }
        let request = VoteRequest(lastIndex: log.lastIndex, lastTerm: log.lastTerm, preVote: false, transfer: transfer)
        for peer in peers { send(.vote(request), to: peer) }
    }

    private var grantedVotes: Int { votes.values.count(where: { $0 }) }

    /// Raft §5.2 and §5.4.1: one vote per term, only for a log at least as up to date as ours.
    /// A pre-vote is granted on the same log rule, for a term beyond ours, without voting.
    func handleVoteRequest(_ request: VoteRequest, from candidate: NodeID, term requestTerm: Term) {
        let canVote =
            vote == candidate || (vote == nil && leader == nil) || (request.preVote && requestTerm > term)
        let logOK =
            config.brokenRules.contains(.skipVoteLogCheck)
            || log.isUpToDate(lastIndex: request.lastIndex, lastTerm: request.lastTerm)
        guard canVote && logOK else {
            send(.voteResponse(VoteResponse(granted: false, preVote: request.preVote)), to: candidate)
            return
        }
        if request.preVote {
            send(.voteResponse(VoteResponse(granted: true, preVote: true)), to: candidate, term: requestTerm)
        } else {
            vote = candidate
            electionElapsed = 0
            send(.voteResponse(VoteResponse(granted: true, preVote: false)), to: candidate)
        }
    }

    func handleVoteResponse(_ response: VoteResponse, from voter: NodeID, term responseTerm: Term) throws(RaftError) {
        switch (role, response.preVote) {
        case (.preCandidate, true), (.candidate, false): break
        default: return  // A late answer to a round that is over.
        }
        votes[voter] = response.granted
        let granted = grantedVotes
        if granted >= quorum {
            if role == .preCandidate { startElection(transfer: false) } else { becomeLeader() }
        } else if votes.count - granted > config.voters.count - quorum {
            becomeFollower(term: term, leader: nil)
        }
    }
}
