import LedgerClient
import LedgerConfig
import LedgerModel
import Posix

/// One `ledger consume` process: a member of a consumer group that reads its share of a topic's
/// queues and prints every message, until SIGINT or SIGTERM.
///
/// One thread does everything, in rounds: every ``membershipInterval`` (and at once after
/// joining or when the leader changes) it heartbeats the leader, reads the group's members,
/// takes its share of the queues (``QueueAllocation/averagely(_:members:member:)``; all of them
/// with `--broadcast`; only those it locked with `--orderly`) and gives up the rest, committing
/// their offsets first; then it pulls each of its queues once, prints what came, and commits as
/// `--auto-commit`/`--manual` say. A round that found nothing waits ``idlePause`` (a signal ends
/// the wait at once). A failure the group recovers from by itself (no leader, a leader change,
/// an unreachable node) is reported on stderr and retried; any other ends the process.
final class GroupMember {
    /// How often the member heartbeats, re-reads its group and renews its locks: well within
    /// the leader's 120 s member expiry and 60 s lock expiry.
    static let membershipInterval: Duration = .seconds(2)
    /// The wait after a round that found no new message.
    static let idlePause: Duration = .milliseconds(100)
    /// The wait after a failed round.
    static let retryPause: Duration = .milliseconds(500)
    /// The most messages one pull asks for.
    static let batchSize = 32

    /// One queue this member reads.
    private struct Reading {
        /// The next offset to pull.
        var next: QueueOffset
        /// The offset last committed for the group (by this member or before it took the
        /// queue); nil when none is.
        var committed: QueueOffset?
    }

    private let client: LedgerClient
    private let options: ConsumeOptions
    /// This member's id in its group.
    let clientID: String
    private let signals: SignalSource
    /// The queues read now, by queue id (visited in id order).
    private var reading: [Int32: Reading] = [:]
    private var nextMembershipCheck = ContinuousClock.now
    private var nextCommit = ContinuousClock.now
    /// The leader the last heartbeat went to.
    private var leader: Peer?
    /// The last line said about the queues read, or about a failure being retried, so each is
    /// said once.
    private var lastAnnouncement: String?
    private var lastProblem: String?

    /// A member of `options.group` called `clientID`, reading through `client`; `signals` must
    /// have been created before any other thread started, so SIGINT and SIGTERM reach it.
    init(client: LedgerClient, options: ConsumeOptions, clientID: String, signals: SignalSource) {
        self.client = client
        self.options = options
        self.clientID = clientID
        self.signals = signals
        if case .automatic(let interval) = options.commit { nextCommit = .now + .milliseconds(interval) }
    }

    /// Consumes until a signal (then commits, releases, leaves and returns 0) or a failure that
    /// retrying cannot fix (returns its exit code).
    func run() -> Int32 {
        while true {
            if !signals.drain().isEmpty { return stop() }
            let found: Bool
            do throws(LedgerClientError) {
                if ContinuousClock.now >= nextMembershipCheck
                    || (client.leaderHint != nil && client.leaderHint != leader)
                {
                    try rebalance()
                }
                found = try pullRound()
                if case .automatic(let interval) = options.commit, ContinuousClock.now >= nextCommit {
                    try commit(Array(reading.keys))
                    nextCommit = .now + .milliseconds(interval)
                }
                if lastProblem != nil {
                    Console.error("consume: \(clientID) reads again")
                    lastProblem = nil
                }
            } catch {
                guard Self.isTransient(error) else { return ClientCommands.fail("consume", error) }
                if lastProblem != error.description {
                    Console.error("consume: \(error); retrying")
                    lastProblem = error.description
                }
                nextMembershipCheck = .now
                if waitForSignal(Self.retryPause) { return stop() }
                continue
            }
            if !found, waitForSignal(Self.idlePause) { return stop() }
        }
    }

    /// Failures the group recovers from by itself: no leader yet, a leader change, a node down.
    private static func isTransient(_ error: LedgerClientError) -> Bool {
        switch error {
        case .noQuorum, .outcomeUnknown, .unreachable: true
        case .rejected, .serverFailure, .protocolViolation, .transferIncomplete: false
        }
    }

    // MARK: - Membership

    /// Heartbeats, reads the group and the topic, and moves to this member's share of the queues.
    private func rebalance() throws(LedgerClientError) {
        let subscription = ConsumerSubscription(topic: options.topic, expression: options.tags)
        try client.consumerHeartbeat(clientID: clientID, group: options.group, subscriptions: [subscription])
        leader = client.leaderHint
        nextMembershipCheck = .now + Self.membershipInterval
        guard let topic = try client.topics().first(where: { $0.name == options.topic }) else {
            try take([])
            announce("consume: \(clientID) waits for topic \(options.topic) to be created")
            return
        }
        let queues = topic.queues.indices.map { MessageQueue(topic: options.topic, queueID: Int32($0)) }
        let shareOf: String
        if options.broadcast {
            try take(queues)
            shareOf = "broadcast"
        } else {
            let members = try client.consumerMembers(group: options.group)
            var share = QueueAllocation.averagely(queues, members: members, member: clientID)
            if options.orderly && !share.isEmpty {
                share = try client.lockQueues(clientID: clientID, group: options.group, queues: share)
            }
            try take(share)
            shareOf = "\(members.count) member\(members.count == 1 ? "" : "s")"
        }
        let ids = reading.keys.sorted().map(String.init).joined(separator: ",")
        announce(
            "consume: \(clientID) reads \(options.topic) "
                + (ids.isEmpty ? "no queue" : "queue\(reading.count == 1 ? "" : "s") \(ids)") + " (\(shareOf))")
    }

