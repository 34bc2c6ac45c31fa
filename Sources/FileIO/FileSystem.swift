import Posix

/// An open file handed out by a ``FileSystem``: the descriptor plus the path it was opened
/// with, so every error can name the file. Like swift-system's `FileDescriptor`, it is a plain
/// value: close it explicitly with ``FileSystem/close(_:)``.
public struct OpenFile: Sendable, Hashable {
    /// The descriptor (a real fd for ``RealFileSystem``, a simulated one otherwise).
    public let descriptor: Int32
    /// The path the file was opened with.
    public let path: String

    public init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }
}

/// A call of the ``FileSystem`` protocol, named after the C function it wraps: the operation a
/// ``SystemError`` from a file system names, and what ``SimulatedFileSystem`` injects faults into.
public enum FileOperation: String, Sendable, Hashable {
    case open
    case close
    case write = "pwrite"
    case read = "pread"
    case sync = "fdatasync"
    case truncate = "ftruncate"
    case allocate = "fallocate"
    case size = "fstat"
    case rename
    case unlink
    case listDirectory = "readdir"
    case syncDirectory = "fsync(directory)"
    case makeDirectory = "mkdir"
}

/// Every file operation the stores perform (the log store and the message store). They never
/// touch files any other way, so ``SimulatedFileSystem`` can stand in for ``RealFileSystem`` and
/// replay crashes and faults deterministically. Every failure is a `SystemError` naming the
/// call (``FileOperation``'s raw value), the path and the errno.
///
/// Durability contract (POSIX, and what the simulation enforces): written bytes and size
/// changes survive a crash only after ``sync(_:)`` of that file; creating, renaming or
/// unlinking a name survives only after ``syncDirectory(_:)`` of its directory.
public protocol FileSystem: AnyObject {
    /// Opens `path` read-write (`open(2)` with `O_RDWR | O_CLOEXEC`, plus `O_CREAT` when
    /// `create` is true). Fails with `ENOENT` if it does not exist and `create` is false.
    func open(_ path: String, create: Bool) throws(SystemError) -> OpenFile
    /// Closes the descriptor (`close(2)`); the handle must not be used afterwards.
    func close(_ file: OpenFile) throws(SystemError)
    /// Writes all of `bytes` at `offset` (`pwrite(2)`, looping over partial writes and
    /// `EINTR`), extending the file if needed. Not durable until ``sync(_:)``.
    func write(_ file: OpenFile, at offset: Int64, bytes: UnsafeRawBufferPointer) throws(SystemError)
    /// Reads up to `buffer.count` bytes at `offset` (`pread(2)`, looping over partial reads
    /// and `EINTR`) and returns how many were read: fewer only at end of file.
    func read(_ file: OpenFile, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError)
        -> Int
    /// Makes the file's data and size durable (`fdatasync(2)`). A failure leaves the file's
    /// durable contents unknown: callers must stop, not retry.
    func sync(_ file: OpenFile) throws(SystemError)
    /// Sets the file's size (`ftruncate(2)`); bytes past the old end read as zero.
    func truncate(_ file: OpenFile, to size: Int64) throws(SystemError)
    /// Reserves space so the file is at least `size` bytes (`posix_fallocate(3)`); new bytes
    /// read as zero.
    func allocate(_ file: OpenFile, size: Int64) throws(SystemError)
    /// The file's current size in bytes (`fstat(2)`).
    func size(of file: OpenFile) throws(SystemError) -> Int64
    /// Atomically replaces `destination` with `source` (`rename(2)`); durable after
    /// ``syncDirectory(_:)`` of the directory.
    func rename(_ source: String, to destination: String) throws(SystemError)
    /// Removes the name (`unlink(2)`); durable after ``syncDirectory(_:)``.
    func unlink(_ path: String) throws(SystemError)
    /// The names in a directory, without `.` and `..`, sorted.
    func listDirectory(_ path: String) throws(SystemError) -> [String]
    /// Makes the directory's entries durable (`fsync(2)` on the directory).
    func syncDirectory(_ path: String) throws(SystemError)
    /// Creates a directory (`mkdir(2)`, mode 0755); succeeds if it already exists.
    func makeDirectory(_ path: String) throws(SystemError)
}

extension FileSystem {
    /// Writes all of `bytes` at `offset`; see ``FileSystem/write(_:at:bytes:)``.
    public func write(_ file: OpenFile, at offset: Int64, _ bytes: [UInt8]) throws(SystemError) {
        try withRawBytes(bytes) { (raw) throws(SystemError) in try write(file, at: offset, bytes: raw) }
    }

    /// Reads up to `count` bytes at `offset`; the result is shorter only at end of file.
    public func read(_ file: OpenFile, at offset: Int64, count: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try withMutableRawBytes(&bytes) { (raw) throws(SystemError) in
            try read(file, at: offset, into: raw)
        }
        if got < count { bytes.removeSubrange(got...) }
        return bytes
    }

    /// True if `name` exists in `directory`.
    public func exists(_ name: String, in directory: String) throws(SystemError) -> Bool {
        try listDirectory(directory).contains(name)
    }
}

/// `withUnsafeBytes` with a typed error (the standard library's rethrows loses the type).
@inlinable
package func withRawBytes<R, E: Error>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R
{
    let result: Result<R, E> = bytes.withUnsafeBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// `withUnsafeMutableBytes` with a typed error.
@inlinable
package func withMutableRawBytes<R, E: Error>(
    _ bytes: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
) throws(E) -> R {
    let result: Result<R, E> = bytes.withUnsafeMutableBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// The directory part of `path` (`/` for a top-level name, `.` for a bare name).
package func parentDirectory(of path: String) -> String {
    let utf8 = path.utf8
    guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
    return slash == utf8.startIndex ? "/" : String(path[..<slash])
}
