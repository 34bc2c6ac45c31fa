import CommitLog
import LedgerModel
import Raft
import Replica

/// The clients' request cycle, whatever they ask: an operation is issued, each attempt goes to
/// the node the client believes leads as a client request to its replica, follows `notLeader`
/// redirects, and ends acknowledged, failed or unknown (timeout, crash, lost leadership). The
/// replica answers writes once applied and reads once a quorum confirmed its leadership and it
/// applied that far. What each role issues and does with the answers is in
/// `Cluster+Producers.swift` and `Cluster+Consumers.swift`.
extension Cluster {
    /// Starts (or restarts) the clients.
    public func startClients() {
        if clients.isEmpty { makeClients() }
        clientsActive = true
        for client in clients.indices where clients[client].request == 0 {
            schedule(.clientIssue(client: client), after: thinkTime())
        }
    }

    /// Clients finish what they are doing and issue nothing more.
    public func stopClients() { clientsActive = false }

    private func makeClients() {
        let workload = options.workload
        func target() -> Int { Int(clientRNG.below(UInt64(nodes.count))) }
        for _ in 0..<workload.rawClients { clients.append(ClientState(role: .raw, target: target())) }
        for position in 0..<workload.producers {
            producers.append(
                ProducerState(
                    id: ProducerID(UInt64(1000 + position)),
                    host: HostAddress(ipv4: 192, 168, 1, UInt8(truncatingIfNeeded: position + 1), port: 40000)))
            clients.append(ClientState(role: .producer(position), target: target()))
        }
        let queues = workloadQueues
        for group in 0..<workload.consumerGroups {
            let filtered = group > 0 && clientRNG.chance(workload.tagFilterPerMille, in: 1000)
            let filter = filtered ? TagFilter(expression: WorkloadNames.subscription) : .all
            let orderly = workload.orderlyPerMille > 0 && clientRNG.chance(workload.orderlyPerMille, in: 1000)
            for member in 0..<workload.consumersPerGroup {
                var owned = queues.indices.filter { $0 % workload.consumersPerGroup == member }.map { queues[$0] }
                // The group's first member also consumes what the group sent back.
                if member == 0 && workload.sendBackPerMille > 0 {
                    owned.append(MessageQueue(topic: SystemTopic.retry(WorkloadNames.group(group)), queueID: 0))
                }
                guard !owned.isEmpty else { continue }
                consumers.append(
                    ConsumerState(
                        group: WorkloadNames.group(group), orderly: orderly, clientID: "sim-c\(consumers.count)-0",
                        filter: filter, queues: owned))
                clients.append(ClientState(role: .consumer(consumers.count - 1), target: target()))
            }
        }
    }

    /// Every queue the producers may send to.
    var workloadQueues: [MessageQueue] {
        (0..<options.workload.topics).flatMap { topic in
            (0..<options.commitLog.defaultTopicQueueNums).map {
                MessageQueue(topic: WorkloadNames.topic(topic), queueID: $0)
            }
        }
    }

    private func thinkTime() -> UInt64 {
        let think = options.workload.thinkMs
        return think.lowerBound + clientRNG.below(think.upperBound - think.lowerBound + 1)
    }

    private func clientDelay() -> UInt64 { 1 + clientRNG.below(3) }

    /// The highest log index acknowledged to any client so far.
    var highestAcknowledgedIndex: LogIndex {
        max(history.highestAcknowledged, commitLogChecker.highestAcknowledgedIndex)
    }

