import Bytes
import CommitLog
import LedgerModel
import Raft

/// The leader's part in the messages the store holds back (`CommitLogStateMachine+HeldMessages.swift`):
/// every ``heldMessagesScanMilliseconds`` it proposes the deliveries that came due by its clock
/// and the check backs of half messages left undecided; after a check back applies, it asks a
/// producer of the half message's group for the outcome (``ReplicaAction/checkTransaction(_:)``).
/// Every decision goes through the log with the time it used, so each replica applies the same.
/// Consumers' send-backs and producers' transaction outcomes arrive as requests.
extension Replica {
    /// How often a leader looks for due deliveries and half messages to check.
    static let heldMessagesScanMilliseconds: Int64 = 100
    /// Most messages one delivery entry moves, and most record bytes.
    static let deliveryBatchMessages = 64
    static let deliveryBatchBytes = 1 << 20

    /// Proposes what came due; a no-op unless leading with a writable disk.
    func moveHeldMessages() throws(Violation) {
        guard failure == nil, core.role == .leader, diskFullRefusal() == nil else { return }
        let stamp = StoreStamp(storeTimestamp: now, storeHost: configuration.storeHost)
        let maxBytes = min(Self.deliveryBatchBytes, stateMachine.configuration.commitLogFileSize / 4)
        for level in 1...Int32(stateMachine.configuration.delayLevels.count) {
            // Most scans find nothing due: look before taking the tail and planning.
            do {
                guard try stateMachine.isDeliveryDue(level: level, after: proposalTail?.deliveries[level], now: now)
                else { continue }
            } catch {
                log(.warning, "cannot read delay level \(level)'s next message: \(error)")
                continue
            }
            try proposePlaced(kind: .send, oneWay: true, client: nil, requestID: 0) {
                (tail, _, bodyPosition) throws(QueryError) in
                try stateMachine.planDelivery(
                    level: level, now: now, stamp: stamp, maxMessages: Self.deliveryBatchMessages,
                    maxBytes: maxBytes, tail: &tail, bodyPosition: bodyPosition
                ).map { .success($0) }
            }
        }
        try checkTransactions()
    }

    /// Proposes a check back (or, after the last allowed one, the discard) of each half message
    /// undecided past the transaction timeout, unless one is in flight already.
    private func checkTransactions() throws(Violation) {
        checksInFlight = checksInFlight.filter { $0.value > stateMachine.appliedIndex }
        let policy = configuration.transactions
        for transaction in stateMachine.transactionsToCheck(
            now: now, timeout: policy.timeoutMilliseconds, interval: policy.checkIntervalMilliseconds)
        where checksInFlight[transaction.half] == nil {
            let check = TransactionCheck(
                half: transaction.half, at: now, discard: transaction.checks >= policy.checkMax,
                after: transaction.checks)
            let bytes: [UInt8]
            do {
                bytes = try EntryPayload.encode(.checkTransaction(check))
            } catch {
                preconditionFailure("a check back of fixed-size fields does not encode: \(error)")
            }
            do {
                let proposal = try core.propose(bytes)
                checksInFlight[transaction.half] = proposal.index
                if check.discard { proposalTail?.decided(transaction.half, at: proposal.index) }
            } catch {
                return log(.warning, "could not propose a transaction check: \(error)")
            }
        }
    }

    /// Acts on what an applied entry did to the held messages: a leader asks a producer about a
    /// half message whose check was just counted; a discard is logged.
    func heldMessagesApplied(_ results: [ApplyResult]) {
        for result in results {
            switch result {
            case .transactionChecked(let transaction) where core.role == .leader:
                do {
                    let message = try stateMachine.halfMessageForCheck(at: transaction.half)
                    host.perform(
                        .checkTransaction(
                            TransactionCheckRequest(producerGroup: transaction.producerGroup, message: message)))
                } catch {
                    log(.warning, "cannot check back the half message at \(transaction.half): \(error)")
                }
            case .transactionDiscarded(let transaction):
                log(
                    .warning,
                    "discarded the half message at \(transaction.half) of producer group "
                        + "\(transaction.producerGroup): still undecided after \(transaction.checks) check backs")
            default:
                break
            }
        }
    }

