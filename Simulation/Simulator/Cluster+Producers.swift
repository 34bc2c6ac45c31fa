import CommitLog
import LedgerModel
import Raft
import Replica

/// Producers: idempotent senders of single messages and batches. Each send carries the
/// producer's id and next sequence number; every retry (after a timeout, a crash or a lost
/// leadership) reuses them, so the state machine stores it once. The leader that accepts an
/// attempt stamps it with its virtual clock and address, as production does.
extension Cluster {
    /// The next send of producer `position`: one message or a batch, each message to a random
    /// topic by sharding key, explicit queue or the store's choice, with a unique id in its body.
    func nextSend(_ position: Int) -> SendOperation {
        let workload = options.workload
        let producer = producers[position]
        let stamp = ProducerStamp(producer: producer.id, sequence: producer.nextSequence)
        producers[position].nextSequence += 1
        let isBatch = clientRNG.chance(workload.batchPerMille, in: 1000)
        let count = isBatch ? clientRNG.int(in: 2...workload.maxBatch) : 1
        var messages: [ProducerMessage] = []
        var uids: [UInt64] = []
        for _ in 0..<count {
            lastMessageUID += 1
            let uid = lastMessageUID
            let topic = WorkloadNames.topic(Int(clientRNG.below(UInt64(workload.topics))))
            let target: QueueTarget
            if clientRNG.chance(workload.shardingKeyPerMille, in: 1000) {
                target = .shardingKey(WorkloadNames.shardingKey(clientRNG.below(8)))
            } else if clientRNG.chance(workload.explicitQueuePerMille, in: 1000) {
                target = .queue(Int32(clientRNG.below(UInt64(options.commitLog.defaultTopicQueueNums))))
            } else {
                target = .automatic
            }
            let tags = clientRNG.chance(1, in: 2) ? WorkloadNames.tags[Int(clientRNG.below(3))] : nil
            let keys = clientRNG.chance(1, in: 3) ? ["m\(uid)"] : []
            let fillerBytes = Int(clientRNG.below(UInt64(workload.maxFillerBytes) + 1))
            messages.append(
                ProducerMessage(
                    topic: topic, target: target, tags: tags, keys: keys,
                    body: MessageBody.make(uid: uid, fillerBytes: fillerBytes),
                    bornTimestamp: WorkloadNames.epochMilliseconds + Int64(now.milliseconds), bornHost: producer.host,
                    producer: isBatch ? nil : stamp))
            uids.append(uid)
        }
        if !isBatch && workload.halfPerMille > 0 && clientRNG.chance(workload.halfPerMille, in: 1000) {
            messages[0].properties[MessageProperty.transactionPrepared] = "true"
            messages[0].properties[MessageProperty.producerGroup] = producer.group
        } else if !isBatch && workload.delayPerMille > 0 && clientRNG.chance(workload.delayPerMille, in: 1000) {
            let levels = UInt64(options.commitLog.delayLevels.count)
            messages[0].properties[MessageProperty.delayLevel] = String(clientRNG.below(levels) + 1)
        }
        return SendOperation(stamp: stamp, messages: messages, uids: uids, isBatch: isBatch)
    }

    /// The node that accepted an attempt of `send` applied it at `index` and answered
    /// `response`: the producer is told where each message went.
    func sendAcknowledged(_ send: SendOperation, _ response: SendResponse, at index: LogIndex, on node: SimNode)
        throws(Violation)
    {
        guard response.results.count == send.uids.count else {
            throw Violation(
                "send-result",
                "n\(node.id) answered \(send.stamp) with \(response.results.count) results for \(send.uids.count) messages"
            )
        }
        for (uid, result) in zip(send.uids, response.results) {
            try commitLogChecker.acknowledgeSend(uid: uid, result, at: index)
        }
        if let half = response.results.first, half.queue.topic == SystemTopic.transactionHalf, !response.duplicate,
            let position = producers.firstIndex(where: { $0.id == send.stamp.producer })
        {
            decide(half.physicalOffset, producer: position, checked: false)
        }
        statistics.sendsAcknowledged += 1
        if response.duplicate { statistics.sendsDeduplicated += 1 }
    }
}

/// Transactions: a producer decides each half message it stored (commit, roll back, or leave it
/// undecided), and answers the leader's check backs of undecided ones the same way.
extension Cluster {
    /// Producer `position` decides the half message at `half`: commit (2 in 5), roll back
    /// (3 in 10), or nothing yet (the leader checks back).
    func decide(_ half: PhysicalOffset, producer position: Int, checked: Bool) {
        let draw = clientRNG.below(10)
        let outcome: TransactionOutcome = draw < 4 ? .commit : draw < 7 ? .rollback : .unknown
        if checked { statistics.transactionChecksAnswered += 1 }
        guard outcome != .unknown else { return }
        producers[position].transactionEnds.append(
            EndTransactionRequest(half: half, outcome: outcome, producerGroup: producers[position].group))
    }

    /// `node`, leading, asked a producer of the half message's group what became of it.
    func transactionChecked(_ check: TransactionCheckRequest, by node: SimNode) {
        guard clientsActive, let position = producers.firstIndex(where: { $0.group == check.producerGroup }) else {
            return
        }
        decide(check.message.physicalOffset, producer: position, checked: true)
    }

    /// The node that accepted `end` answered it.
    func transactionEndAcknowledged(_ end: EndTransactionRequest, at index: LogIndex?) {
        statistics.transactionEnds += 1
    }
}
