import CommitLog
import FileIO
import LedgerModel
import LogStore
import Posix
import Raft

/// What happens to a replica. The owner turns sockets, timers and threads (or the simulator's
/// virtual network and disks) into these, and hands them over one at a time with the time
/// they happened: ``Replica/handle(_:now:)``, then ``Replica/settle(now:)`` once per batch.
public enum ReplicaEvent: Sendable {
    /// One Raft tick (the owner's `tickMs` passed). Also expires long polls and starts the
    /// periodic persist and, under ASYNC_FLUSH, the periodic sync.
    case tick
    /// A Raft message from an authenticated peer.
    case peerMessage(Message)
    /// A piece of a leader's state snapshot from an authenticated peer.
    case snapshotChunk(SnapshotChunk)
    /// Messages sent to `peer` may have been lost (its connection broke, or could take no more):
    /// a leader resumes replicating to it from what it acknowledged.
    case peerUnreachable(NodeID)
    /// A client request, decoded by a front end.
    case request(ClientRequest, from: ClientID, requestID: UInt64)
    /// The sync the replica asked for with ``ReplicaAction/sync(_:)`` finished (or failed: the
    /// replica stops; an fsync is never retried).
    case syncCompleted(Result<Void, SystemError>)
    /// The persist asked for with ``ReplicaAction/persist(_:)`` finished (or failed: the replica
    /// stops).
    case persistCompleted(Result<PersistDone, CommitLogError>)
    /// The client's connection closed: nothing more is answered to it.
    case clientGone(ClientID)
}

/// What a finished persist reports: the applied index now durable in the state machine's
/// files, and how long the persist thread took.
public struct PersistDone: Sendable {
    public var index: LogIndex
    public var took: Duration

    public init(index: LogIndex, took: Duration) {
        self.index = index
        self.took = took
    }
}
