import CommitLog
import LedgerModel
import Raft

/// One simulated process: a `RaftCore` and a `CommitLogStateMachine` (while up) over a
/// ``DurableStore`` that outlives them, and the state the process keeps in memory.
final class SimNode {
    /// A proposal this incarnation accepted, waiting to be applied.
    struct PendingProposal {
        var proposal: Proposal
        /// The entry bytes proposed.
        var data: [UInt8]
        /// The proposal id of a raw append.
        var rawID: UInt64?
        /// The client (-1 for none) and its attempt.
        var client: Int
        var request: UInt64
    }

    /// A read this incarnation accepted, waiting for its read state.
    struct PendingRead {
        var context: [UInt8]
        var client: Int
        var request: UInt64
        /// Every write acknowledged before the read was issued sits at or below this index.
        var minimumIndex: LogIndex
    }

    let id: NodeID
    let index: Int
    let disk: any DurableStore
    /// Nil while the node is down.
    var core: RaftCore?
    /// Bumped by every crash, so events of a dead incarnation are ignored.
    var incarnation: UInt64 = 0
    var paused = false
    /// Bumped by every pause, so a stale resume does not end a later pause.
    var pauseEpoch: UInt64 = 0
    /// Events that reached the node while it was paused, in arrival order.
    var deferred: [Event] = []
    /// The readies whose synced write is in flight (nil: none).
    var inFlight: [Ready]?
    /// Readies taken while a write was in flight; the next write covers them.
    var awaitingWrite: [Ready] = []

    /// The last entry index of the readies in flight or waiting, if they hold entries.
    var lastHeldIndex: LogIndex? {
        ((inFlight ?? []) + awaitingWrite).compactMap { $0.entries.last?.index }.max()
    }
    /// The last index this incarnation's state machine applied.
    var applied: LogIndex = .zero
    var pendingProposals: [PendingProposal] = []
    var pendingReads: [PendingRead] = []
    /// Reads confirmed at an index the state machine has not applied yet.
    var parkedReads: [(read: PendingRead, index: LogIndex)] = []
    /// Nil while the node is down; reopened from its files at every start.
    var machine: CommitLogStateMachine?
    /// The applied index of the state machine's last persist begun (or of the checkpoint it
    /// reopened).
    var persistedIndex: LogIndex = .zero
    /// A persist begun and not yet performed: the node's persist thread, which finishes it at
    /// the node's next ready (so the machine applies and answers reads meanwhile). A crash
    /// loses it.
    var pendingPersist: PendingPersist?
    /// The address it stamps on the messages it proposes.
    var storeHost: HostAddress { WorkloadNames.storeHost(id) }

    init(id: NodeID, index: Int, disk: any DurableStore) {
        self.id = id
        self.index = index
        self.disk = disk
    }

    var isUp: Bool { core != nil }
    /// Up and not paused: it handles events now.
    var isRunning: Bool { core != nil && !paused }
}
