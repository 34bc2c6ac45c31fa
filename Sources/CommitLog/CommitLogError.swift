import Bytes
import Glibc
import LedgerModel
import Posix

/// Why the state machine's files could not be opened or written. Says what and where: the
/// file, the physical offset, the configuration key. All of these stop the node.
public enum CommitLogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A configuration value out of range, or one the existing files were not written with.
    case invalidConfiguration(InvalidConfiguration)
    /// A file-system call failed.
    case fileSystem(SystemError)
    /// A commit-log record that does not decode or is out of place, at `offset` in the stream.
    case corruptRecord(file: String, offset: PhysicalOffset, DecodeError)
    /// The checkpoint does not decode or fails its CRC.
    case corruptCheckpoint(file: String, DecodeError)
    /// A state snapshot does not decode or fails its CRC.
    case corruptSnapshot(file: String, DecodeError)
    /// A file holds fewer bytes than the checkpoint says were made durable.
    case missingData(file: String, expectedBytes: Int64, foundBytes: Int64)
    /// A file in a store directory that this store did not write.
    case unexpectedFile(path: String, reason: String)
    /// The files disagree with the checkpoint (e.g. a queue's message count).
    case inconsistent(file: String, detail: String)
    /// The log the records live in could not be read.
    case log(String)
    /// The store was written by a build that kept a second copy of every message (checkpoint
    /// `version` 1 to 3); this one keeps one log and does not migrate.
    case olderLayout(file: String, version: UInt8)

    /// Whether a write found the disk full (`ENOSPC` from a write, not from a sync, whose
    /// failure may have dropped data): nothing was lost, and the same writes may be tried again
    /// once space is freed.
    public var isOutOfSpace: Bool {
        guard case .fileSystem(let error) = self else { return false }
        return error.isOutOfSpaceOnWrite
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let error): "\(error)"
        case .fileSystem(let error): "\(error)"
        case .corruptRecord(let file, let offset, let error):
            "corrupt commit-log record in \(file) at physical offset \(offset): \(error)"
        case .corruptCheckpoint(let file, let error): "corrupt checkpoint \(file): \(error)"
        case .corruptSnapshot(let file, let error): "corrupt state snapshot \(file): \(error)"
        case .missingData(let file, let expected, let found):
            "\(file) holds \(found) bytes but the checkpoint needs \(expected); restore it or wipe the node's store"
        case .unexpectedFile(let path, let reason): "unexpected file \(path): \(reason)"
        case .inconsistent(let file, let detail): "\(file) disagrees with the checkpoint: \(detail)"
        case .log(let detail): "reading a message record from the log: \(detail)"
        case .olderLayout(let file, let version):
            "\(file) (version \(version)) was written by an older build that stored every message twice; "
                + "this build keeps one log and does not migrate: wipe the node's storeBaseDir and let it "
                + "catch up from the group"
        }
    }
}
