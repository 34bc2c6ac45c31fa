import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft

/// What a replica asks its owner to do, in the order it must happen.
///
/// The replica writes entries, hard state and applied messages to the page cache itself,
/// through the ``FileSystem`` its log store and state machine were opened on (the seam the
/// simulator replaces); everything that blocks on the disk or the network is an action.
public enum ReplicaAction: Sendable {
    /// Send a Raft message to its `to` peer. Dropping it when the peer is unreachable is fine
    /// (Raft retransmits).
    case send(Message)
    /// Send a piece of a state snapshot to its `to` peer (a leader answering the core's
    /// InstallSnapshot offer). Like a Raft message, dropping it is fine: the offer is repeated.
    case sendSnapshot(SnapshotChunk)
    /// Write the queued peer messages to the network now: the replica is about to write its own
    /// entries, and followers should start theirs meanwhile. A hint; ignoring it is correct.
    case transmit
    /// Answer request `requestID` of `client`. Dropped by the owner when the client is gone.
    case reply(ClientReply, to: ClientID, requestID: UInt64)
    /// Run this sync's fdatasyncs (on a disk thread), then report ``ReplicaEvent/syncCompleted(_:)``.
    case sync(PendingSync)
    /// Write and sync this state-machine persist (on a persist thread), then report
    /// ``ReplicaEvent/persistCompleted(_:)``.
    case persist(PendingPersist)
    /// Ask a live producer of the group about a half message (a leader, after counting a check
    /// back). Dropping it is fine: the next check asks again.
    case checkTransaction(TransactionCheckRequest)
    /// A line for the node's log.
    case log(ReplicaLogLevel, String)
    /// The replica cannot go on: it ignores every later event. The owner stops the node.
    case stop(ReplicaFailure)
}

public enum ReplicaLogLevel: Sendable {
    case info, warning, error
}

/// Performs a replica's actions. Called synchronously while the replica handles an event;
/// it must not call back into the replica.
public protocol ReplicaHost: AnyObject {
    func perform(_ action: ReplicaAction)
}

/// Why a replica stopped. Each reads as one line for the operator.
public enum ReplicaFailure: Error, Sendable, CustomStringConvertible {
    /// The log store failed to write, sync or read.
    case storage(LogStoreError)
    /// The Raft core could not read its log (a storage failure seen through the core).
    case raft(RaftError)
    /// The message state machine failed to persist.
    case stateMachine(CommitLogError)

    public var description: String {
        switch self {
        case .storage(let error): "log store: \(error)"
        case .raft(let error): "raft: \(error)"
        case .stateMachine(let error): "message store: \(error)"
        }
    }
}
