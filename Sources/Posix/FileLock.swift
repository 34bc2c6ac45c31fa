#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive advisory lock on a file (`flock(LOCK_EX | LOCK_NB)`), held until the process
/// exits or ``release()`` is called. Keeps two processes from using one store directory.
public struct FileLock: Sendable {
    private let fd: Int32

    /// Creates `path` if needed and locks it. Throws ``SystemError`` with `EWOULDBLOCK` when
    /// another process holds the lock.
    public init(path: String) throws(SystemError) {
        let fd = try retryingInterrupts("open", subject: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        do {
            _ = try retryingInterrupts("flock", subject: path) { flock(fd, LOCK_EX | LOCK_NB) }
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        self.fd = fd
    }

    /// Releases the lock (closing the descriptor).
    public func release() { _ = Glibc.close(fd) }
}
