import CommitLog
import LedgerModel
import Raft
import Replica

/// `CommitLogChecker`'s checks of what nodes answer and hold: linearizable pulls and offset
/// queries, and, once the logs converged, every node's queues, offsets and digest against the
/// model.
extension CommitLogChecker {
    // MARK: - Reads

    /// `node` answered `pull` with `result` (linearizably: at or after a read index).
    func checkPull(_ pull: PullOperation, _ result: PullResult, on node: SimNode) throws(Violation) {
        let who = "n\(node.id) pull of \(pull.queue) at \(pull.offset) for \(pull.group)"
        if let committed = acknowledgedCommit(group: pull.group, queue: pull.queue), pull.offset < committed {
            throw Violation("consumer-monotonic", "\(who): below the group's acknowledged commit \(committed)")
        }
        if result.maxOffset < pull.acknowledgedEnd {
            throw Violation(
                "acknowledged-send-invisible",
                "\(who) saw the queue end at \(result.maxOffset), but offset \(pull.acknowledgedEnd.rawValue - 1) "
                    + "was acknowledged before the pull")
        }
        let records = queues[pull.queue] ?? []
        if result.maxOffset.rawValue > Int64(records.count) {
            throw Violation(
                "uncommitted-read", "\(who) saw the queue end at \(result.maxOffset); only \(records.count) committed")
        }
        switch result.status {
        case .offsetIllegal:
            // Retention deleted the messages the consumer had not reached: it continues from the
            // queue's first offset.
            guard pull.offset < result.minOffset, result.nextOffset == result.minOffset else {
                throw Violation(
                    "consumer-offset", "\(who): OFFSET_ILLEGAL, range \(result.minOffset)..<\(result.maxOffset)")
            }
            try checkExpired(pull.queue, below: result.minOffset, records, who: who)
            return
        case .noNewMessage:
            if !result.messages.isEmpty || result.nextOffset != pull.offset || result.maxOffset != pull.offset {
                throw Violation("pull-status", "\(who): NO_NEW_MSG with \(result.messages.count) messages")
            }
        case .noMatchedMessage:
            if !result.messages.isEmpty || pull.filter.tags == nil || result.nextOffset <= pull.offset {
                throw Violation(
                    "pull-status",
                    "\(who): NO_MATCHED_MSG with filter \(pull.filter), \(result.messages.count) messages, "
                        + "next offset \(result.nextOffset)")
            }
        case .found:
            if result.messages.isEmpty || result.messages.count > pull.maxCount {
                throw Violation("pull-status", "\(who): FOUND with \(result.messages.count) messages")
            }
        }
        if result.nextOffset < pull.offset || result.nextOffset > result.maxOffset {
            throw Violation(
                "consumer-order",
                "\(who): next offset \(result.nextOffset) outside \(pull.offset)...\(result.maxOffset)")
        }
        // The scanned range is pull.offset..<nextOffset: every committed message there that the
        // subscription matches comes back, in order, and nothing else does.
        var returned = result.messages[...]
        var offset = pull.offset
        while offset < result.nextOffset {
            let record = records[Int(offset.rawValue)]
            if pull.filter.matches(tags: record.tags) {
                guard let message = returned.popFirst(), message.queueOffset <= offset else {
                    throw Violation("consumer-skip", "\(who): skipped m\(record.uid) at offset \(offset)")
                }
                guard message.queueOffset == offset, message.topic == pull.queue.topic,
                    message.queueID == pull.queue.queueID
                else {
                    throw Violation(
                        "consumer-order",
                        "\(who): returned \(message.topic)/\(message.queueID) offset \(message.queueOffset) where "
                            + "offset \(offset) was due")
                }
                guard message.physicalOffset == record.physicalOffset,
                    MessageBody.isIntact(message.body, uid: record.uid), message.tags == record.tags
                else {
                    throw Violation(
                        "offset-consistency",
                        "\(who): offset \(offset) holds "
                            + "\(MessageBody.uid(in: message.body).map { "m\($0)" } ?? "a foreign body") at "
                            + "\(message.physicalOffset); m\(record.uid) at \(record.physicalOffset) was stored there")
                }
            }
            offset = offset.next
        }
        if let extra = returned.first {
            throw Violation(
                "consumer-order",
                "\(who): returned offset \(extra.queueOffset) (tags \(extra.tags ?? "none")) outside the matches of "
                    + "\(pull.offset)..<\(result.nextOffset) for filter \(pull.filter)")
        }
    }

