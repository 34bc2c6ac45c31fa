import Raft

/// One simulated client: one request at a time, sent to the node it believes leads.
struct ClientState {
    /// The node it sends to next.
    var target: Int
    /// The request in progress; 0 when idle.
    var request: UInt64 = 0
    /// The proposal id of the request, or nil for a read.
    var proposal: UInt64?
    /// For a read: the highest acknowledged index when it was issued.
    var minimumIndex: LogIndex = .zero
}

/// The workload: clients propose payloads with unique ids, follow `notLeader` redirects, retry
/// refused requests, give up after a timeout, and issue linearizable reads.
extension Cluster {
    /// Starts (or restarts) the clients.
    public func startClients() {
        if clients.isEmpty {
            clients = (0..<options.workload.clients).map { _ in
                ClientState(target: Int(clientRNG.below(UInt64(nodes.count))))
            }
        }
        clientsActive = true
        for client in clients.indices where clients[client].request == 0 {
            schedule(.clientIssue(client: client), after: thinkTime())
        }
    }

    /// Clients finish what they are doing and issue nothing more.
    public func stopClients() { clientsActive = false }

    private func thinkTime() -> UInt64 {
        let think = options.workload.thinkMs
        return think.lowerBound + clientRNG.below(think.upperBound - think.lowerBound + 1)
    }

    private func clientDelay() -> UInt64 { 1 + clientRNG.below(3) }

    func clientIssue(_ client: Int) {
        guard clientsActive && clients[client].request == 0 else { return }
        nextRequest += 1
        clients[client].request = nextRequest
        if clientRNG.chance(options.workload.readPerMille, in: 1000) {
            clients[client].proposal = nil
            clients[client].minimumIndex = history.highestAcknowledged
            statistics.reads += 1
        } else {
            clients[client].proposal = history.issue()
        }
        schedule(
            .clientArrive(client: client, node: clients[client].target, request: nextRequest), after: clientDelay())
        schedule(.clientTimeout(client: client, request: nextRequest), after: options.workload.timeoutMs)
    }

    func clientArrive(_ client: Int, at node: SimNode, request: UInt64) throws(Violation) {
        guard clients[client].request == request else { return }
        guard let core = node.core else {
            // Connection refused: try the next node after a moment.
            return redirect(client, request: request, to: nil, from: node)
        }
        do {
            if let id = clients[client].proposal {
                let fillerBytes = Int(clientRNG.below(UInt64(options.workload.maxFillerBytes) + 1))
                let proposal = try core.propose(Payload.make(id: id, fillerBytes: fillerBytes))
                node.pendingProposals.append(
                    .init(proposal: proposal, id: id, client: client, request: request))
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

    /// Sends the request again: to `leader` if named, else to the next node after a back-off.
    private func redirect(_ client: Int, request: UInt64, to leader: NodeID?, from node: SimNode) {
        let target = leader.map(index(of:)) ?? (node.index + 1) % nodes.count
        clients[client].target = target
        let delay = leader == nil ? 20 + clientRNG.below(40) : clientDelay()
        schedule(.clientArrive(client: client, node: target, request: request), after: delay)
    }

    func clientTimeout(_ client: Int, request: UInt64) {
        guard clients[client].request == request else { return }
        if let id = clients[client].proposal { history.indeterminate(id, reason: "client timed out") }
        clientFinished(client, request: request)
    }

    /// The client's request has an outcome; it issues the next one after a think time.
    func clientFinished(_ client: Int, request: UInt64) {
        // Proposals made through `propose(on:)` belong to no client.
        guard clients.indices.contains(client) && clients[client].request == request else { return }
        clients[client].request = 0
        if clientsActive { schedule(.clientIssue(client: client), after: thinkTime()) }
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
        clientFinished(read.client, request: read.request)
    }

    func readFailed(_ failed: FailedRead, on node: SimNode) {
        guard let position = node.pendingReads.firstIndex(where: { $0.context == failed.context }) else { return }
        let read = node.pendingReads.remove(at: position)
        clientFinished(read.client, request: read.request)
    }

    func proposalFailed(_ failed: FailedProposal, on node: SimNode) {
        guard
            let position = node.pendingProposals.firstIndex(where: {
                $0.proposal.index == failed.index && $0.proposal.term == failed.term
            })
        else { return }
        let pending = node.pendingProposals.remove(at: position)
        history.indeterminate(pending.id, reason: failed.error.description)
        clientFinished(pending.client, request: pending.request)
    }
}