    /// Reads exactly `queues` from now on: gives up the others (committing, then unlocking
    /// them) and starts the new ones where the group left off (or at `--from`).
    private func take(_ queues: [MessageQueue]) throws(LedgerClientError) {
        let wanted = Set(queues.map(\.queueID))
        let dropped = reading.keys.filter { !wanted.contains($0) }.sorted()
        if !dropped.isEmpty {
            try commit(dropped)
            for id in dropped { reading[id] = nil }
            if options.orderly {
                try client.unlockQueues(clientID: clientID, group: options.group, queues: dropped.map(queue))
            }
        }
        let added = queues.filter { reading[$0.queueID] == nil }
        if !added.isEmpty {
            var committed: [Int32: QueueOffset] = [:]
            if !options.broadcast {
                for progress in try client.consumerOffsets(group: options.group, topic: options.topic) {
                    committed[progress.queue.queueID] = progress.committedOffset
                }
            }
            for queue in added {
                if let offset = committed[queue.queueID] {
                    reading[queue.queueID] = Reading(next: offset, committed: offset)
                    continue
                }
                let start = try startOffset(queue)
                reading[queue.queueID] = Reading(next: start, committed: nil)
                // The next owner of the queue continues from here, not from its own --from.
                if !options.broadcast { try commit([queue.queueID]) }
            }
        }
    }

    /// Where a queue the group never committed on starts (`--from`).
    private func startOffset(_ queue: MessageQueue) throws(LedgerClientError) -> QueueOffset {
        switch options.start {
        case .first: try client.queueOffsets(topic: queue.topic, queueID: queue.queueID).minOffset
        case .last: try client.queueOffsets(topic: queue.topic, queueID: queue.queueID).maxOffset
        case .time(let milliseconds):
            try client.searchOffset(topic: queue.topic, queueID: queue.queueID, timestamp: milliseconds)
        }
    }

    private func queue(_ id: Int32) -> MessageQueue { MessageQueue(topic: options.topic, queueID: id) }

    /// Prints `line` on stderr unless it was the last thing announced.
    private func announce(_ line: String) {
        guard line != lastAnnouncement else { return }
        Console.error(line)
        lastAnnouncement = line
    }

    // MARK: - Reading and committing

    /// Pulls each queue read once and prints what came; returns whether any queue moved.
    private func pullRound() throws(LedgerClientError) -> Bool {
        var moved = false
        for id in reading.keys.sorted() {
            guard var state = reading[id] else { continue }
            let result = try client.pull(
                topic: options.topic, queueID: id, offset: state.next, maxCount: Self.batchSize, tags: options.tags)
            switch result.status {
            case .found:
                for message in result.messages { Console.out(Self.line(message)) }
            case .noMatchedMessage, .noNewMessage:
                break
            case .offsetIllegal:
                Console.error(
                    "consume: queue \(id): offset \(state.next) is outside \(result.minOffset)..<\(result.maxOffset); "
                        + "continuing at \(result.nextOffset)")
            }
            if result.status != .noNewMessage && result.nextOffset != state.next {
                state.next = result.nextOffset
                moved = true
            }
            reading[id] = state
            if case .manual = options.commit { try commit([id]) }
        }
        return moved
    }

    /// Commits the next offset of each of `ids` that moved since its last commit (nothing with
    /// `--broadcast`).
    private func commit(_ ids: [Int32]) throws(LedgerClientError) {
        guard !options.broadcast else { return }
        for id in ids.sorted() {
            guard let state = reading[id], state.committed != state.next else { continue }
            try client.commitOffset(group: options.group, queue: queue(id), offset: state.next)
            reading[id]?.committed = state.next
        }
    }

    /// `<queue> <offset> <tags> <keys> <body>`: `-` for no tags or keys, keys comma-separated,
    /// the body as UTF-8 (or `base64:` and its base64 when it is not).
    static func line(_ message: StoredMessage) -> String {
        "\(message.queueID) \(MessageCommands.textLine(message))"
    }

    // MARK: - Stopping

    /// Waits `duration` unless a signal comes first; returns whether one did.
    private func waitForSignal(_ duration: Duration) -> Bool {
        do {
            return !(try signals.wait(timeout: duration)).isEmpty
        } catch {
            // Without the descriptor no signal can be seen: sleep, and let the next round check.
            Console.error("consume: cannot wait for signals: \(error)")
            pause(duration)
            return false
        }
    }

    /// Commits every offset read, releases the locks, leaves the group. Returns 0, or the exit
    /// code of a commit that failed (the offsets may then be behind what was printed). Failing
    /// to unlock or to leave is reported but not an error: the leader drops both when this
    /// process's connection closes.
    private func stop() -> Int32 {
        do {
            try commit(Array(reading.keys))
        } catch {
            return ClientCommands.fail("consume", error)
        }
        do {
            if options.orderly && !reading.isEmpty {
                try client.unlockQueues(
                    clientID: clientID, group: options.group, queues: reading.keys.sorted().map(queue))
            }
            try client.unregisterConsumer(clientID: clientID, group: options.group)
        } catch {
            Console.error(
                "consume: \(clientID) could not leave \(options.group) (its connection closing will): \(error)")
        }
        Console.error("consume: \(clientID) left group \(options.group)")
        return ExitCode.success
    }
}
