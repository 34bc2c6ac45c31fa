import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft

extension Replica {
    /// Whether a sync or a persist is under way; the owner reports their completion before it
    /// calls ``close(cleanly:)``.
    public var isWaitingForDisk: Bool { groupCommit.isSyncing || persistence.inFlight }

    /// Ends the replica: answers every waiting client (a write `outcomeUnknown` — its entry is
    /// in the log and a later leader may commit it; a read `notLeader`), then, when `cleanly`
    /// (no failure stopped it), saves the hard state, syncs and closes the log, and persists the
    /// state machine. These last writes block; they are the replica's only blocking calls.
    /// Call once, after the owner reported every sync and persist it had started (a replica
    /// that stopped on a failure writes nothing more).
    public func close(cleanly: Bool) throws(ReplicaFailure) {
        // A stopped replica ignores the completions its owner still reports; nothing of it is
        // written again.
        precondition(!cleanly || failure != nil || !isWaitingForDisk, "close() while a sync or persist is under way")
        let me = configuration.me.name
        for (index, write) in writes.takeAll() {
            let error = ErrorResponse(
                code: .outcomeUnknown,
                message:
                    "node \(me) is shutting down before entry \(index) committed; the next leader may still commit it")
            reply(.error(error, answering: write.kind), to: write.client, requestID: write.requestID)
        }
        let shuttingDown = ErrorResponse(
            code: .notLeader(leader: nil, leaderAddress: nil),
            message: "node \(me) is shutting down; retry on another node")
        for read in reads.takeAll() {
            reply(.error(shuttingDown, answering: read.query.kind), to: read.client, requestID: read.requestID)
        }
        guard cleanly, failure == nil else { return }
        do {
            try store.sync()
            try store.saveHardState(
                durableHardState(HardState(term: core.term, vote: core.vote, commit: core.commitIndex)))
            try store.close()
        } catch {
            throw .storage(error)
        }
        if stateMachine.appliedIndex > persistence.persistedIndex {
            do {
                try stateMachine.persist()
            } catch {
                throw .stateMachine(error)
            }
            persistence.begun()
            persistence.finished(PersistDone(index: stateMachine.appliedIndex, took: .zero))
        }
        log(.info, "message store: \(persistence.summary)")
        log(.info, "stopped cleanly at index \(store.lastIndex), commit \(core.commitIndex)")
    }
}
