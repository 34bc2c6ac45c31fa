import Posix
import Raft

/// Why a log-store operation failed. Each description says what happened, where (file,
/// position, index) and what the operator should do.
public enum LogStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file-system call failed while doing `action`.
    case io(SystemError, action: String)
    /// A record in the synced part of the log fails verification: not a torn tail, so it is
    /// never discarded silently. `offset` is within `file`; `position` is the absolute log position.
    case corruptRecord(file: String, offset: UInt64, position: UInt64, index: LogIndex, reason: String)
    /// A metadata file (hard state, checkpoint, index) is damaged.
    case corruptFile(path: String, reason: String)
    /// The directory's files contradict each other or the configuration (missing data file,
    /// wrong file size, unknown name).
    case inconsistentLayout(path: String, reason: String)
    /// An entry too large for one data file.
    case entryTooLarge(index: LogIndex, bytes: Int, limit: Int)
    /// An earlier sync or write failed; the store refuses all further work.
    case failed(cause: String)
    /// A write that changes nothing durable until it succeeds found the disk full (`ENOSPC`
    /// from a write, never from a sync): nothing was lost, the store goes on, and the same work
    /// may be tried again once space is freed.
    case outOfSpace(SystemError, action: String)

    public var description: String {
        switch self {
        case .io(let error, let action):
            "log store I/O error while \(action): \(error)"
        case .corruptRecord(let file, let offset, let position, let index, let reason):
            "corrupt log record in \(file) at offset \(offset) (log position \(position), index \(index)): \(reason); "
                + "records after it were synced, so this is not a torn tail — move the store directory aside and "
                + "let the node catch up from the leader, or restore it from a replica"
        case .corruptFile(let path, let reason):
            "corrupt log-store file \(path): \(reason); restore it from a replica or move the store directory aside"
        case .inconsistentLayout(let path, let reason):
            "log-store layout problem at \(path): \(reason); check the directory and the configured file sizes"
        case .entryTooLarge(let index, let bytes, let limit):
            "entry \(index) needs \(bytes) bytes but a data file holds at most \(limit); raise dataFileSize"
        case .outOfSpace(let error, let action):
            "log store found the disk full while \(action): \(error); nothing was lost, it is tried again later"
        case .failed(let cause):
            "log store stopped after an earlier failure (\(cause)); a failed fsync cannot be retried safely — "
                + "restart the node so recovery re-verifies the log"
        }
    }
}

extension Result {
    /// The success value, or the failure mapped through `transform` and thrown.
    func get<E: Error>(orThrow transform: (Failure) -> E) throws(E) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw transform(error)
        }
    }
}
