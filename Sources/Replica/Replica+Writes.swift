import Bytes
import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft

extension Replica {
    /// Room in a Raft entry for a send command's fields besides the body (RocketMQ reserves
    /// 64 KiB beyond `maxMessageSize` too).
    public static let commandOverheadBytes = 64 << 10

    /// Takes in a client request: answers it at once from this node's state, or proposes or
    /// reads and answers it later.
    func accept(_ request: ClientRequest, from client: ClientID, requestID: UInt64) throws(Violation) {
        switch request {
        case .status:
            reply(.status(status), to: client, requestID: requestID)
        case .append(let append):
            if let full = diskFullRefusal() {
                return reply(.error(full, answering: .append), to: client, requestID: requestID)
            }
            // The envelope tells the state machine this is not a command: it applies nothing.
            try propose(
                EntryPayload.encodeRaw(append.data), kind: .append, oneWay: false, client: client,
                requestID: requestID)
        case .get(let get):
            answerGet(get.index, client: client, requestID: requestID)
        case .transferLeader(let transfer):
            do {
                try core.transferLeadership(to: transfer.target)
                log(.info, "handing leadership to \(name(transfer.target))")
                reply(.transferStarted, to: client, requestID: requestID)
            } catch {
                reply(.error(errorResponse(for: error), answering: .transferLeader), to: client, requestID: requestID)
            }
        case .send(let send, let oneWay):
            try proposeSend(send, oneWay: oneWay, client: client, requestID: requestID)
        case .commitOffset(let commit):
            try proposeCommand(
                .commitOffset(commit.commit), kind: .commitOffset, oneWay: false, client: client, requestID: requestID)
        case .updateTopic(let update):
            try proposeCommand(
                .updateTopic(update), kind: .updateTopic, oneWay: false, client: client, requestID: requestID)
        case .deleteTopic(let deletion):
            try proposeCommand(
                .deleteTopic(deletion), kind: .deleteTopic, oneWay: false, client: client, requestID: requestID)
        case .sendBack(let sendBack):
            try proposeSendBack(sendBack, client: client, requestID: requestID)
        case .endTransaction(let end, let oneWay):
            try proposeEndTransaction(end, oneWay: oneWay, client: client, requestID: requestID)
        case .lockQueues(let lock):
            answerLock(lock, unlocking: false, client: client, requestID: requestID)
        case .unlockQueues(let lock):
            answerLock(lock, unlocking: true, client: client, requestID: requestID)
        case .read(let query):
            try startRead(query, client: client, requestID: requestID)
        }
    }

    /// Proposes a send (one message or a batch) stamped with this leader's clock and address.
    private func proposeSend(_ request: SendRequest, oneWay: Bool, client: ClientID, requestID: UInt64)
        throws(Violation)
    {
        guard core.role == .leader else {
            return refuse(
                errorResponse(for: .notLeader(leader: core.leader)), kind: .send, oneWay: oneWay, client: client,
                requestID: requestID)
        }
        if let full = diskFullRefusal() {
            return refuse(full, kind: .send, oneWay: oneWay, client: client, requestID: requestID)
        }
        let stamp = StoreStamp(storeTimestamp: now, storeHost: configuration.storeHost)
        try proposeRecords(request, stamp: stamp, oneWay: oneWay, client: client, requestID: requestID)
    }

    /// Proposes `command` after checking it against the current state, so bad input never
    /// reaches the log.
    private func proposeCommand(
        _ command: Command, kind: RequestKind, oneWay: Bool, client: ClientID, requestID: UInt64
    ) throws(Violation) {
        if let problem = stateMachine.precheck(command) {
            return refuse(
                ErrorResponse(code: .badRequest, message: problem.description), kind: kind, oneWay: oneWay,
                client: client, requestID: requestID)
        }
        let bytes: [UInt8]
        do {
            bytes = try EntryPayload.encode(command)
        } catch {
            return refuse(
                ErrorResponse(code: .badRequest, message: error.description), kind: kind, oneWay: oneWay,
                client: client, requestID: requestID)
        }
        try propose(bytes, kind: kind, oneWay: oneWay, client: client, requestID: requestID)
    }

    /// Proposes entry bytes; the request is answered once the entry applies (or fails).
    /// Returns the proposal, or nil when the core refused it (the client was told).
    @discardableResult
    func propose(_ bytes: [UInt8], kind: RequestKind, oneWay: Bool, client: ClientID, requestID: UInt64)
        throws(Violation) -> Proposal?
    {
        let proposal: Proposal
        do {
            proposal = try core.propose(bytes)
        } catch {
            refuse(errorResponse(for: error), kind: kind, oneWay: oneWay, client: client, requestID: requestID)
            return nil
        }
        try observer?.proposed(proposal, data: bytes, for: client, requestID: requestID)
        if !oneWay {
            writes.add(.init(client: client, requestID: requestID, kind: kind, term: proposal.term), at: proposal.index)
        }
        return proposal
    }

    /// Answers a request that was refused before anything was proposed; a one-way send is
    /// logged instead.
    func refuse(_ error: ErrorResponse, kind: RequestKind, oneWay: Bool, client: ClientID, requestID: UInt64) {
        if oneWay {
            log(.warning, "dropping a one-way send from \(client): \(error)")
        } else {
            reply(.error(error, answering: kind), to: client, requestID: requestID)
        }
    }

    /// Answers the client whose proposal the entry at `entry.index` was, now that it applied
    /// with `results`.
    func answerApplied(_ entry: Entry, results: [ApplyResult]) {
        guard let write = writes.take(at: entry.index) else { return }
        guard write.term == entry.term else {
            let error = ErrorResponse(
                code: .notLeader(leader: core.leader, leaderAddress: configuration.member(core.leader)?.address),
                message: "entry \(entry.index) was replaced by a newer leader's entry; the write was lost, retry it")
            return reply(.error(error, answering: write.kind), to: write.client, requestID: write.requestID)
        }
        reply(answer(write.kind, index: entry.index, results: results), to: write.client, requestID: write.requestID)
    }

