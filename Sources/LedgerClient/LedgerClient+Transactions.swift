import LedgerModel
import Wire

extension LedgerClient {
    /// Decides the transaction whose half message is stored at `half` (the physical offset its
    /// send returned; RocketMQ's END_TRANSACTION): `.commit` moves the message into its real
    /// topic and queue, `.rollback` drops it, `.unknown` leaves it to the leader's check backs.
    /// `producerGroup` is the half message's `PGROUP`. Returns once the decision is applied on
    /// the leader.
    ///
    /// Not idempotent across attempts: when an attempt is applied but its answer lost, the
    /// client's retry finds the half message decided and throws
    /// ``LedgerClientError/rejected(node:message:)`` ("not pending"), which is also the answer
    /// for a half message rolled back, committed or discarded before. Treat that rejection after
    /// a leader change or timeout as an unknown outcome.
    public func endTransaction(half: PhysicalOffset, outcome: TransactionOutcome, producerGroup: String)
        throws(LedgerClientError)
    {
        let request = EndTransactionRequest(half: half, outcome: outcome, producerGroup: producerGroup)
        try ask("end transaction", .endTransactionRequest(request), write: true) {
            if case .endTransactionResponse = $0 { () } else { nil }
        }
    }
}