    func clientIssue(_ client: Int) {
        guard clientsActive && clients[client].request == 0 else { return }
        let operation: Operation
        switch clients[client].role {
        case .raw:
            if clientRNG.chance(options.workload.readPerMille, in: 1000) {
                operation = .rawRead
            } else {
                operation = .rawAppend(proposal: history.issue())
            }
        case .producer(let producer):
            if !producers[producer].transactionEnds.isEmpty {
                operation = .endTransaction(producers[producer].transactionEnds.removeFirst())
            } else {
                operation = .send(nextSend(producer))
            }
        case .consumer(let consumer):
            operation = nextConsumerOperation(consumer)
        }
        if operation.isRead { statistics.reads += 1 }
        clients[client].operation = operation
        clients[client].attempts = 0
        clients[client].minimumIndex = highestAcknowledgedIndex
        startAttempt(client, after: clientDelay())
    }

    /// Sends the client's operation again (or for the first time) as a new attempt.
    private func startAttempt(_ client: Int, after delay: UInt64) {
        nextRequest += 1
        clients[client].request = nextRequest
        clients[client].attempts += 1
        clients[client].handledBy = nil
        schedule(.clientArrive(client: client, node: clients[client].target, request: nextRequest), after: delay)
        schedule(.clientTimeout(client: client, request: nextRequest), after: options.workload.timeoutMs)
    }

    func clientArrive(_ client: Int, at node: SimNode, request: UInt64) throws(Violation) {
        guard clients[client].request == request, let operation = clients[client].operation else { return }
        guard node.isUp else {
            // Connection refused: try the next node after a moment.
            return redirect(client, request: request, to: nil, from: node)
        }
        let clientRequest: ClientRequest
        switch operation {
        case .rawAppend(let id):
            let fillerBytes = Int(clientRNG.below(UInt64(options.workload.maxFillerBytes) + 1))
            clientRequest = .append(ClientAppendRequest(data: Payload.make(id: id, fillerBytes: fillerBytes)))
        case .send(let send):
            clientRequest = .send(send.request, oneWay: false)
        case .commitOffset(let commit):
            clientRequest = .commitOffset(CommitOffsetRequest(commit: commit))
        case .sendBack(let sendBack):
            clientRequest = .sendBack(sendBack.request)
        case .endTransaction(let end):
            clientRequest = .endTransaction(end, oneWay: false)
        case .lockQueues(let lock):
            clientRequest = .lockQueues(lock)
        case .rawRead:
            clientRequest = .read(.topics)
        case .pull(let pull):
            clientRequest = .read(
                .pull(
                    PullRequest(
                        queue: pull.queue, offset: pull.offset, maxCount: UInt32(pull.maxCount),
                        tagExpression: pull.filter.description)))
        case .queryOffset(let group, _, _):
            clientRequest = .read(.consumerOffsets(ConsumerOffsetsRequest(group: group, topic: nil)))
        }
        clients[client].handledBy = node.index
        try drive(node) { (replica) throws(Violation) in
            try replica.handleObserved(
                .request(clientRequest, from: ClientID(UInt64(client)), requestID: request), now: wallClock)
        }
    }

    /// Sends the request again: to `leader` if named, else to the next node after a back-off.
    private func redirect(_ client: Int, request: UInt64, to leader: NodeID?, from node: SimNode) {
        let target = leader.map(index(of:)) ?? (node.index + 1) % nodes.count
        clients[client].target = target
        clients[client].handledBy = nil
        let delay = leader == nil ? 20 + clientRNG.below(40) : clientDelay()
        schedule(.clientArrive(client: client, node: target, request: request), after: delay)
    }

    func clientTimeout(_ client: Int, request: UInt64) {
        guard clients[client].request == request, let operation = clients[client].operation else { return }
        if case .rawAppend(let id) = operation { history.indeterminate(id, reason: "client timed out") }
        // The node may be cut off: the next attempt goes elsewhere.
        clients[client].target = (clients[client].target + 1) % nodes.count
        attemptFailed(client, request: request, definitely: false)
    }

    /// `node` crashed: every client whose attempt it was handling loses its connection, with
    /// an unknown outcome.
    func connectionsLost(at node: SimNode) {
        for client in clients.indices where clients[client].handledBy == node.index && clients[client].request != 0 {
            let request = clients[client].request
            if case .rawAppend(let id)? = clients[client].operation {
                history.indeterminate(id, reason: "node \(node.id) crashed")
            }
            attemptFailed(client, request: request, definitely: false)
        }
        directProposalsLost(at: node)
    }

