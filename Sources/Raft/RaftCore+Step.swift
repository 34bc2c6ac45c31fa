extension RaftCore {
    /// Feeds a message from a peer. Messages from older terms are answered or ignored as Raft
    /// requires; they are not errors.
    /// - Throws: ``RaftError/unknownNode(_:)`` for a sender outside the group;
    ///   ``RaftError/storageFailed(_:)`` when the log cannot be read (stop the node).
    public func step(_ message: Message) throws(RaftError) {
        guard message.from != id, peers.contains(message.from) else { throw .unknownNode(message.from) }
        precondition(message.to == id, "message for \(message.to) delivered to \(id)")

        if message.term > term {
            if case .vote(let request) = message.body {
                // Leader lease (check-quorum): a node that heard from a live leader recently
                // ignores vote requests, so a rejoining node cannot depose a healthy leader.
                let inLease =
                    config.checkQuorum && leader != nil
                    && electionElapsed < config.electionTimeoutTicks.lowerBound
                if inLease && !request.transfer { return }
            }
            switch message.body {
            case .vote(let request) where request.preVote:
                break  // A pre-vote never changes our term.
            case .voteResponse(let response) where response.preVote && response.granted:
                break  // Granted pre-votes carry the term we would campaign in.
            case .append, .heartbeat, .timeoutNow, .installSnapshot:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: nil)
            }
        } else if message.term < term {
            switch message.body {
            case .append, .heartbeat, .installSnapshot:
                // A deposed leader learns the new term from the answer and steps down.
                send(.appendResponse(AppendResponse(index: .zero)), to: message.from)
            case .vote(let request) where request.preVote:
                send(.voteResponse(VoteResponse(granted: false, preVote: true)), to: message.from)
            default:
                break
            }
            return
        }

        switch message.body {
        case .vote(let request):
            handleVoteRequest(request, from: message.from, term: message.term)
        case .voteResponse(let response):
            try handleVoteResponse(response, from: message.from, term: message.term)
        case .append(let request):
            guard acceptLeader(message.from) else { return }
            handleAppend(request, from: message.from)
        case .heartbeat(let heartbeat):
            guard acceptLeader(message.from) else { return }
            handleHeartbeat(heartbeat, from: message.from)
        case .timeoutNow:
            guard acceptLeader(message.from) else { return }
            try campaign(transfer: true)
        case .installSnapshot(let snapshot):
            guard acceptLeader(message.from) else { return }
            handleInstallSnapshot(snapshot, from: message.from)
        case .appendResponse(let response):
            if role == .leader { try handleAppendResponse(response, from: message.from) }
        case .heartbeatResponse(let response):
            if role == .leader { try handleHeartbeatResponse(response, from: message.from) }
        }
    }

    /// Replication traffic at our own term comes from the term's one leader: follow it.
    /// Returns false (and records a violation) if this node leads the same term.
    private func acceptLeader(_ from: NodeID) -> Bool {
        switch role {
        case .leader:
            safetyViolation = "two leaders in term \(term): \(id) and \(from)"
            return false
        case .candidate, .preCandidate:
            becomeFollower(term: term, leader: from)
        case .follower:
            leader = from
        }
        electionElapsed = 0
        return true
    }

    /// Advances logical time by one tick.
    public func tick() throws(RaftError) {
        now += 1
        if role == .leader {
            try tickLeader()
        } else {
            electionElapsed += 1
            if electionElapsed >= randomizedElectionTimeout {
                try campaign(transfer: false)
            }
        }
    }

    /// Proposes `data` as a new entry.
    /// - Returns: where the entry sits; it is acknowledged once applied there with this term.
    /// - Throws: ``RaftError/notLeader(leader:)`` on a non-leader,
    ///   ``RaftError/transferInProgress(target:)`` during a handover,
    ///   ``RaftError/entryTooLarge(bytes:limit:)``, ``RaftError/overloaded(uncommittedBytes:limit:)``.
    public func propose(_ data: [UInt8]) throws(RaftError) -> Proposal {
        guard role == .leader else { throw .notLeader(leader: leader) }
        if let target = transferTarget { throw .transferInProgress(target: target) }
        guard data.count <= config.maxEntryBytes else {
            throw .entryTooLarge(bytes: data.count, limit: config.maxEntryBytes)
        }
        if uncommittedBytes > 0 && uncommittedBytes + data.count > config.maxUncommittedBytes {
            counters.proposalsRefusedOverloaded += 1
            throw .overloaded(uncommittedBytes: uncommittedBytes, limit: config.maxUncommittedBytes)
        }
        uncommittedBytes += data.count
        let entry = Entry(index: log.lastIndex.next, term: term, kind: .normal, data: data)
        appendAsLeader([entry])
        let proposal = Proposal(index: entry.index, term: term)
        pendingProposals.append(PendingProposal(proposal: proposal, deadline: now + config.proposalTimeoutTicks))
        return proposal
    }
}
