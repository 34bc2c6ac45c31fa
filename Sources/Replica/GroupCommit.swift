import FileIO
import LogStore
import Raft

/// Group commit: the sync running on the owner's disk thread, and the readies waiting for a
/// sync. While one sync runs the replica keeps taking readies (their sends leave, their entries
/// reach the page cache, committed entries apply); what they may only send once durable waits
/// here, and the next sync covers all of them at once.
struct GroupCommit {
    /// The running sync and the readies it makes durable; nil when none runs.
    var inFlight: (waiting: [AwaitingSync], sync: PendingSync)?
    /// Readies written since the running sync began; the next sync covers them.
    var awaiting: [AwaitingSync] = []

    var isSyncing: Bool { inFlight != nil }
    /// Whether a ready taken now must wait for a sync before its durability promises leave.
    var isBusy: Bool { inFlight != nil || !awaiting.isEmpty }
}

/// What a handled ready still owes once its entries are durable: the core learns they are
/// (``lastEntry``), and the messages that promise durability (votes, append responses) leave.
struct AwaitingSync {
    /// The ready's last entry, if it had entries.
    let lastEntry: (index: LogIndex, term: Term)?
    let messagesAfterPersist: [Message]

    init(_ ready: Ready) {
        self.init(
            lastEntry: ready.entries.last.map { ($0.index, $0.term) }, messagesAfterPersist: ready.messagesAfterPersist)
    }

    init(lastEntry: (index: LogIndex, term: Term)?, messagesAfterPersist: [Message]) {
        self.lastEntry = lastEntry
        self.messagesAfterPersist = messagesAfterPersist
    }
}
