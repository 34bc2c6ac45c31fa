import Posix
import Raft
import Remoting
import Replica

/// LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42): orderly consumers' queue locks, held by the
/// leader's front end (``QueueLocks``), not replicated; our own protocol's `lockQueues` and
/// `unlockQueues` share the table (`LedgerServer+ConsumerGroups.swift`). A node that does not
/// lead answers SERVICE_NOT_AVAILABLE (the client re-routes, as for a send); a new term starts
/// an empty table, so a node leading again never trusts locks granted before another leader's.
extension LedgerServer {
    func lockQueues(_ request: LockBatchRequest, answering command: RemotingCommand) -> RemotingCommand {
        if let refusal = refuseUnlessLeading(command) { return refusal }
        let held = queueLocks.lock(request, now: WallClock.nowMilliseconds())
        return .response(to: command, body: LockBatchRequest.lockedBody(held)[...])
    }

    func unlockQueues(_ request: LockBatchRequest, answering command: RemotingCommand) -> RemotingCommand {
        if let refusal = refuseUnlessLeading(command) { return refusal }
        queueLocks.unlock(request)
        return .response(to: command)
    }

    private func refuseUnlessLeading(_ command: RemotingCommand) -> RemotingCommand? {
        guard replica.isLeader else {
            return .response(
                to: command, code: .serviceNotAvailable,
                remark: "node \(options.replica.me.name) does not lead: queue locks are held by the leader")
        }
        startQueueLocksTerm()
        return nil
    }

    /// Empties the lock table when this leader has not granted a lock in its current term yet,
    /// so locks granted in an earlier term (before another leader's) are never trusted. Call
    /// before reading or changing ``queueLocks``, on the leader only.
    func startQueueLocksTerm() {
        if queueLocksTerm != replica.term {
            queueLocks.removeAll()
            queueLocksTerm = replica.term
        }
    }
}
