#if canImport(Glibc)
    import Glibc
#endif

// Whole-file reads and writes, temporary directories and their removal: what the CLI's local
// groups, the benchmarks and the tests need, on plain system calls. (The stores do their file
// I/O through their own `FileSystem`, which adds the durability contract these do without.)

/// The whole contents of the file at `path`.
public func readFile(_ path: String) throws(SystemError) -> [UInt8] {
    let fd = try retryingInterrupts("open", subject: path) { open(path, O_RDONLY | O_CLOEXEC) }
    // Closing a descriptor that was only read from cannot lose data.
    defer { _ = close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let count = try retryingInterrupts("read", subject: path) {
            chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        }
        if count == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<count])
    }
}

/// Replaces the file at `path` with `bytes`. A file it creates gets `mode` (less the umask); an
/// existing file keeps its mode. Not atomic: for scratch and test files.
public func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
    let fd = try retryingInterrupts("open", subject: path) {
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    }
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + written, raw.count - written) }
        if count < 0 {
            if errno == EINTR { continue }
            let error = SystemError("write", subject: path, errno: errno)
            _ = close(fd)
            throw error
        }
        written += count
    }
    _ = try retryingInterrupts("close", subject: path) { close(fd) }
}

/// Sets the permission bits of the file at `path` to `mode`, whatever the umask (`chmod(2)`).
public func setPermissions(_ path: String, _ mode: mode_t) throws(SystemError) {
    _ = try retryingInterrupts("chmod", subject: path) { chmod(path, mode) }
}

/// Whether something exists at `path`. `access(2)` with `F_OK`.
public func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// A new empty directory under `$TMPDIR` (or `/tmp`) whose name starts with `prefix`. `mkdtemp(3)`.
public func makeTemporaryDirectory(prefix: String) throws(SystemError) -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard made != nil else { throw SystemError("mkdtemp", subject: base, errno: errno) }
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Deletes `path` and, for a directory, everything under it (`rm -rf`, without following
/// symbolic links). A missing `path` is fine.
public func removeTree(_ path: String) throws(SystemError) {
    var info = stat()
    if lstat(path, &info) != 0 {
        if errno == ENOENT { return }
        throw SystemError("lstat", subject: path, errno: errno)
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in try Directory.list(path) { try removeTree("\(path)/\(name)") }
        _ = try retryingInterrupts("rmdir", subject: path) { rmdir(path) }
    } else {
        _ = try retryingInterrupts("unlink", subject: path) { unlink(path) }
    }
}

/// The path of the running executable (`/proc/self/exe`).
public func currentExecutablePath() throws(SystemError) -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = try retryingInterrupts("readlink", subject: "/proc/self/exe") {
        buffer.withUnsafeMutableBufferPointer { readlink("/proc/self/exe", $0.baseAddress!, $0.count - 1) }
    }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// What changes when a file is rewritten or replaced: compared between two looks at a path to
/// tell whether it must be read again (a watched configuration file).
public struct FileStamp: Sendable, Hashable {
    /// `st_dev` and `st_ino`: a file renamed over the path has another inode.
    public var device: UInt64
    public var inode: UInt64
    /// `st_size`.
    public var size: Int64
    /// `st_mtim`, in nanoseconds since the epoch.
    public var modifiedNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
    }
}

/// The ``FileStamp`` of the file at `path`, following symbolic links (`stat(2)`).
public func fileStamp(_ path: String) throws(SystemError) -> FileStamp {
    var info = stat()
    if stat(path, &info) != 0 { throw SystemError("stat", subject: path, errno: errno) }
    return FileStamp(
        device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
        modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
}
