import LedgerModel
import LogStore
import Raft

/// The log's writes while the store's disk refuses them (`ENOSPC` appending entries or saving
/// the hard state): what this node may not send until they are written, and when it tries again.
struct RefusedLogWrites {
    /// When the first write was refused.
    let since: Int64
    /// The refusal, for answers and log lines.
    var error: LogStoreError
    /// When writes were last tried (the refusal, or a retry).
    var lastAttempt: Int64
    /// The `messagesAfterPersist` of the readies taken since, in order: they may acknowledge
    /// entries or grant votes this node has not made durable. Bounded; the oldest go first (a
    /// lost message, which Raft tolerates).
    var heldMessages: [Message] = []

    /// How many held messages are kept at most.
    static let maxHeldMessages = 4096

    mutating func hold(_ messages: [Message]) {
        heldMessages.append(contentsOf: messages)
        if heldMessages.count > Self.maxHeldMessages {
            heldMessages.removeFirst(heldMessages.count - Self.maxHeldMessages)
        }
    }
}

extension Replica {
    /// How often a node whose log writes were refused tries again, and a leader that cannot
    /// write looks for a member to hand leadership to.
    static let fullDiskRetryMilliseconds: Int64 = 1000

    /// The store refused the outstanding `ready`'s writes for a full disk: its entries (unless
    /// `entriesWritten`) and its hard state stay in the core's memory, not durable and not
    /// acknowledged, until a retry writes them; its durability promises wait for that too.
    /// The node keeps running: it serves reads and status, refuses writes, and a leader hands
    /// leadership to a member that can write.
    func logWritesRefused(_ ready: Ready, entriesWritten: Bool, _ error: LogStoreError) throws(Violation) {
        let unwritten = entriesWritten ? nil : ready.entries.first?.index
        core.writesFailed(from: unwritten, saved: store.hardState)
        try observer?.writesRefused(from: unwritten, by: core)
        if entriesWritten, let last = ready.entries.last {
            groupCommit.awaiting.append(AwaitingSync(lastEntry: (last.index, last.term), messagesAfterPersist: []))
        }
        if var refused = refusedLogWrites {
            refused.error = error
            refused.lastAttempt = now
            refused.hold(ready.messagesAfterPersist)
            refusedLogWrites = refused
            return
        }
        var refused = RefusedLogWrites(since: now, error: error, lastAttempt: now)
        refused.hold(ready.messagesAfterPersist)
        refusedLogWrites = refused
        retentionCounters.logWritesRefused += 1
        log(
            .warning,
            "refusing writes: \(error); entries from index \(core.persistedIndex.next) stay in memory, "
                + "unacknowledged, and are written once space is freed")
        handOffLeadershipIfUnwritable()
    }

    /// A ready taken while log writes are held: it wrote nothing, so what it would promise waits.
    func holdPromises(of ready: Ready) {
        refusedLogWrites?.hold(ready.messagesAfterPersist)
    }

    /// The retry's ready was written: what every held ready promised leaves after the sync that
    /// makes this one durable, in order.
    func logWritesResumed(_ ready: Ready) {
        guard let refused = refusedLogWrites else { return }
        refusedLogWrites = nil
        groupCommit.awaiting.append(AwaitingSync(ready))
        groupCommit.awaiting.append(AwaitingSync(lastEntry: nil, messagesAfterPersist: refused.heldMessages))
        stepSnapshotOfferIfIdle()
        log(
            .info,
            "writing the log again after \(now - refused.since) ms: accepting writes unless a disk is still "
                + "above diskSpaceWarningLevelRatio")
    }

    /// Once a second while log writes are refused: lets the next ready try them again, and a
    /// leader that cannot write hands leadership on.
    func retryRefusedLogWrites() {
        guard var refused = refusedLogWrites, core.writesHeld,
            now - refused.lastAttempt >= Self.fullDiskRetryMilliseconds
        else { return }
        refused.lastAttempt = now
        refusedLogWrites = refused
        core.resumeWrites()
        handOffLeadershipIfUnwritable()
    }

    /// A leader whose own disk cannot take writes (a refused log write, or at or above
    /// `diskSpaceWarningLevelRatio`) hands leadership to the recently active member whose log
    /// reaches furthest among those not reporting a disk that full (one that did not report
    /// lately counts as writable, as in ``diskFullRefusal()``); with none, it stays and refuses
    /// writes.
    func handOffLeadershipIfUnwritable() {
        guard core.role == .leader, !isWritable else { return }
        let status = core.status
        guard status.transferTarget == nil else { return }
        let full = Set(peerDiskUsage.filter { $0.basisPoints >= warningBasisPoints }.map(\.name))
        var best: FollowerStatus?
        for follower in status.followers where follower.recentlyActive {
            guard let member = configuration.member(follower.id), !full.contains(member.name) else { continue }
            if best.map({ follower.match > $0.match }) ?? true { best = follower }
        }
        guard let target = best else { return }
        log(.warning, "handing leadership to node \(name(target.id)): this node's disk cannot take writes")
        do {
            try core.transferLeadership(to: target.id)
        } catch {
            log(.warning, "cannot hand leadership to node \(name(target.id)): \(error)")
        }
    }

    /// `diskSpaceWarningLevelRatio` in hundredths of a percent.
    var warningBasisPoints: UInt16 { UInt16(configuration.diskSpaceWarningLevelRatio * 100) }
}
