import CommitLog
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft

/// One consumer thread of ``ChaosMessageWorkload``: a member of `group` that owns `queues`.
///
/// It starts from the group's committed offsets, then pulls its queues in turn (from the
/// leader, through ``LedgerClient``), records every message read, commits the offsets it reached
/// every `commitInterval`, and now and then reads the group's committed offsets back. Its read
/// positions only move forward, so the offsets it commits only grow.
///
/// It sends back (CONSUMER_SEND_MSG_BACK, with `maxReconsumeTimes`) one in eight messages it
/// reads from the workload's topics and one in two from its group's retry queue, with delay
/// level 0 (the store's `3 + reconsume times`) or 1; one send-back in four is sent twice (the
/// store keeps one). Each send-back is recorded with how it ended.
struct ChaosConsumer {
    let name: String
    let group: String
    let queues: [MessageQueue]
    let maxReconsumeTimes: Int32
    let context: ChaosContext
    let commitInterval: Duration
    /// Whether it sends messages back (else it only reads and commits).
    let sendsBack: Bool
    private let client: LedgerClient
    private var random: SplitMix64
    /// The next offset to read per queue; empty until the group's committed offsets were read.
    private var positions: [MessageQueue: QueueOffset] = [:]
    /// The offset last committed and acknowledged per queue.
    private var committed: [MessageQueue: QueueOffset] = [:]

    init(
        name: String, group: String, queues: [MessageQueue], maxReconsumeTimes: Int32, context: ChaosContext,
        commitInterval: Duration, sendsBack: Bool = true
    ) {
        self.sendsBack = sendsBack
        self.name = name
        self.group = group
        self.queues = queues
        self.maxReconsumeTimes = maxReconsumeTimes
        self.context = context
        self.commitInterval = commitInterval
        client = LedgerClient(
            peers: context.peers,
            options: LedgerClientOptions(
                timeout: .seconds(3), nodeTimeout: .milliseconds(300), attemptTimeout: .seconds(1),
                credentials: context.credentials))
        random = SplitMix64(seed: context.seed)
    }

    /// Consumes until the recorder stops.
    mutating func run() {
        defer { client.close() }
        guard !queues.isEmpty else { return }
        var lastCommit = ContinuousClock().now
        var turn = 0
        while !context.recorder.isStopping {
            if positions.isEmpty {
                guard let start = readCommitted() else {
                    pause(.milliseconds(50))
                    continue
                }
                for queue in queues { positions[queue] = start[queue] ?? .zero }
                committed = start
            }
            pull(queues[turn % queues.count])
            turn += 1
            if lastCommit.duration(to: ContinuousClock().now) >= commitInterval {
                commitPositions()
                lastCommit = ContinuousClock().now
                if random.chance(1, in: 4) { _ = readCommitted() }
            }
            pause(.milliseconds(10))
        }
    }

    /// Pulls the next messages of `queue` and records them; moves its position forward only.
    private mutating func pull(_ queue: MessageQueue) {
        let position = positions[queue] ?? .zero
        do {
            let result = try client.pull(topic: queue.topic, queueID: queue.queueID, offset: position, maxCount: 32)
            let node = client.leaderHint?.name ?? "an unknown node"
            let at = WallClock.nowMilliseconds()
            for message in result.messages {
                let item = ChaosMessageWorkload.item(message)
                context.recorder.record(ChaosRead(consumer: name, node: node, item: item, at: at))
                let retried = message.topic.hasPrefix(SystemTopic.retryPrefix)
                if sendsBack && random.chance(1, in: retried ? 2 : 8) { sendBack(message, item) }
            }
            if result.nextOffset > position { positions[queue] = result.nextOffset }
        } catch {
            // The topic does not exist yet, or no leader answered in time: this queue's turn
            // comes again soon.
            pause(.milliseconds(20))
        }
    }

    /// Sends `message` back for the group (once, or twice in a row one time in four) and
    /// records each send-back. A rejection means nothing was stored (the store refuses before
    /// proposing; a retry of a stored send-back is answered with its first result).
    private mutating func sendBack(_ message: StoredMessage, _ item: ChaosItem) {
        let level: Int32 = random.chance(1, in: 2) ? 0 : 1
        for _ in 0..<(random.chance(1, in: 4) ? 2 : 1) {
            let started = context.recorder.elapsed
            let outcome: ChaosAttemptOutcome
            do {
                let result = try client.sendBack(
                    group: group, offset: message.physicalOffset, delayLevel: level,
                    maxReconsumeTimes: maxReconsumeTimes)
                outcome = .acknowledged(
                    .queueOffset(queue: result.queue.description, offset: result.queueOffset.rawValue),
                    node: client.leaderHint?.name ?? "an unknown node")
            } catch {
                outcome = ChaosMessageWorkload.outcome(of: error)
            }
            context.recorder.record(
                ChaosSendBack(
                    group: group, consumer: name, source: item, delayLevel: level,
                    maxReconsumeTimes: maxReconsumeTimes, started: started, ended: context.recorder.elapsed,
                    outcome: outcome))
        }
    }

    /// Commits every position that moved past its last acknowledged commit. An acknowledged
    /// commit is recorded; one that failed or whose outcome is unknown is sent again (with the
    /// same or a higher offset) next time.
    private mutating func commitPositions() {
        for queue in queues {
            guard let position = positions[queue], position > (committed[queue] ?? .zero) else { continue }
            let started = context.recorder.elapsed
            do {
                try client.commitOffset(group: group, queue: queue, offset: position)
            } catch {
                // Not acknowledged (failed, or perhaps applied later): committed again next time.
                continue
            }
            committed[queue] = position
            context.recorder.record(
                ChaosOffsetObservation(
                    group: group, queue: queue.description, offset: position.rawValue, source: .committed,
                    consumer: name, started: started, ended: context.recorder.elapsed))
        }
    }

    /// The group's committed offsets of this consumer's queues, read from the leader and
    /// recorded; nil when the leader did not answer.
    private func readCommitted() -> [MessageQueue: QueueOffset]? {
        let started = context.recorder.elapsed
        let progress: [ConsumerProgress]
        do {
            progress = try client.consumerOffsets(group: group)
        } catch {
            return nil
        }
        let ended = context.recorder.elapsed
        var offsets: [MessageQueue: QueueOffset] = [:]
        for entry in progress where queues.contains(entry.queue) {
            offsets[entry.queue] = entry.committedOffset
            context.recorder.record(
                ChaosOffsetObservation(
                    group: group, queue: entry.queue.description, offset: entry.committedOffset.rawValue,
                    source: .queried, consumer: name, started: started, ended: ended))
        }
        return offsets
    }
}
