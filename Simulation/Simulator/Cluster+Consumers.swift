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
