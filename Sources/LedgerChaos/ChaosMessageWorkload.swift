import CommitLog
import LedgerClient
import LedgerConfig
import LedgerModel
import Raft

/// The workload on the message store, through ``LedgerClient`` like any application: producers
/// send messages with idempotent producer ids; consumer groups pull and commit offsets.
///
/// Producers: each send is one operation `pN#seq`, its body `chaos-message pN#seq` and its key
/// `pN#seq`, sent to a queue the seed picks among ``topics`` × their queues, synchronously: the
/// next send starts only after the last one ended, so each producer's messages must appear in
/// send order within every queue. The client retries a send (same producer stamp) on leader
/// changes and timeouts until the producer's operation timeout; an acknowledgement names the
/// queue and offset. A send the client reports `outcomeUnknown` (or that ended in a server or
/// protocol failure) is indeterminate: it may be stored, at most once. `noQuorum` and `rejected`
/// mean no attempt can have stored it. Producers differ in patience (``timeouts(_:)``): most ride
/// out a failover; a hasty one gives up within it, so sends do end indeterminate or failed and
/// those outcomes are checked; the last one outwaits every pause, so a deposed leader's answers
/// after SIGCONT are seen and checked.
///
/// Consumers: ``consumers`` threads in two groups. Group `chaos-g0` has two members that split
/// the queues between them; `chaos-g1` has one that reads them all. Each starts from its group's
/// committed offsets, pulls every queue it owns in turn, records every message read, commits the
/// offsets it reached every ``commitInterval`` and now and then reads the group's committed
/// offsets back. A consumer's offsets only move forward, so the offsets it commits only grow:
/// the checker may require that no committed offset is ever seen going back.
struct ChaosMessageWorkload: ChaosWorkload {
    /// The group's message-store settings (queue counts; the checker's replays).
    let configuration: CommitLogConfiguration

    var name: String { "messages" }
    var producers: Int { 4 }
    var consumers: Int { ChaosMessageWorkload.groups.map(\.members).reduce(0, +) }

    /// The topics producers send to; each has `configuration.defaultTopicQueueNums` queues.
    static let topics = ["chaos-a", "chaos-b"]
    /// The consumer groups and how many members each has.
    static let groups: [(name: String, members: Int)] = [("chaos-g0", 2), ("chaos-g1", 1)]
    /// How often a consumer commits the offsets it reached.
    var commitInterval: Duration = .milliseconds(500)

    /// Every queue producers send to, in topic and queue order.
    var queues: [MessageQueue] {
        ChaosMessageWorkload.topics.flatMap { topic in
            (0..<configuration.defaultTopicQueueNums).map { MessageQueue(topic: topic, queueID: $0) }
        }
    }

    /// How long producer `producer` lets one send retry, and one attempt wait for the leader:
    /// the last producer outwaits every pause (SIGSTOP holds at most 2.5 s), the one before it
    /// gives up within a failover (an election takes 150-300 ms, finding the new leader more),
    /// the others ride failovers out.
    func timeouts(_ producer: Int) -> (operation: Duration, attempt: Duration) {
        switch producer {
        case producers - 1: (.seconds(12), .seconds(4))
        case producers - 2: (.milliseconds(800), .milliseconds(300))
        default: (.seconds(6), .seconds(1))
        }
    }

    /// The body of operation `id`.
    static func body(_ id: ChaosOperationID) -> [UInt8] { Array("chaos-message \(id)".utf8) }

    /// The operation a body names, or nil when it is not one of this workload's.
    static func operation(inBody body: [UInt8]) -> ChaosOperationID? {
        let words = String(decoding: body, as: UTF8.self).split(separator: " ")
        guard words.count == 2, words[0] == "chaos-message" else { return nil }
        return ChaosOperationID(parsing: words[1])
    }

    func produce(producer: Int, context: ChaosContext) {
        let (operation, attempt) = timeouts(producer)
        let options = LedgerClientOptions(
            timeout: operation, nodeTimeout: .milliseconds(300), attemptTimeout: attempt,
            credentials: context.credentials)
        let client = LedgerClient(peers: context.peers, options: options)
        defer { client.close() }
        var random = SplitMix64(seed: context.seed)
        let queues = queues
        var sequence = 0
        while !context.recorder.isStopping {
            sequence += 1
            let id = ChaosOperationID(producer: producer, sequence: sequence)
            let queue = queues[Int(random.below(UInt64(queues.count)))]
            let message = ProducerMessage(
                topic: queue.topic, target: .queue(queue.queueID), tags: random.chance(1, in: 2) ? "TagA" : "TagB",
                keys: [id.description], body: ChaosMessageWorkload.body(id))
            let began = ContinuousClock().now
            let started = context.recorder.elapsed
            let outcome: ChaosAttemptOutcome
            do {
                let result = try client.send(message)
                outcome = .acknowledged(
                    .queueOffset(queue: result.queue.description, offset: result.queueOffset.rawValue),
                    node: client.leaderHint?.name ?? "an unknown node")
            } catch {
                outcome = ChaosMessageWorkload.outcome(of: error)
            }
            context.recorder.record(
                ChaosOperation(
                    id: id, started: started, ended: context.recorder.elapsed, attempts: [outcome], idempotent: true))
            pause(context.operationInterval - began.duration(to: ContinuousClock().now))
        }
    }

    /// What a failed send means for the checker: certainly not stored, or perhaps stored.
    static func outcome(of error: LedgerClientError) -> ChaosAttemptOutcome {
        switch error {
        case .noQuorum, .rejected:
            .failed(error.description)
        case .outcomeUnknown, .serverFailure, .protocolViolation, .unreachable, .transferIncomplete:
            .indeterminate(error.description)
        }
    }

    func consume(consumer: Int, context: ChaosContext) {
        var member = consumer
        var group = ChaosMessageWorkload.groups[0]
        for candidate in ChaosMessageWorkload.groups {
            group = candidate
            if member < candidate.members { break }
            member -= candidate.members
        }
        let owned = queues.enumerated().filter { $0.offset % group.members == member }.map(\.element)
        var reader = ChaosConsumer(
            name: "\(group.name)/c\(member)", group: group.name, queues: owned, context: context,
            commitInterval: commitInterval)
        reader.run()
    }
}
