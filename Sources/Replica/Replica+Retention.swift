import CommitLog
import LedgerModel
import LogStore
import Raft

/// Retention (RocketMQ's `fileReservedTime`, `deleteWhen` and disk ratios, ``RetentionPolicy``):
/// the oldest data files of the log are deleted once a durable snapshot covers them.
///
/// A pass runs every ``retentionCheckMilliseconds``. The files it may delete end at one of the
/// state machine's snapshots (one is taken at every data file's end): a snapshot inside the
/// log, covered by the state machine's last completed persist and by the log's durable part,
/// and on a leader reached by every follower that is recently active (a live follower keeps
/// catching up from entries; one that is away gets the snapshot when it returns). Of those, the
/// newest expired one (its newest message older than `fileReservedTime`) is chosen when the hour
/// is a `deleteWhen` hour or the disk is at least `diskMaxUsedSpaceRatio` full; failing that, at
/// `diskSpaceCleanForciblyRatio` the oldest one, expired or not. The decision reads only the
/// replica's state and `now`, so the simulator reproduces it.
extension Replica {
    /// How often a retention pass runs.
    static let retentionCheckMilliseconds: Int64 = 1000

    func applyRetention() throws(Violation) {
        guard failure == nil, !groupCommit.isSyncing, !store.needsSync, incomingSnapshot?.offer == nil,
            let (target, reason) = retentionTarget()
        else { return }
        let before = (index: store.firstIndex, position: store.startPosition)
        do {
            let first = try store.dropPrefix(before: target.metadata.index.next)
            guard first == target.metadata.index.next else {
                return log(
                    .warning,
                    "retention could not delete the log before index \(target.metadata.index.next): "
                        + "the log now starts at \(first)")
            }
        } catch .outOfSpace(let error, _) {
            // Too full even for the checkpoint that must name the new first entry before any
            // file goes: nothing was deleted; the next pass tries again.
            if !retentionOutOfSpace {
                retentionOutOfSpace = true
                log(.warning, "retention could not delete the log before index \(target.metadata.index.next): \(error)")
            }
            return
        } catch {
            return stop(.storage(error))
        }
        retentionOutOfSpace = false
        do {
            try stateMachine.logCompacted(before: target.metadata.index.next)
        } catch {
            return stop(.stateMachine(error))
        }
        try observer?.didCompactLog(before: target.metadata.index.next, forced: reason == .forced)
        lastAppliedFile = lastAppliedFile ?? appliedFile()
        let deleted = store.startPosition - before.position
        retentionCounters.deletions[reason.label, default: 0] += 1
        retentionCounters.deletedBytes[reason.label, default: 0] += deleted
        log(
            reason == .forced ? .warning : .info,
            "retention (\(reason.rawValue)): deleted the log's entries \(before.index)...\(target.metadata.index) "
                + "(\(deleted) bytes of data files); the log now starts at index "
                + "\(store.firstIndex), position \(store.startPosition)")
    }

    enum RetentionReason: String {
        case expired = "expired at a deleteWhen hour"
        case diskFull = "expired, disk above diskMaxUsedSpaceRatio"
        case forced = "forced: disk above diskSpaceCleanForciblyRatio, deleting before expiry"

        /// The metric label (``RetentionCounters/reasons``).
        var label: String {
            switch self {
            case .expired: "expired"
            case .diskFull: "disk"
            case .forced: "forced"
            }
        }
    }

    /// The snapshot to delete the log up to, and why; nil when nothing may or need go.
    func retentionTarget() -> (SnapshotInfo, RetentionReason)? {
        let policy = configuration.retention
        var limit = min(persistence.persistedIndex, store.durableIndex, store.lastIndex.previous)
        if core.role == .leader {
            for follower in core.status.followers where follower.recentlyActive {
                limit = min(limit, follower.match)
            }
        }
        // A message held back (delayed, or a transaction's half) must stay readable until it moves on.
        let held: PhysicalOffset?
        do {
            held = try stateMachine.oldestHeldOffset()
        } catch {
            log(.warning, "retention skipped: cannot read where the held messages are: \(error)")
            return nil
        }
        let heldPosition = held.map { UInt64($0.rawValue) } ?? UInt64.max
        let candidates = stateMachine.snapshots.filter {
            $0.metadata.index >= store.firstIndex && $0.metadata.index <= limit && $0.logPosition <= heldPosition
        }
        guard !candidates.isEmpty else { return nil }
        let used = Int(diskUsedBasisPoints ?? 0) / 100
        let expired = candidates.last { $0.lastStoreTimestamp + policy.fileReservedMilliseconds <= now }
        if let expired {
            if used >= policy.diskMaxUsedSpaceRatio { return (expired, .diskFull) }
            if policy.isDeleteHour(now: now) { return (expired, .expired) }
        }
        if used >= policy.diskSpaceCleanForciblyRatio { return (candidates[0], .forced) }
        return nil
    }
}
