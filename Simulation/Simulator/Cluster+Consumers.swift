import CommitLog
import LedgerModel
import Raft
import Replica

/// Consumers: members of consumer groups (some subscribed to a few tags only), each owning some
/// queues. A consumer pulls its queues
/// in turn from positions it keeps in memory, commits its position now and then (a Raft
/// command), and sometimes restarts: it forgets its positions and reads its group's committed
/// offsets back. Pulls and offset queries are linearizable reads (ReadIndex) answered from the
/// leader's applied state.
extension Cluster {
    /// What consumer `position` does next: read a committed offset it does not know, commit
    /// progress, or pull.
    func nextConsumerOperation(_ position: Int) -> Operation {
        let workload = options.workload
        var consumer = consumers[position]
        defer { consumers[position] = consumer }
        if !consumer.positions.isEmpty && consumer.uncertain.isEmpty
            && clientRNG.chance(workload.consumerRestartPerMille, in: 1000)
        {
            consumer.positions = [:]
            statistics.consumerRestarts += 1
            if consumer.orderly {
                // Like a crashed holder: its locks stay with its old id until they expire.
                consumer.clientID = Self.nextIncarnation(consumer.clientID)
                consumer.locked = [:]
            }
        }
        if !consumer.sendBacks.isEmpty { return .sendBack(consumer.sendBacks.removeFirst()) }
        if consumer.orderly {
            // Renews its locks at half their life, and asks again for the queues it lacks.
            let renewAfter = VirtualTime.milliseconds(UInt64(options.queueLockExpiryMilliseconds / 2))
            let stale = consumer.queues.contains { consumer.locked[$0].map { now >= $0 + renewAfter } ?? true }
            if stale && (consumer.cursor % 4 == 0 || consumer.locked.isEmpty) {
                consumer.cursor += 1
                return .lockQueues(
                    QueueLockRequest(clientID: consumer.clientID, group: consumer.group, queues: consumer.queues))
            }
        }
        let candidates = consumer.orderly ? consumer.queues.filter { consumer.locked[$0] != nil } : consumer.queues
        guard !candidates.isEmpty else {
            consumer.cursor += 1
            return .lockQueues(
                QueueLockRequest(clientID: consumer.clientID, group: consumer.group, queues: consumer.queues))
        }
        let queue = candidates[consumer.cursor % candidates.count]
        consumer.cursor += 1
        guard let offset = consumer.positions[queue] else {
            return .queryOffset(
                group: consumer.group, queue: queue,
                acknowledged: commitLogChecker.acknowledgedCommit(group: consumer.group, queue: queue))
        }
        if offset > consumer.committed[queue, default: .zero] && clientRNG.chance(workload.commitPerMille, in: 1000) {
            return .commitOffset(OffsetCommit(group: consumer.group, queue: queue, offset: offset))
        }
        return .pull(
            PullOperation(
                group: consumer.group, filter: consumer.filter, queue: queue, offset: offset,
                maxCount: clientRNG.int(in: 1...workload.maxPull),
                acknowledgedEnd: commitLogChecker.acknowledgedEnd(of: queue)))
    }

    /// The node that accepted the commit applied it at `index`.
    func offsetCommitAcknowledged(_ commit: OffsetCommit, consumer: Int, at index: LogIndex) {
        consumers[consumer].committed[commit.queue] = max(
            consumers[consumer].committed[commit.queue, default: .zero], commit.offset)
        consumers[consumer].uncertain.remove(commit.queue)
        commitLogChecker.acknowledgeCommit(commit, at: index)
        statistics.offsetCommits += 1
    }

    /// `node` answered `pull` with `result`: the answer is checked and the consumer moves on.
    func servePull(_ pull: PullOperation, _ result: PullResult, consumer: Int, on node: SimNode) throws(Violation) {
        statistics.pulls += 1
        try commitLogChecker.checkPull(pull, result, on: node)
        consumers[consumer].positions[pull.queue] = result.nextOffset
        statistics.messagesConsumed += result.messages.count
        let chance = options.workload.sendBackPerMille
        if chance > 0, let failed = result.messages.first, clientRNG.chance(chance, in: 1000),
            let uid = MessageBody.uid(in: failed.body)
        {
            let request = SendBackRequest(
                group: pull.group, offset: failed.physicalOffset, maxReconsumeTimes: Int32(clientRNG.int(in: 1...3)))
            consumers[consumer].sendBacks.append(
                SendBackOperation(request: request, uid: uid, sourceReconsumeTimes: failed.reconsumeTimes))
        }
    }

    /// The client id a restarted consumer takes: `sim-cN-<incarnation + 1>`.
    static func nextIncarnation(_ clientID: String) -> String {
        guard let dash = clientID.lastIndex(of: "-"), let incarnation = Int(clientID[clientID.index(after: dash)...])
        else { return clientID + "-1" }
        return "\(clientID[..<dash])-\(incarnation + 1)"
    }

    /// `node`, leading, granted `held` of the queues `lock` asked for: checked against every
    /// other grant of that leader's term, and the consumer pulls those until they need renewing.
    func queuesLocked(_ lock: QueueLockRequest, _ held: [MessageQueue], consumer: Int, by node: SimNode)
        throws(Violation)
    {
        guard let term = node.core?.term else { return }
        try commitLogChecker.locksGranted(
            lock, held, node: node.id, term: term, at: Int64(now.milliseconds),
            expiry: options.queueLockExpiryMilliseconds)
        statistics.queueLocks += 1
        guard consumers[consumer].clientID == lock.clientID else { return }  // Restarted meanwhile.
        for queue in lock.queues { consumers[consumer].locked[queue] = nil }
        for queue in held { consumers[consumer].locked[queue] = now }
    }

    /// The node that accepted `sendBack` applied it at `index`: where the message went.
    func sendBackAcknowledged(
        _ sendBack: SendBackOperation, _ response: SendResponse, at index: LogIndex, on node: SimNode
    )
        throws(Violation)
    {
        guard let result = response.results.first, response.results.count == 1 else {
            throw Violation(
                "send-back-result", "n\(node.id) answered a send-back with \(response.results.count) results")
        }
        try commitLogChecker.acknowledgeSendBack(sendBack, result, duplicate: response.duplicate, at: index)
        statistics.sendBacks += 1
    }

    /// `node` answered a query of the group's committed offsets; the consumer resumes `queue`
    /// at its offset (zero when the group never committed one).
    func serveOffsetQuery(
        group: String, queue: MessageQueue, response: ConsumerOffsetsResponse, acknowledged: QueueOffset?,
        consumer: Int, on node: SimNode
    ) throws(Violation) {
        statistics.offsetQueries += 1
        let offset = response.progress.first { $0.queue == queue }?.committedOffset ?? .zero
        try commitLogChecker.checkOffsetQuery(
            group: group, queue: queue, offset: offset, acknowledged: acknowledged, on: node)
        consumers[consumer].positions[queue] = offset
    }
}
