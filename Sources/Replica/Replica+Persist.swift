import CommitLog
import LedgerModel
import LogStore
import Raft

extension Replica {
    /// Begins a persist when enough was applied since the last one (entries or bytes held in
    /// memory); the periodic one comes with the ticks.
    func persistIfDue() {
        if persistence.appliedSince >= configuration.persistEveryEntries
            || stateMachine.unpersistedBytes >= configuration.persistEveryBytes
        {
            beginPersist()
        }
    }

    /// Starts persisting what the state machine applied since the last persist, unless one is
    /// under way: the state machine hands over the new bytes, the owner's persist thread
    /// writes, syncs them and replaces the checkpoint (``ReplicaAction/persist(_:)``), and the
    /// state machine drops them from memory once that completed.
    /// The records the indexes point at live in the log, so a checkpoint may cover only entries
    /// the log holds durably: until a sync catches up, the persist waits.
    func beginPersist() {
        guard failure == nil, !persistence.inFlight, incomingSnapshot?.offer == nil,
            stateMachine.appliedIndex > persistence.persistedIndex,
            stateMachine.appliedIndex <= store.durableIndex
        else {
            return
        }
        let pending: PendingPersist?
        do {
            pending = try stateMachine.beginPersist()
        } catch {
            return stop(.stateMachine(error))
        }
        guard let pending else { return }
        persistence.begun()
        host.perform(.persist(pending))
    }

    /// The owner's persist thread finished a persist, or failed it: a full disk leaves what it
    /// had in memory for a later persist (the log holds every entry it covers, so nothing is
    /// lost); any other failure stops the replica.
    func persistFinished(_ outcome: Result<PersistDone, CommitLogError>) {
        switch outcome {
        case .success(let done):
            stateMachine.completePersist(through: done.index)
            persistence.finished(done)
            if persistence.outOfSpace {
                persistence.outOfSpace = false
                log(.info, "persisted the message store's indexes again through index \(done.index)")
            }
            if done.took > .seconds(1) {
                log(
                    .warning,
                    "syncing the message store through index \(done.index) took \(done.took) (the disk is slow)")
            }
        case .failure(let error) where error.isOutOfSpace:
            persistence.inFlight = false
            stateMachine.abandonPersist()
            if !persistence.outOfSpace {
                persistence.outOfSpace = true
                log(
                    .warning,
                    "cannot persist the message store's indexes: \(error); they stay in memory (the log holds "
                        + "every entry) and are persisted once space is freed")
            }
        case .failure(let error):
            persistence.inFlight = false
            stop(.stateMachine(error))
        }
        stepSnapshotOfferIfIdle()
    }
}