    /// Proposes consumer `request.group`'s send-back (CONSUMER_SEND_MSG_BACK): answered like a
    /// send, with where the message went.
    func proposeSendBack(_ request: SendBackRequest, client: ClientID, requestID: UInt64) throws(Violation) {
        guard core.role == .leader else {
            return refuse(
                errorResponse(for: .notLeader(leader: core.leader)), kind: .sendBack, oneWay: false, client: client,
                requestID: requestID)
        }
        if let full = diskFullRefusal() {
            return refuse(full, kind: .sendBack, oneWay: false, client: client, requestID: requestID)
        }
        let stamp = StoreStamp(storeTimestamp: now, storeHost: configuration.storeHost)
        let defaultMax = configuration.maxReconsumeTimes
        try proposePlaced(kind: .sendBack, oneWay: false, client: client, requestID: requestID) {
            (tail, index, bodyPosition) throws(QueryError) in
            try stateMachine.planSendBack(
                request, defaultMaxReconsumeTimes: defaultMax, stamp: stamp, tail: &tail, index: index,
                bodyPosition: bodyPosition)
        }
    }

    /// Proposes a producer's decision on a half message (END_TRANSACTION): a commit moves it
    /// into its topic, a rollback drops it; unknown is answered at once and changes nothing.
    func proposeEndTransaction(_ request: EndTransactionRequest, oneWay: Bool, client: ClientID, requestID: UInt64)
        throws(Violation)
    {
        guard core.role == .leader else {
            return refuse(
                errorResponse(for: .notLeader(leader: core.leader)), kind: .endTransaction, oneWay: oneWay,
                client: client, requestID: requestID)
        }
        if let full = diskFullRefusal() {
            return refuse(full, kind: .endTransaction, oneWay: oneWay, client: client, requestID: requestID)
        }
        switch request.outcome {
        case .unknown:
            if !oneWay { reply(.transactionEnded, to: client, requestID: requestID) }
        case .rollback:
            let command = Command.rollbackTransaction(TransactionRollback(half: request.half))
            if let problem = stateMachine.precheck(command) {
                return refuse(
                    ErrorResponse(code: .badRequest, message: problem.description), kind: .endTransaction,
                    oneWay: oneWay, client: client, requestID: requestID)
            }
            let bytes: [UInt8]
            do { bytes = try EntryPayload.encode(command) } catch {
                return refuse(
                    ErrorResponse(code: .badRequest, message: error.description), kind: .endTransaction,
                    oneWay: oneWay, client: client, requestID: requestID)
            }
            if let proposal = try propose(
                bytes, kind: .endTransaction, oneWay: oneWay, client: client, requestID: requestID)
            {
                proposalTail?.decided(request.half, at: proposal.index)
            }
        case .commit:
            let stamp = StoreStamp(storeTimestamp: now, storeHost: configuration.storeHost)
            try proposePlaced(kind: .endTransaction, oneWay: oneWay, client: client, requestID: requestID) {
                (tail, index, bodyPosition) throws(QueryError) in
                try stateMachine.planCommit(
                    half: request.half, stamp: stamp, tail: &tail, index: index, bodyPosition: bodyPosition)
            }
        }
    }
}

/// How a leader checks back undecided transactions (RocketMQ's broker settings).
public struct TransactionPolicy: Sendable, Hashable {
    /// `transactionTimeOut`: a half message is checked once it waited this long (6 s).
    public var timeoutMilliseconds: Int64 = 6_000
    /// `transactionCheckInterval`: between two checks of one half message (60 s).
    public var checkIntervalMilliseconds: Int64 = 60_000
    /// `transactionCheckMax`: checks before the half message is discarded (15).
    public var checkMax: Int32 = 15

    public init() {}
}

/// Ask a live producer of `producerGroup` what became of a half message (CHECK_TRANSACTION_STATE).
public struct TransactionCheckRequest: Sendable, Hashable {
    public var producerGroup: String
    /// The half message with its real topic and queue.
    public var message: StoredMessage

    public init(producerGroup: String, message: StoredMessage) {
        self.producerGroup = producerGroup
        self.message = message
    }
}
