import LedgerModel
import Raft

/// Orderly consumers' queue locks (LOCK_BATCH_MQ and UNLOCK_BATCH_MQ, our `lockQueues` and
/// `unlockQueues`): the leader's own table (``QueueLocks``), not replicated, answered at once.
/// A node that does not lead refuses (the client re-routes); a new term starts an empty table,
/// so a node leading again never trusts locks it granted before another leader's.
extension Replica {
    func answerLock(_ request: QueueLockRequest, unlocking: Bool, client: ClientID, requestID: UInt64) {
        let kind: RequestKind = unlocking ? .unlockQueues : .lockQueues
        guard core.role == .leader else {
            return reply(
                .error(errorResponse(for: .notLeader(leader: core.leader)), answering: kind), to: client,
                requestID: requestID)
        }
        if queueLocksTerm != core.term {
            queueLocks.removeAll()
            queueLocksTerm = core.term
        }
        if unlocking {
            queueLocks.unlock(request)
            reply(.queuesUnlocked, to: client, requestID: requestID)
        } else if configuration.brokenRules.contains(.sharedQueueLocks) {
            reply(.queuesLocked(request.queues), to: client, requestID: requestID)
        } else {
            reply(.queuesLocked(queueLocks.lock(request, now: now)), to: client, requestID: requestID)
        }
    }
}
