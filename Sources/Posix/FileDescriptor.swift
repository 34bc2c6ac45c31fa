#if canImport(Glibc)
    import Glibc
#endif

/// An open file: its descriptor and the path it was opened with, so every error names the file.
/// A plain value, like swift-system's `FileDescriptor`: copies share the descriptor, and
/// ``close()`` must be called exactly once. Each method is one system call (or a loop of them),
/// named in its documentation and in the ``SystemError`` it throws.
public struct FileDescriptor: Sendable, Hashable {
    /// The descriptor number.
    public let rawValue: Int32
    /// The path the file was opened with, for error messages.
    public let path: String

    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// Opens `path` read-write (`open(2)` with `O_RDWR | O_CLOEXEC`, plus `O_CREAT` and mode
    /// 0644 when `create` is true), retrying on `EINTR`. Fails with `ENOENT` if it does not exist
    /// and `create` is false.
    public static func open(_ path: String, create: Bool) throws(SystemError) -> FileDescriptor {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = try retryingInterrupts("open", subject: path) { Glibc.open(path, flags, mode_t(0o644)) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// Opens `path` for reading only (`open(2)` with `O_RDONLY | O_CLOEXEC`), retrying on `EINTR`:
    /// for files the process may read but not write, such as an owner-read-only secret.
    public static func openReadOnly(_ path: String) throws(SystemError) -> FileDescriptor {
        let fd = try retryingInterrupts("open", subject: path) { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// `close(2)`. Never retried: Linux releases the descriptor even when close reports `EINTR`,
    /// so that error is not one.
    public func close() throws(SystemError) {
        if Glibc.close(rawValue) != 0 && errno != EINTR { throw SystemError("close", subject: path, errno: errno) }
    }

    /// Writes all of `bytes` at `offset` (`pwrite(2)`, looping over partial writes and `EINTR`),
    /// extending the file if needed. A call that writes nothing is reported as `ENOSPC`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(rawValue, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                throw SystemError("pwrite", subject: path, errno: ENOSPC)
            } else if errno != EINTR {
                throw SystemError("pwrite", subject: path, errno: errno)
            }
        }
    }

    /// Reads up to `buffer.count` bytes at `offset` (`pread(2)`, looping over partial reads and
    /// `EINTR`) and returns how many were read: fewer only at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(rawValue, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw SystemError("pread", subject: path, errno: errno)
            }
        }
        return done
    }

    /// Makes the file's data and size durable (`fdatasync(2)`). Not retried: fdatasync is not
    /// interrupted by signals on Linux, and after a failure the page cache may already have
    /// dropped the dirty pages, so the caller must stop.
    public func synchronizeData() throws(SystemError) {
        if fdatasync(rawValue) != 0 { throw SystemError("fdatasync", subject: path, errno: errno) }
    }

    /// Sets the file's size (`ftruncate(2)`, retrying on `EINTR`); bytes past the old end read
    /// as zero.
    public func truncate(to size: Int64) throws(SystemError) {
        _ = try retryingInterrupts("ftruncate", subject: path) { ftruncate(rawValue, off_t(size)) }
    }

    /// Reserves blocks so the file is at least `size` bytes (`posix_fallocate(3)`); new bytes
    /// read as zero. Where the file system cannot reserve blocks (`EOPNOTSUPP`, `EINVAL`), a
    /// sparse extension with ``truncate(to:)`` reads the same.
    public func allocate(size: Int64) throws(SystemError) {
        let code = posix_fallocate(rawValue, 0, off_t(size))
        if code == 0 { return }
        if code == EOPNOTSUPP || code == EINVAL {
            if try self.size() < size { try truncate(to: size) }
            return
        }
        throw SystemError("fallocate", subject: path, errno: code)
    }

    /// What `fstat(2)` says about the open file: its type, permission bits and size.
    public func status() throws(SystemError) -> FileStatus {
        var info = stat()
        if fstat(rawValue, &info) != 0 { throw SystemError("fstat", subject: path, errno: errno) }
        return FileStatus(
            isRegularFile: (info.st_mode & S_IFMT) == S_IFREG, permissions: UInt32(info.st_mode & 0o7777),
            size: Int64(info.st_size))
    }

    /// The file's current size in bytes (`fstat(2)`).
    public func size() throws(SystemError) -> Int64 {
        var info = stat()
        if fstat(rawValue, &info) != 0 { throw SystemError("fstat", subject: path, errno: errno) }
        return Int64(info.st_size)
    }
}

/// The part of `stat(2)`'s answer the node checks before it trusts a file.
public struct FileStatus: Sendable, Hashable {
    /// Whether it is a regular file (not a directory, device, socket or pipe).
    public var isRegularFile: Bool
    /// The permission bits, `st_mode & 0o7777` (e.g. `0o600`).
    public var permissions: UInt32
    /// Bytes in the file.
    public var size: Int64

    public init(isRegularFile: Bool, permissions: UInt32, size: Int64) {
        self.isRegularFile = isRegularFile
        self.permissions = permissions
        self.size = size
    }
}