    /// The attempt `request` of `client` did not succeed: `definitely` (another entry took its
    /// index) or with an unknown outcome. A send is retried with the same producer stamp while
    /// attempts are left; anything else ends.
    func attemptFailed(_ client: Int, request: UInt64, definitely: Bool) {
        guard clients[client].request == request, let operation = clients[client].operation else { return }
        switch operation {
        case .send, .sendBack, .endTransaction:
            if clients[client].attempts < options.workload.sendAttempts {
                statistics.sendRetries += 1
                return startAttempt(client, after: clientDelay())
            }
            statistics.sendsAbandoned += 1
        case .commitOffset(let commit):
            if !definitely, case .consumer(let consumer) = clients[client].role {
                consumers[consumer].uncertain.insert(commit.queue)
            }
        case .rawAppend, .rawRead, .pull, .queryOffset, .lockQueues:
            break
        }
        clientFinished(client, request: request)
    }

    /// The client's request has an outcome; it issues the next one after a think time.
    func clientFinished(_ client: Int, request: UInt64) {
        guard clients[client].request == request else { return }
        clients[client].request = 0
        clients[client].operation = nil
        clients[client].handledBy = nil
        if clientsActive { schedule(.clientIssue(client: client), after: thinkTime()) }
    }

    /// `node`'s replica answered request `request` of `client` with `reply`.
    func clientReply(_ reply: ClientReply, client clientID: ClientID, request: UInt64, from node: SimNode)
        throws(Violation)
    {
        let proposal = node.checks?.takeProposal(of: request)
        if clientID == Cluster.directClient {
            return directProposalAnswered(reply, request: request, proposal: proposal)
        }
        let client = Int(clientID.rawValue)
        guard clients[client].request == request, let operation = clients[client].operation else { return }
        if case .error(let error, _) = reply {
            return try attemptRefused(error, client: client, request: request, proposed: proposal != nil, by: node)
        }
        switch (operation, reply) {
        case (.rawAppend(let id), .appended(let appended)):
            history.acknowledged(id, at: appended.index)
        case (.send(let send), .sent(let response)):
            try sendAcknowledged(send, response, at: try acknowledgedIndex(proposal, request, node), on: node)
        case (.endTransaction(let end), .transactionEnded):
            transactionEndAcknowledged(end, at: proposal?.index)
        case (.lockQueues(let lock), .queuesLocked(let held)):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            try queuesLocked(lock, held, consumer: consumer, by: node)
        case (.sendBack(let sendBack), .sentBack(let response)):
            try sendBackAcknowledged(
                sendBack, response, at: try acknowledgedIndex(proposal, request, node), on: node)
        case (.commitOffset(let commit), .offsetCommitted):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            offsetCommitAcknowledged(commit, consumer: consumer, at: try acknowledgedIndex(proposal, request, node))
        case (.rawRead, .topics):
            break
        case (.pull(let pull), .pulled(let response)):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            try servePull(pull, response.result, consumer: consumer, on: node)
        case (.queryOffset(let group, let queue, let acknowledged), .consumerOffsets(let response)):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            try serveOffsetQuery(
                group: group, queue: queue, response: response, acknowledged: acknowledged, consumer: consumer,
                on: node)
        default:
            throw Violation("client-reply", "n\(node.id) answered r\(request) (\(operation)) with \(reply)")
        }
        clientFinished(client, request: request)
    }

    /// The log index a write was acknowledged at: where the answering node proposed it.
    private func acknowledgedIndex(_ proposal: Proposal?, _ request: UInt64, _ node: SimNode) throws(Violation)
        -> LogIndex
    {
        guard let proposal else {
            throw Violation("client-reply", "n\(node.id) acknowledged r\(request), which it never proposed")
        }
        return proposal.index
    }

