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
        }
        if !consumer.sendBacks.isEmpty { return .sendBack(consumer.sendBacks.removeFirst()) }
        let queue = consumer.queues[consumer.cursor % consumer.queues.count]
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
