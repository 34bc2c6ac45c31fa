import CommitLog
import FileIO
import LedgerModel
import LogStore
import Posix
import Raft
import Replica

/// Why a node could not start or had to stop. Each reads as one line for the operator.
public enum ServerError: Error, CustomStringConvertible {
    /// A configuration value the runtime cannot use (exit code 2).
    case configuration(String)
    /// The node's own address is taken by another process (exit code 2).
    case addressInUse(address: String, source: String)
    /// The log store failed to open, read, write or sync; the node stops (exit code 1).
    case storage(LogStoreError)
    /// The Raft core could not read its log; the node stops (exit code 1).
    case raft(RaftError)
    /// The message state machine failed to open, recover or persist its files; the node stops
    /// (exit code 1).
    case stateMachine(CommitLogError)
    /// A system call the node cannot do without failed (exit code 1).
    case system(SystemError)

    /// The server error for a replica that stopped.
    init(_ failure: ReplicaFailure) {
        switch failure {
        case .storage(let error): self = .storage(error)
        case .raft(let error): self = .raft(error)
        case .stateMachine(let error): self = .stateMachine(error)
        }
    }

    public var description: String {
        switch self {
        case .configuration(let message): message
        case .addressInUse(let address, let source):
            "\(source): address \(address) is already in use (another node running?)"
        case .storage(let error): "log store: \(error)"
        case .raft(let error): "raft: \(error)"
        case .stateMachine(let error): "message store: \(error)"
        case .system(let error): error.description
        }
    }

    /// The process exit code for this failure: 2 for configuration problems, 1 otherwise.
    public var exitCode: Int32 {
        switch self {
        case .configuration, .addressInUse: 2
        case .storage, .raft, .stateMachine, .system: 1
        }
    }
}