    private func answer(_ kind: RequestKind, index: LogIndex, results: [ApplyResult]) -> ClientReply {
        for case .rejected(let reason) in results {
            // A send placed on a stale view of the leader's tail stored nothing: retrying is right.
            let code: ErrorResponse.Code = reason.isMisplacement ? .busy : .badRequest
            return .error(ErrorResponse(code: code, message: reason.description), answering: kind)
        }
        switch kind {
        case .send, .sendBack:
            let stored = results.compactMap(\.sendResult)
            let duplicate = results.contains { if case .duplicate = $0 { true } else { false } }
            let response = SendResponse(results: stored, duplicate: duplicate)
            return kind == .send ? .sent(response) : .sentBack(response)
        case .commitOffset:
            return .offsetCommitted
        case .endTransaction:
            return .transactionEnded
        case .updateTopic, .deleteTopic:
            for result in results {
                if case .topicUpdated(let topic) = result { return .topicUpdated(topic) }
                if case .topicDeleted = result { return .topicDeleted }
            }
            preconditionFailure("a topic change applied with \(results)")
        default:
            return .appended(ClientAppendResponse(index: index))
        }
    }

    /// The core gave up on a proposal (timed out, leadership lost): its outcome is unknown.
    func failWrite(_ failed: FailedProposal) {
        guard let write = writes.take(at: failed.index, term: failed.term) else { return }
        reply(
            .error(errorResponse(for: failed.error), answering: write.kind), to: write.client,
            requestID: write.requestID)
    }

    private func answerGet(_ index: LogIndex, client: ClientID, requestID: UInt64) {
        let commit = core.commitIndex
        guard index >= store.firstIndex, index <= commit else {
            let message =
                index > commit
                ? "entry \(index) is not committed on node \(configuration.me.name) (commit index \(commit))"
                : "entry \(index) is not in the log (first index \(store.firstIndex))"
            return reply(
                .error(ErrorResponse(code: .badRequest, message: message), answering: .get), to: client,
                requestID: requestID)
        }
        do {
            guard let entry = try core.entries(from: index, through: index).first else { return }
            reply(
                .entry(GetResponse(index: entry.index, term: entry.term, kind: entry.kind, data: entry.data)),
                to: client, requestID: requestID)
        } catch {
            reply(
                .error(ErrorResponse(code: .internal, message: error.description), answering: .get), to: client,
                requestID: requestID)
            stop(.raft(error))
        }
    }

    /// How a Raft refusal reads to a client. A refusal before anything was proposed is
    /// `notLeader` or `noQuorum` (certainly no effect); a proposal the core gave up on (timed out,
    /// leadership lost) is `outcomeUnknown`, since another leader may still commit it.
    func errorResponse(for error: RaftError) -> ErrorResponse {
        switch error {
        case .notLeader(let leader):
            let code: ErrorResponse.Code =
                leader == nil
                ? .noQuorum : .notLeader(leader: leader, leaderAddress: configuration.member(leader)?.address)
            return ErrorResponse(code: code, message: error.description)
        case .transferInProgress(let target):
            return ErrorResponse(
                code: .notLeader(leader: target, leaderAddress: configuration.member(target)?.address),
                message: error.description)
        case .noQuorum, .leadershipLost:
            return ErrorResponse(code: .outcomeUnknown, message: error.description)
        case .overloaded:
            return ErrorResponse(code: .busy, message: error.description)
        case .entryTooLarge, .unknownNode, .transferFailed:
            return ErrorResponse(code: .badRequest, message: error.description)
        case .storageFailed:
            return ErrorResponse(code: .internal, message: error.description)
        }
    }
}

extension Replica {
    /// Why this leader takes no writes now, or nil: its own disk cannot take them (the log's
    /// writes were refused, or it is at or above `diskSpaceWarningLevelRatio`), or no majority
    /// of the members has a disk below that ratio (an entry needs a majority to store it; a
    /// member that did not report lately counts as writable). Reads, status and offsets go on.
    func diskFullRefusal() -> ErrorResponse? {
        if let refused = refusedLogWrites {
            return ErrorResponse(
                code: .diskFull,
                message:
                    "node \(configuration.me.name)'s store disk is full (\(refused.error)), above "
                    + "diskSpaceWarningLevelRatio \(configuration.diskSpaceWarningLevelRatio)%; writes resume by "
                    + "themselves once space is freed")
        }
        let limit = warningBasisPoints
        // Called for every write: counted in place, nothing allocated.
        var fullPeers = 0
        var fullest: (name: String, basisPoints: UInt16)?
        for peer in peerDiskUsage where peer.basisPoints >= limit {
            fullPeers += 1
            if peer.basisPoints > (fullest?.basisPoints ?? 0) { fullest = peer }
        }
        let refusing: (name: String, basisPoints: UInt16)
        if let own = diskUsedBasisPoints, own >= limit {
            refusing = (configuration.me.name, own)
        } else if configuration.members.count - fullPeers < configuration.members.count / 2 + 1, let fullest {
            refusing = fullest
        } else {
            return nil
        }
        let points = refusing.basisPoints
        let percent = "\(points / 100).\(points % 100 < 10 ? "0" : "")\(points % 100)"
        return ErrorResponse(
            code: .diskFull,
            message:
                "node \(refusing.name)'s store disk is \(percent)% used, at or above diskSpaceWarningLevelRatio "
                + "\(configuration.diskSpaceWarningLevelRatio)%; writes resume by themselves once space is freed")
    }
}
