import CommitLog
import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel

/// What the checker compares of the message store: every queue's messages, bounds and the
/// groups' committed offsets, rebuilt from each node's own committed log, and the same queues
/// as the leader serves them.
extension ChaosMessageWorkload {
    /// The checker's view of one stored message: its queue position, the operation its body
    /// names, its whole record (body, timestamps, hosts, physical offset) as the fingerprint,
    /// and the record fields the held-message checks read.
    static func item(_ message: StoredMessage) -> ChaosItem {
        let queue = MessageQueue(topic: message.topic, queueID: message.queueID)
        let content =
            operation(inBody: message.body).map(ChaosContent.operation) ?? ChaosFinalState.excerpt(message.body)
        return ChaosItem(
            position: .queueOffset(queue: queue.description, offset: message.queueOffset.rawValue), content: content,
            fingerprint: message.encodedRecord(), message: ChaosMessageFacts(message))
    }

    /// The node's committed log entry by entry (raw appends are phantoms here), then every
    /// message of every queue of the state that log replays to, with the queues' bounds and
    /// every group's committed offsets.
    func contents(of node: ChaosNodeState) throws(HarnessError) -> ChaosNodeContents {
        var items = node.entries.map { ChaosFinalState.item($0, raw: ChaosFinalState.excerpt) }
        var bounds: [String: Range<Int64>] = [:]
        for topic in node.replica.topicList() {
            for (queueID, range) in topic.queues.enumerated() {
                let queue = MessageQueue(topic: topic.name, queueID: Int32(queueID))
                bounds[queue.description] = range.minOffset.rawValue..<range.maxOffset.rawValue
                do throws(QueryError) {
                    items += try ChaosMessageWorkload.messages(of: queue, from: range.minOffset) {
                        offset throws(QueryError) in
                        try node.replica.pull(
                            topic: queue.topic, queueID: queue.queueID, offset: offset,
                            maxCount: node.replica.configuration.maxPullMessages)
                    }.messages.map(ChaosMessageWorkload.item)
                } catch {
                    throw HarnessError("cannot read \(queue) of \(node.node)'s replayed log: \(error)")
                }
            }
        }
        let offsets = node.replica.consumerGroups().flatMap { group in
            node.replica.consumerProgress(group: group).map {
                ChaosCommittedOffset(
                    group: group, queue: $0.queue.description, offset: $0.committedOffset.rawValue, node: node.node)
            }
        }
        let held = node.replica.delayedWaiting + Int64(node.replica.pendingTransactions.count)
        return ChaosNodeContents(
            node: node.node, items: items, queueBounds: bounds, committedOffsets: offsets, stillHeld: held,
            digest: node.digest)
    }

    /// Every message of every topic as the leader serves it to `client`'s pulls, with each
    /// queue's bounds from the offset the pulls began at (after any retention moved it past the
    /// min offset the topic list gave).
    func served(by client: LedgerClient) throws(HarnessError) -> ChaosNodeContents? {
        var items: [ChaosItem] = []
        var bounds: [String: Range<Int64>] = [:]
        do throws(LedgerClientError) {
            for topic in try client.topics() {
                for (queueID, range) in topic.queues.enumerated() {
                    let queue = MessageQueue(topic: topic.name, queueID: Int32(queueID))
                    let read = try ChaosMessageWorkload.messages(of: queue, from: range.minOffset) {
                        offset throws(LedgerClientError) in
                        try client.pull(topic: queue.topic, queueID: queue.queueID, offset: offset, maxCount: 256)
                    }
                    items += read.messages.map(ChaosMessageWorkload.item)
                    bounds[queue.description] = read.start.rawValue..<max(read.start, range.maxOffset).rawValue
                }
            }
        } catch {
            throw HarnessError("cannot read the messages the leader serves: \(error)")
        }
        return ChaosNodeContents(
            node: "\(client.leaderHint?.name ?? "the leader") (served by pull)", items: items, queueBounds: bounds)
    }

    /// Every message of `queue` from `start` until `pull` finds nothing new; a pull below the
    /// queue's start (retention moved it) goes on from where the answer says. Returns the
    /// messages and the offset the queue was read from.
    private static func messages<Failure: Error>(
        of queue: MessageQueue, from start: QueueOffset, pull: (QueueOffset) throws(Failure) -> PullResult
    ) throws(Failure) -> (messages: [StoredMessage], start: QueueOffset) {
        var messages: [StoredMessage] = []
        var offset = start
        var first = start
        while true {
            let result = try pull(offset)
            if result.status == .offsetIllegal && result.nextOffset > offset && messages.isEmpty {
                first = result.nextOffset
            } else {
                messages += result.messages
                guard result.status == .found, result.nextOffset > offset else { return (messages, first) }
            }
            offset = result.nextOffset
        }
    }
}
