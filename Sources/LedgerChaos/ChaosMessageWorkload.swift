import CommitLog
import LedgerClient
import LedgerConfig
import LedgerModel
import Raft

/// The workload on the message store, through ``LedgerClient`` like any application: producers
/// send messages with idempotent producer ids, some delayed, some as transactions; consumer
/// groups pull, commit offsets and send some messages back.
///
/// Producers (``ChaosProducer``): each operation is `pN#seq`, its body `chaos-message pN#seq`
/// and its key `pN#seq`, sent to a queue the seed picks among ``topics`` × their queues,
/// synchronously: the next starts only after the last one ended, so each producer's plain
/// sends must appear in send order within every queue. One in eight is delayed (acknowledged
/// in the schedule topic, moved into its queue once due), one in eight a transaction (a half
/// message, then commit, rollback or nothing). The client retries a send (same producer
/// stamp) on leader changes and timeouts until the producer's operation timeout; an
/// acknowledgement names the queue and offset. A send the client reports `outcomeUnknown` (or
/// that ended in a server or protocol failure) is indeterminate: it may be stored, at most
/// once. `noQuorum` and `rejected` mean no attempt can have stored it. Producers differ in
/// patience (``timeouts(_:)``): most ride out a failover; a hasty one gives up within it, so
/// sends do end indeterminate or failed and those outcomes are checked; the last one outwaits
/// every pause, so a deposed leader's answers after SIGCONT are seen and checked.
///
/// Consumers (``ChaosConsumer``): ``consumers`` threads in two groups. Group `chaos-g0` has two
/// members that split the queues between them; `chaos-g1` has one that reads them all; the
/// first member of each also reads its group's retry queue. Each starts from its group's
/// committed offsets, pulls every queue it owns in turn, records every message read, sends
/// some back (with its group's maximum reconsume times, so some end in the dead-letter
/// topic), commits the offsets it reached every ``commitInterval`` and now and then reads the
/// group's committed offsets back. A consumer's offsets only move forward, so the offsets it
/// commits only grow: the checker may require that no committed offset is ever seen going
/// back.
struct ChaosMessageWorkload: ChaosWorkload {
    /// The group's message-store settings (queue counts; the checker's replays).
    let configuration: CommitLogConfiguration
    /// Whether producers send delayed messages and transactions and consumers send messages
    /// back (`ledger chaos`); without them (`ledger soak`) every send is a plain one.
    var heldMessages = true
    /// The bytes of each body: a body shorter than this is padded with dots (``body(_:size:)``).
    var bodySize = 0

    var name: String { "messages" }
    var producers: Int { 4 }
    var consumers: Int { ChaosMessageWorkload.groups.map(\.members).reduce(0, +) }
    var holdsMessages: Bool { heldMessages }

    /// The topics producers send to; each has `configuration.defaultTopicQueueNums` queues.
    static let topics = ["chaos-a", "chaos-b"]
    /// The consumer groups, how many members each has, and the maximum reconsume times their
    /// send-backs carry (past it a message goes to the group's dead-letter topic).
    static let groups: [(name: String, members: Int, maxReconsumeTimes: Int32)] = [
        ("chaos-g0", 2, 1), ("chaos-g1", 1, 2),
    ]
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

    /// The body of operation `id`: `chaos-message pN#seq`, padded to `size` bytes with a space
    /// and dots when shorter.
    static func body(_ id: ChaosOperationID, size: Int = 0) -> [UInt8] {
        let text = Array("chaos-message \(id)".utf8)
        guard size > text.count + 1 else { return text }
        return text + [0x20] + [UInt8](repeating: 0x2E, count: size - text.count - 1)
    }

    /// The operation a body names, or nil when it is not one of this workload's.
    static func operation(inBody body: [UInt8]) -> ChaosOperationID? {
        let words = String(decoding: body, as: UTF8.self).split(separator: " ")
        guard words.count == 2 || (words.count == 3 && words[2].allSatisfy { $0 == "." }),
            words[0] == "chaos-message"
        else { return nil }
        return ChaosOperationID(parsing: words[1])
    }

    func produce(producer: Int, context: ChaosContext) {
        var worker = ChaosProducer(
            number: producer, queues: queues, delayLevels: configuration.delayLevels.count,
            timeouts: timeouts(producer), context: context, heldMessages: heldMessages, bodySize: bodySize)
        worker.run()
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
        var owned = queues.enumerated().filter { $0.offset % group.members == member }.map(\.element)
        if member == 0 { owned.append(MessageQueue(topic: SystemTopic.retry(group.name), queueID: 0)) }
        var reader = ChaosConsumer(
            name: "\(group.name)/c\(member)", group: group.name, queues: owned,
            maxReconsumeTimes: group.maxReconsumeTimes, context: context, commitInterval: commitInterval,
            sendsBack: heldMessages)
        reader.run()
    }
}