    /// `node` answered a query of `group`'s offset on `queue` with `offset`.
    func checkOffsetQuery(
        group: String, queue: MessageQueue, offset: QueueOffset, acknowledged: QueueOffset?, on node: SimNode
    ) throws(Violation) {
        if let acknowledged, offset < acknowledged {
            throw Violation(
                "offset-commit-lost",
                "n\(node.id) says \(group) committed \(offset) on \(queue); \(acknowledged) was acknowledged before")
        }
        let end = queues[queue]?.count ?? 0
        if offset.rawValue > Int64(end) {
            throw Violation(
                "offset-commit-range", "n\(node.id) says \(group) committed \(offset) on \(queue), which holds \(end)")
        }
    }

    // MARK: - Convergence

    /// After every log converged: each node's state machine holds every stored message at its
    /// offset with its body, every queue ends where the model does, and every group's committed
    /// offsets are the model's.
    func checkConverged(_ nodes: [(id: NodeID, machine: CommitLogStateMachine)]) throws(Violation) {
        for node in nodes {
            let machine = node.machine
            let applied = machine.appliedIndex
            if applied > .zero && machine.digest != canonical[Int(applied.rawValue - 1)].digest {
                throw Violation("state-digest", "n\(node.id) converged at \(applied) with another digest")
            }
            for queue in queues.keys.sorted() {
                try checkQueue(queue, on: node.id, machine)
            }
            for (key, offset) in commits.sorted(by: { $0.key < $1.key }) {
                let found = machine.consumerOffset(group: key.group, queue: key.queue)
                if found != offset {
                    throw Violation(
                        "offset-commit-lost",
                        "n\(node.id) holds \(found.map(String.init(describing:)) ?? "no offset") for \(key.group) on "
                            + "\(key.queue); \(offset) was committed")
                }
            }
        }
    }

    /// Every message of `queue` below `first` (where a node's queue now starts) expired before
    /// now: retention never deletes a message younger than `fileReservedTime`.
    private func checkExpired(_ queue: MessageQueue, below first: QueueOffset, _ records: [StoredRecord], who: String)
        throws(Violation)
    {
        guard first > .zero else { return }
        guard let kept = retentionMilliseconds else {
            throw Violation("retention-off", "\(who): \(queue) starts at \(first), but retention is off")
        }
        let now = wallClock()
        for (offset, record) in records.prefix(Int(first.rawValue)).enumerated()
        where record.storeTimestamp + kept > now && record.index > forcedThrough {
            throw Violation(
                "retention-unexpired",
                "\(who): \(queue) starts at \(first), but m\(record.uid) at offset \(offset) was stored at "
                    + "\(record.storeTimestamp)ms, less than \(kept)ms before \(now)ms")
        }
    }

    private func checkQueue(_ queue: MessageQueue, on id: NodeID, _ machine: CommitLogStateMachine)
        throws(Violation)
    {
        let records = queues[queue] ?? []
        var offset = QueueOffset.zero
        if let range = try? machine.offsetRange(topic: queue.topic, queueID: queue.queueID) {
            try checkExpired(queue, below: range.minOffset, records, who: "n\(id)")
            offset = range.minOffset
        }
        while offset.rawValue < Int64(records.count) {
            let result: PullResult
            do {
                result = try machine.pull(
                    topic: queue.topic, queueID: queue.queueID, offset: offset,
                    maxCount: machine.configuration.maxPullMessages)
            } catch {
                throw Violation("acknowledged-send-lost", "n\(id) cannot read \(queue) at \(offset): \(error)")
            }
            guard result.maxOffset.rawValue == Int64(records.count), !result.messages.isEmpty else {
                throw Violation(
                    "queue-end", "n\(id) ends \(queue) at \(result.maxOffset); \(records.count) were stored")
            }
            for message in result.messages {
                guard offset.rawValue < Int64(records.count) else {
                    throw Violation("queue-end", "n\(id) returned \(queue) offset \(offset) past its end")
                }
                let record = records[Int(offset.rawValue)]
                guard message.queueOffset == offset, message.physicalOffset == record.physicalOffset,
                    MessageBody.isIntact(message.body, uid: record.uid)
                else {
                    let lost = acknowledged[record.uid] != nil ? "acknowledged-send-lost" : "offset-consistency"
                    throw Violation(
                        lost,
                        "n\(id) lacks m\(record.uid) (stored by index \(record.index)) at \(queue) offset \(offset)"
                    )
                }
                offset = offset.next
            }
        }
    }
}
