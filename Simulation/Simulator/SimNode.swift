import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft
import Replica

/// One simulated process: a real ``Replica`` (while up) over a ``LogStoreDisk`` that outlives
/// it. As the replica's host it only collects actions; the cluster performs them once the
/// replica has finished handling the event (``Cluster/drive(_:_:)``).
final class SimNode: ReplicaHost {
    let id: NodeID
    let index: Int
    let disk: LogStoreDisk
    /// Nil while the node is down.
    var replica: Replica?
    /// This incarnation's checks (the replica's observer).
    var checks: NodeChecks?
    /// Bumped by every crash, so events of a dead incarnation are ignored.
    var incarnation: UInt64 = 0
    var paused = false
    /// Bumped by every pause, so a stale resume does not end a later pause.
    var pauseEpoch: UInt64 = 0
    /// Events that reached the node while it was paused, in arrival order.
    var deferred: [Event] = []
    /// The actions the replica asked for during the event being handled.
    var actions: [ReplicaAction] = []
    /// The sync the disk is running for this incarnation, if any.
    var syncInFlight: PendingSync?
    /// The persist the persist thread is running for this incarnation, if any.
    var persistInFlight: PendingPersist?
    /// With a processing cost model: the virtual time (µs) until which the node's loop is busy,
    /// and the entry bytes the event being handled made it write, read or apply.
    var busyUntilMicros: UInt64 = 0
    var workBytes = 0
    /// How full the node's disk is (basis points) until `diskFullUntil`, then back to 30 %;
    /// when the replica last measured it.
    var diskFillLevel: UInt16 = 3000
    var diskFullUntil = VirtualTime.zero
    var lastDiskMeasure = VirtualTime.zero

    init(id: NodeID, index: Int, disk: LogStoreDisk) {
        self.id = id
        self.index = index
        self.disk = disk
    }

    func perform(_ action: ReplicaAction) { actions.append(action) }

    var core: RaftCore? { replica?.core }
    var machine: CommitLogStateMachine? { replica?.stateMachine }
    var isUp: Bool { replica != nil }
    /// Up and not paused: it handles events now.
    var isRunning: Bool { replica != nil && !paused }
    /// What the node's state machine applied (zero while down).
    var applied: LogIndex { core?.appliedIndex ?? .zero }
    /// The address it stamps on the messages it proposes.
    var storeHost: HostAddress { WorkloadNames.storeHost(id) }
}
