import LedgerModel

/// Transactions (RocketMQ's half messages): a half message waits in
/// ``SystemTopic/transactionHalf``, invisible to consumers, until its producer commits it (a
/// move into its real topic, `CommitLogStateMachine+Moves.swift`) or rolls it back (a
/// ``Command/rollbackTransaction(_:)``). One left undecided past the transaction timeout is
/// checked back by the leader, each check counted through the log
/// (``Command/checkTransaction(_:)``), and dropped after the last allowed one.
extension CommitLogStateMachine {
    func applyRollback(_ rollback: TransactionRollback) -> ApplyResult {
        guard kinds.pending.removeValue(forKey: rollback.half) != nil else {
            return .rejected(.transactionNotPending(rollback.half))
        }
        runningDigest.fold(UInt8(0x52))
        runningDigest.fold(rollback.half.rawValue)
        return .transactionEnded(rollback.half, .rollback)
    }

    func applyCheck(_ check: TransactionCheck) -> ApplyResult {
        guard var transaction = kinds.pending[check.half] else { return .rejected(.transactionNotPending(check.half)) }
        guard transaction.checks == check.after else {
            return .rejected(.staleCheck(check.half, checks: transaction.checks, expected: check.after))
        }
        runningDigest.fold(UInt8(0x43))
        runningDigest.fold(check.half.rawValue)
        runningDigest.fold(check.at)
        if check.discard {
            kinds.pending[check.half] = nil
            runningDigest.fold(UInt8(1))
            return .transactionDiscarded(transaction)
        }
        transaction.checks += 1
        transaction.lastCheck = check.at
        kinds.pending[check.half] = transaction
        return .transactionChecked(transaction)
    }

    /// The half messages a leader checks back at `now`: waited `timeout` ms since stored and
    /// `interval` ms since their last check (the first check needs only the timeout), by offset.
    public func transactionsToCheck(now: Int64, timeout: Int64, interval: Int64) -> [PendingTransaction] {
        pendingInOrder(where: { transaction in
            now - transaction.storeTimestamp >= timeout
                && (transaction.checks == 0 || now - transaction.lastCheck >= interval)
        })
    }

    private func pendingInOrder(where include: (PendingTransaction) -> Bool) -> [PendingTransaction] {
        kinds.pending.keys.sorted().compactMap { kinds.pending[$0].flatMap { include($0) ? $0 : nil } }
    }

    /// A half message as its producer is asked about it (CHECK_TRANSACTION_STATE's body): its
    /// real topic and queue.
    public func halfMessageForCheck(at half: PhysicalOffset) throws(QueryError) -> StoredMessage {
        var message = try self.message(at: half)
        if let real = message.property(MessageProperty.realTopic) { message.topic = real }
        if let queue = message.property(MessageProperty.realQueueID).flatMap({ Int32($0) }) { message.queueID = queue }
        return message
    }
}
