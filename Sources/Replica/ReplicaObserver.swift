import CommitLog
import LedgerModel
import Raft

/// A broken invariant, found by a checker watching a replica: which rule and what was seen.
package struct Violation: Error, Sendable {
    package var invariant: String
    package var details: String

    package init(_ invariant: String, _ details: String) {
        self.invariant = invariant
        self.details = details
    }
}

/// The simulator's window into a replica: called at the moment each step happens, so a
/// checker sees the disk exactly as it is when a message leaves or an entry applies. A hook
/// that throws aborts the event (the run has failed). Production replicas have no observer.
package protocol ReplicaObserver: AnyObject {
    /// The core handed out `ready`; nothing of it was done yet.
    func readyTaken(_ ready: Ready, by core: RaftCore) throws(Violation)
    /// `entries` are about to be written to the log store (possibly replacing a suffix).
    func willWrite(_ entries: [Entry]) throws(Violation)
    /// The store's durable state may have changed (a hard state saved, a truncation, a sync).
    func storageChanged(_ core: RaftCore) throws(Violation)
    /// A full disk refused the ready's writes: its entries from `index` on were not written
    /// (nil: they were, its hard state was not), and the core hands them out again later.
    func writesRefused(from index: LogIndex?, by core: RaftCore) throws(Violation)
    /// `message` is about to leave.
    func willSend(_ message: Message, by core: RaftCore) throws(Violation)
    /// The state machine is about to apply `entry`.
    func willApply(_ entry: Entry) throws(Violation)
    /// What the state machine is given for `entries` (a test may break it on purpose).
    func stateMachineInput(_ entries: [Entry]) -> [Entry]
    /// The state machine applied `entry` with `results`.
    func didApply(_ entry: Entry, results: [ApplyResult], stateMachine: CommitLogStateMachine) throws(Violation)
    /// Retention deleted the log before `firstIndex`; `forced`: before its messages expired (the
    /// disk was at or above `diskSpaceCleanForciblyRatio`).
    func didCompactLog(before firstIndex: LogIndex, forced: Bool) throws(Violation)
    /// A leader's snapshot replaced the log and the state machine (which now holds `snapshot`).
    func didInstall(_ snapshot: SnapshotMetadata, stateMachine: CommitLogStateMachine) throws(Violation)
    /// The core accepted `data` as `proposal` for a client's request.
    func proposed(_ proposal: Proposal, data: [UInt8], for client: ClientID, requestID: UInt64) throws(Violation)
    /// A quorum confirmed the leadership for a client's read at `index`.
    func readConfirmed(at index: LogIndex, for client: ClientID, requestID: UInt64) throws(Violation)
}
