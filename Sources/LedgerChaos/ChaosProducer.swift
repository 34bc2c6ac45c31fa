import LedgerClient
import LedgerConfig
import LedgerModel
import Raft

/// One producer thread of ``ChaosMessageWorkload``: sends operation after operation, each to a
/// queue the seed picks, synchronously (the next starts after the last ended), and records each
/// with how it ended.
///
/// Most operations are plain sends. One in eight is a delayed send (a random level of the
/// group's: acknowledged in the schedule topic, moved into its queue once due). One in eight
/// is a transaction: a half message (`TRAN_MSG`, producer group ``producerGroup``), then, once
/// acknowledged, a commit (half of them), a rollback (a quarter) or nothing (the rest: the
/// leader checks back, nobody answers, the half message is discarded after the last check).
struct ChaosProducer {
    /// The `PGROUP` of every half message.
    static let producerGroup = "chaos-tx"

    let number: Int
    let queues: [MessageQueue]
    let delayLevels: Int
    let context: ChaosContext
    /// Whether one send in eight is delayed and one a transaction (else every send is plain).
    let heldMessages: Bool
    /// The bytes of each body (``ChaosMessageWorkload/body(_:size:)``).
    let bodySize: Int
    private let client: LedgerClient
    private var random: SplitMix64

    init(
        number: Int, queues: [MessageQueue], delayLevels: Int, timeouts: (operation: Duration, attempt: Duration),
        context: ChaosContext, heldMessages: Bool = true, bodySize: Int = 0
    ) {
        self.number = number
        self.heldMessages = heldMessages
        self.bodySize = bodySize
        self.queues = queues
        self.delayLevels = delayLevels
        self.context = context
        client = LedgerClient(
            peers: context.peers,
            options: LedgerClientOptions(
                timeout: timeouts.operation, nodeTimeout: .milliseconds(300), attemptTimeout: timeouts.attempt,
                credentials: context.credentials))
        random = SplitMix64(seed: context.seed)
    }

    /// Produces until the recorder stops.
    mutating func run() {
        defer { client.close() }
        var sequence = 0
        while !context.recorder.isStopping {
            sequence += 1
            let began = ContinuousClock().now
            produce(ChaosOperationID(producer: number, sequence: sequence))
            pause(context.operationInterval - began.duration(to: ContinuousClock().now))
        }
    }

    /// Runs operation `id` and records it.
    private mutating func produce(_ id: ChaosOperationID) {
        let queue = queues[Int(random.below(UInt64(queues.count)))]
        var message = ProducerMessage(
            topic: queue.topic, target: .queue(queue.queueID), tags: random.chance(1, in: 2) ? "TagA" : "TagB",
            keys: [id.description], body: ChaosMessageWorkload.body(id, size: bodySize))
        var kind = ChaosOperationKind.send
        switch random.below(8) {
        case _ where !heldMessages:
            break
        case 0 where delayLevels > 0:
            let level = Int32(1 + random.below(UInt64(delayLevels)))
            message.properties[MessageProperty.delayLevel] = String(level)
            kind = .delayed(level: level)
        case 1:
            message.properties[MessageProperty.transactionPrepared] = "true"
            message.properties[MessageProperty.producerGroup] = ChaosProducer.producerGroup
            kind = .transaction(nil)
        default:
            break
        }
        let started = context.recorder.elapsed
        let outcome: ChaosAttemptOutcome
        var half: SendResult?
        do {
            let result = try client.send(message)
            let position = ChaosPosition.queueOffset(
                queue: result.queue.description, offset: result.queueOffset.rawValue)
            outcome = .acknowledged(position, node: client.leaderHint?.name ?? "an unknown node")
            half = result
        } catch {
            outcome = ChaosMessageWorkload.outcome(of: error)
        }
        if case .transaction = kind, let half {
            kind = .transaction(decide(half))
        }
        context.recorder.record(
            ChaosOperation(
                id: id, started: started, ended: context.recorder.elapsed, attempts: [outcome], idempotent: true,
                kind: kind))
    }

    /// Commits (one time in two), rolls back (one in four) or leaves undecided (nil) the half
    /// message `half`; how the decision ended.
    private mutating func decide(_ half: SendResult) -> ChaosTransactionEnd? {
        let choice = random.below(4)
        guard choice < 3 else { return nil }
        let commit = choice < 2
        do {
            try client.endTransaction(
                half: half.physicalOffset, outcome: commit ? .commit : .rollback,
                producerGroup: ChaosProducer.producerGroup)
            let position = ChaosPosition.queueOffset(queue: half.queue.description, offset: half.queueOffset.rawValue)
            return ChaosTransactionEnd(
                commit: commit, outcome: .acknowledged(position, node: client.leaderHint?.name ?? "an unknown node"))
        } catch {
            return ChaosTransactionEnd(commit: commit, outcome: ChaosProducer.outcome(ofEnd: error))
        }
    }

    /// What a failed commit or rollback means: certainly not applied only when no attempt
    /// reached a leader (`noQuorum`). A rejection ("not pending") may answer a retry of an
    /// attempt that was applied, so it is indeterminate like a lost answer.
    static func outcome(ofEnd error: LedgerClientError) -> ChaosAttemptOutcome {
        switch error {
        case .noQuorum: .failed(error.description)
        case .rejected, .outcomeUnknown, .serverFailure, .protocolViolation, .unreachable, .transferIncomplete:
            .indeterminate(error.description)
        }
    }
}
