import CommitLog
import LedgerModel
import Raft

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

    /// The entry bytes of `commit`, or nil when the leader refuses it before proposing: its
    /// applied state does not reach the offset yet (a new leader still applying). The consumer
    /// commits again later.
    func offsetCommitPayload(_ commit: OffsetCommit, on node: SimNode) throws(Violation) -> [UInt8]? {
        if node.core?.role == .leader, let machine = node.machine,
            machine.precheck(.commitOffset(commit)) != nil
        {
            statistics.offsetCommitsRefused += 1
            return nil
        }
        return try encode(.commitOffset(commit))
    }

    /// The node that accepted the commit applied it at `index`.
    func offsetCommitAcknowledged(
        _ commit: OffsetCommit, consumer: Int, results: [ApplyResult], at index: LogIndex, on node: SimNode
    ) throws(Violation) {
        guard results == [.offsetCommitted(commit)] else {
            throw Violation(
                "offset-commit-result",
                "n\(node.id) answered \(commit.group)'s commit of \(commit.offset) on \(commit.queue) with "
                    + results.map(\.summary).joined(separator: ", "))
        }
        consumers[consumer].committed[commit.queue] = max(
            consumers[consumer].committed[commit.queue, default: .zero], commit.offset)
        consumers[consumer].uncertain.remove(commit.queue)
        commitLogChecker.acknowledgeCommit(commit, at: index)
        statistics.offsetCommits += 1
    }

    /// Answers `pull` from `node`'s applied state and moves the consumer on.
    func servePull(_ pull: PullOperation, consumer: Int, on node: SimNode) throws(Violation) {
        guard let machine = node.machine else { preconditionFailure("read on a node that is down") }
        statistics.pulls += 1
        let result: PullResult
        do {
            result = try machine.pull(
                topic: pull.queue.topic, queueID: pull.queue.queueID, offset: pull.offset, maxCount: pull.maxCount,
                filter: pull.filter)
        } catch {
            // Nothing was ever sent to the topic: fine if no send to it was acknowledged.
            guard case .topicNotFound = error, pull.acknowledgedEnd == .zero, pull.offset == .zero else {
                throw Violation(
                    "acknowledged-send-invisible",
                    "n\(node.id) answered a pull of \(pull.queue) at \(pull.offset) with \"\(error)\"; "
                        + "offsets below \(pull.acknowledgedEnd) were acknowledged before the pull")
            }
            return
        }
        try commitLogChecker.checkPull(pull, result, on: node)
        consumers[consumer].positions[pull.queue] = result.nextOffset
        statistics.messagesConsumed += result.messages.count
    }

    /// Answers a query of the group's committed offset on `queue`; the consumer resumes there.
    func serveOffsetQuery(
        group: String, queue: MessageQueue, acknowledged: QueueOffset?, consumer: Int, on node: SimNode
    ) throws(Violation) {
        guard let machine = node.machine else { preconditionFailure("read on a node that is down") }
        statistics.offsetQueries += 1
        let offset = machine.consumerOffset(group: group, queue: queue) ?? .zero
        try commitLogChecker.checkOffsetQuery(
            group: group, queue: queue, offset: offset, acknowledged: acknowledged, on: node)
        consumers[consumer].positions[queue] = offset
    }
}
