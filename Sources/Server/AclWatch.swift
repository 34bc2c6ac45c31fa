import LedgerConfig
import Posix

/// The ACL a node enforces and the file it came from. ``check()`` looks at the file's
/// inode, size and modification time and reads it again when they changed; a file that cannot
/// be used keeps the ACL in force. Runs on the event loop (a small stat per check; a read only
/// after a change).
struct AclWatch {
    let path: String
    /// The ACL in force.
    private(set) var current: AccessControlList
    /// What the file looked like when it was last read (or found unusable); nil when it could
    /// not be looked at.
    private var stamp: FileStamp?

    /// What a check found.
    enum Change: Equatable {
        /// Nothing new since the last check (including a bad file already reported).
        case unchanged
        /// The file changed and now holds this many accounts and white addresses.
        case reloaded(accounts: Int, whiteAddresses: Int)
        /// The file changed (or vanished) and cannot be used: the previous ACL stays.
        case unusable(String)
    }

    /// `initial` was read from `path` when it had `stamp`.
    init(path: String, initial: AccessControlList, stamp: FileStamp?) {
        self.path = path
        current = initial
        self.stamp = stamp
    }

    /// Reads the file again if it changed since the last check.
    mutating func check() -> Change {
        let now: FileStamp
        do {
            now = try fileStamp(path)
        } catch {
            guard stamp != nil else { return .unchanged }
            stamp = nil
            return .unusable("\(error)")
        }
        guard now != stamp else { return .unchanged }
        stamp = now
        do {
            current = try AccessControlList.load(path: path)
        } catch {
            return .unusable(error.description)
        }
        return .reloaded(accounts: current.accounts.count, whiteAddresses: current.globalWhiteRemoteAddresses.count)
    }
}
