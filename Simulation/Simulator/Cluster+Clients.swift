import CommitLog
import LedgerModel
import Raft

/// The clients' request cycle, whatever they ask: an operation is issued, each attempt goes to
/// the node the client believes leads, follows `notLeader` redirects, and ends acknowledged,
/// failed or unknown (timeout, crash, lost leadership). Writes are Raft proposals; reads
/// (pulls, offset queries, raw reads) go through ReadIndex and are answered from the node's
/// applied state once it reaches the read index. What each role issues and does with the
/// answers is in `Cluster+Producers.swift` and `Cluster+Consumers.swift`.
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
            for member in 0..<workload.consumersPerGroup {
                let owned = queues.indices.filter { $0 % workload.consumersPerGroup == member }.map { queues[$0] }
                guard !owned.isEmpty else { continue }
                consumers.append(ConsumerState(group: WorkloadNames.group(group), filter: filter, queues: owned))
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
            operation = .send(nextSend(producer))
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
        schedule(.clientArrive(client: client, node: clients[client].target, request: nextRequest), after: delay)
        schedule(.clientTimeout(client: client, request: nextRequest), after: options.workload.timeoutMs)
    }

    func clientArrive(_ client: Int, at node: SimNode, request: UInt64) throws(Violation) {
        guard clients[client].request == request, let operation = clients[client].operation else { return }
        guard let core = node.core else {
            // Connection refused: try the next node after a moment.
            return redirect(client, request: request, to: nil, from: node)
        }
        if operation.isRead && options.brokenStateMachine.contains(.staleReads) {
            return try serveRead(operation, client: client, request: request, on: node)
        }
        var proposed: (data: [UInt8], rawID: UInt64?)?
        switch operation {
        case .rawAppend(let id):
            let fillerBytes = Int(clientRNG.below(UInt64(options.workload.maxFillerBytes) + 1))
            proposed = (Payload.make(id: id, fillerBytes: fillerBytes), id)
        case .send(let send):
            proposed = (try encode(sendCommand(send, on: node)), nil)
        case .commitOffset(let commit):
            guard let data = try offsetCommitPayload(commit, on: node) else {
                return clientFinished(client, request: request)
            }
            proposed = (data, nil)
        case .rawRead, .pull, .queryOffset:
            proposed = nil
        }
        do {
            if let proposed {
                let proposal = try core.propose(proposed.data)
                node.pendingProposals.append(
                    .init(
                        proposal: proposal, data: proposed.data, rawID: proposed.rawID, client: client, request: request
                    ))
            } else {
                let context = Payload.make(id: request, fillerBytes: 0)
                try core.readIndex(context: context)
                node.pendingReads.append(
                    .init(
                        context: context, client: client, request: request,
                        minimumIndex: clients[client].minimumIndex))
            }
        } catch {
            switch error {
            case .notLeader(let leader):
                if leader == nil { statistics.noQuorumRefusals += 1 }
                redirect(client, request: request, to: leader, from: node)
            case .transferInProgress:
                schedule(.clientArrive(client: client, node: node.index, request: request), after: 20)
            default:
                throw Violation("unexpected-refusal", "n\(node.id) refused client request r\(request): \(error)")
            }
        }
        try settle(node)
    }

    /// The bytes of a command entry.
    func encode(_ command: Command) throws(Violation) -> [UInt8] {
        do {
            return try EntryPayload.encode(command)
        } catch {
            throw Violation("command-encoding", "a workload command does not encode: \(error)")
        }
    }

    /// Sends the request again: to `leader` if named, else to the next node after a back-off.
    private func redirect(_ client: Int, request: UInt64, to leader: NodeID?, from node: SimNode) {
        let target = leader.map(index(of:)) ?? (node.index + 1) % nodes.count
        clients[client].target = target
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

    /// The attempt `request` of `client` did not succeed: `definitely` (another entry took its
    /// index) or with an unknown outcome. A send is retried with the same producer stamp while
    /// attempts are left; anything else ends.
    func attemptFailed(_ client: Int, request: UInt64, definitely: Bool) {
        // Proposals made through `propose(on:)` or `send(on:)` belong to no client.
        guard clients.indices.contains(client) && clients[client].request == request,
            let operation = clients[client].operation
        else { return }
        switch operation {
        case .send:
            if clients[client].attempts < options.workload.sendAttempts {
                statistics.sendRetries += 1
                return startAttempt(client, after: clientDelay())
            }
            statistics.sendsAbandoned += 1
        case .commitOffset(let commit):
            if !definitely, case .consumer(let consumer) = clients[client].role {
                consumers[consumer].uncertain.insert(commit.queue)
            }
        case .rawAppend, .rawRead, .pull, .queryOffset:
            break
        }
        clientFinished(client, request: request)
    }

    /// The client's request has an outcome; it issues the next one after a think time.
    func clientFinished(_ client: Int, request: UInt64) {
        guard clients.indices.contains(client) && clients[client].request == request else { return }
        clients[client].request = 0
        clients[client].operation = nil
        if clientsActive { schedule(.clientIssue(client: client), after: thinkTime()) }
    }

    /// The proposal of `pending` was applied where it was accepted, with `results`.
    func proposalApplied(
        _ pending: SimNode.PendingProposal, results: [ApplyResult], at index: LogIndex, on node: SimNode
    )
        throws(Violation)
    {
        if let id = pending.rawID { history.acknowledged(id, at: index) }
        let client = pending.client
        guard clients.indices.contains(client) && clients[client].request == pending.request,
            let operation = clients[client].operation
        else { return }
        switch operation {
        case .send(let send):
            try sendAcknowledged(send, results: results, at: index, on: node)
        case .commitOffset(let commit):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            try offsetCommitAcknowledged(commit, consumer: consumer, results: results, at: index, on: node)
        case .rawAppend, .rawRead, .pull, .queryOffset:
            break
        }
        clientFinished(client, request: pending.request)
    }

    func readConfirmed(_ state: ReadState, on node: SimNode) throws(Violation) {
        guard let position = node.pendingReads.firstIndex(where: { $0.context == state.context }) else {
            throw Violation("read-state", "n\(node.id) confirmed a read it never accepted at index \(state.index)")
        }
        let read = node.pendingReads.remove(at: position)
        if state.index < read.minimumIndex {
            throw Violation(
                "linearizable-read",
                "n\(node.id) confirmed read r\(read.request) at index \(state.index), "
                    + "but index \(read.minimumIndex) was acknowledged before the read began")
        }
        statistics.readsConfirmed += 1
        node.parkedReads.append((read, state.index))
    }

    /// Answers the confirmed reads whose index `node`'s state machine has applied.
    func serveParkedReads(on node: SimNode) throws(Violation) {
        guard node.parkedReads.contains(where: { $0.index <= node.applied }) else { return }
        let ready = node.parkedReads.filter { $0.index <= node.applied }
        node.parkedReads.removeAll { $0.index <= node.applied }
        for (read, _) in ready {
            let client = read.client
            guard clients[client].request == read.request, let operation = clients[client].operation else { continue }
            try serveRead(operation, client: client, request: read.request, on: node)
        }
    }

    /// Answers a read from `node`'s applied state.
    private func serveRead(_ operation: Operation, client: Int, request: UInt64, on node: SimNode) throws(Violation) {
        switch operation {
        case .pull(let pull):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            try servePull(pull, consumer: consumer, on: node)
        case .queryOffset(let group, let queue, let acknowledged):
            guard case .consumer(let consumer) = clients[client].role else { preconditionFailure("not a consumer") }
            try serveOffsetQuery(group: group, queue: queue, acknowledged: acknowledged, consumer: consumer, on: node)
        case .rawRead, .rawAppend, .send, .commitOffset:
            break
        }
        clientFinished(client, request: request)
    }

    func readFailed(_ failed: FailedRead, on node: SimNode) {
        guard let position = node.pendingReads.firstIndex(where: { $0.context == failed.context }) else { return }
        let read = node.pendingReads.remove(at: position)
        attemptFailed(read.client, request: read.request, definitely: true)
    }

    func proposalFailed(_ failed: FailedProposal, on node: SimNode) {
        guard
            let position = node.pendingProposals.firstIndex(where: {
                $0.proposal.index == failed.index && $0.proposal.term == failed.term
            })
        else { return }
        let pending = node.pendingProposals.remove(at: position)
        if let id = pending.rawID { history.indeterminate(id, reason: failed.error.description) }
        attemptFailed(pending.client, request: pending.request, definitely: false)
    }
}
