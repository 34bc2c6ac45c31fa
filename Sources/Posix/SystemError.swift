#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: which call, on what, and the errno it returned. The project's one
/// errno error: sockets, files and directories, whether real or simulated, report this.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failing call, e.g. `connect`.
    public var operation: String
    /// What it was applied to (an address, a path), for the message.
    public var subject: String
    /// The error number the call returned or left in `errno`.
    public var errno: Int32

    public init(_ operation: String, subject: String = "", errno: Int32) {
        self.operation = operation
        self.subject = subject
        self.errno = errno
    }

    /// The C library's text for `errno`, e.g. "Connection refused".
    public var reason: String { String(cString: strerror(errno)) }

    /// Whether a write found the disk full: `ENOSPC` from a call that is not a sync (after a
    /// failed sync the kernel may have dropped dirty pages, so that one is never retried). Such
    /// a write changed nothing durable and may be tried again once space is freed.
    public var isOutOfSpaceOnWrite: Bool {
        errno == ENOSPC && !["fsync", "fdatasync", "fsync(directory)"].contains(operation)
    }

    public var description: String {
        subject.isEmpty ? "\(operation): \(reason)" : "\(operation) \(subject): \(reason)"
    }
}

/// Runs `call`, retrying on EINTR; a -1 result throws ``SystemError`` with the current errno.
@inlinable
public func retryingInterrupts<T: BinaryInteger>(
    _ operation: String, subject: @autoclosure () -> String = "", _ call: () -> T
) throws(SystemError) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(operation, subject: subject(), errno: code)
    }
}