    /// The attempt was refused or failed with `error`.
    private func attemptRefused(_ error: ErrorResponse, client: Int, request: UInt64, proposed: Bool, by node: SimNode)
        throws(Violation)
    {
        guard let operation = clients[client].operation else { return }
        switch error.code {
        case .notLeader where proposed:
            // What the node proposed was replaced by another leader's entry: certainly lost.
            if case .rawAppend(let id) = operation { history.failed(id, reason: error.message) }
            attemptFailed(client, request: request, definitely: true)
        case .notLeader(let leader, _):
            redirect(client, request: request, to: leader, from: node)
        case .noQuorum:
            statistics.noQuorumRefusals += 1
            redirect(client, request: request, to: nil, from: node)
        case .busy:
            // Back-pressure: nothing was proposed; try again after the usual pause.
            redirect(client, request: request, to: nil, from: node)
        case .diskFull where !proposed:
            // A member's disk is full (a disk-fill fault): nothing was proposed; try again later.
            statistics.diskFullRefusals += 1
            redirect(client, request: request, to: nil, from: node)
        case .outcomeUnknown:
            if case .rawAppend(let id) = operation { history.indeterminate(id, reason: error.message) }
            attemptFailed(client, request: request, definitely: false)
        case .badRequest:
            switch operation {
            case .commitOffset:
                // The leader's applied state does not reach the offset yet (a new leader still
                // applying): the consumer commits again later.
                statistics.offsetCommitsRefused += 1
                clientFinished(client, request: request)
            case .pull(let pull) where error.message == QueryError.topicNotFound(pull.queue.topic).description:
                // Nothing was ever stored in the topic: fine if no send to it was acknowledged.
                guard pull.acknowledgedEnd == .zero, pull.offset == .zero else {
                    throw Violation(
                        "acknowledged-send-invisible",
                        "n\(node.id) answered a pull of \(pull.queue) at \(pull.offset) with \"\(error.message)\"; "
                            + "offsets below \(pull.acknowledgedEnd) were acknowledged before the pull")
                }
                clientFinished(client, request: request)
            case .send(let send):
                throw Violation("send-precheck", "n\(node.id) refused a valid send of \(send.stamp): \(error.message)")
            case .endTransaction(let end)
            where error.message == CommandRejection.transactionNotPending(end.half).description:
                // Decided already (a retry of this decision, or the leader discarded it).
                statistics.transactionEndsRefused += 1
                clientFinished(client, request: request)
            case .sendBack where error.message.hasPrefix("no message starts at"):
                // The new leader has not applied the message yet, or retention deleted it: the
                // consumer gives up on this send-back.
                statistics.sendBacksRefused += 1
                clientFinished(client, request: request)
            default:
                throw Violation("unexpected-refusal", "n\(node.id) refused client request r\(request): \(error)")
            }
        case .timeout, .internal, .diskFull, .noPermission:
            // A full disk refuses before proposing; the simulated nodes enforce no ACL (the
            // server shell does).
            throw Violation("unexpected-refusal", "n\(node.id) refused client request r\(request): \(error)")
        }
    }

    /// A quorum confirmed `node`'s leadership for a client's read at `index`: every write
    /// acknowledged before the read was issued must be at or below it.
    func readConfirmed(at index: LogIndex, client clientID: ClientID, request: UInt64, on node: SimNode)
        throws(Violation)
    {
        statistics.readsConfirmed += 1
        let client = Int(clientID.rawValue)
        guard clients.indices.contains(client), clients[client].request == request else { return }
        if index < clients[client].minimumIndex {
            throw Violation(
                "linearizable-read",
                "n\(node.id) confirmed read r\(request) at index \(index), "
                    + "but index \(clients[client].minimumIndex) was acknowledged before the read began")
        }
    }
}
