#if canImport(Glibc)
    import Glibc
#endif

/// Creates `path` and any missing parents (`mkdir -p`); existing directories are fine.
public func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
        prefix += component
        if mkdir(prefix, mode) != 0 && errno != EEXIST {
            throw SystemError("mkdir", subject: prefix, errno: errno)
        }
        prefix += "/"
    }
}

/// The calls that change or read a directory's entries. Creating, renaming or removing a name
/// survives a crash only after ``sync(_:)`` of its directory.
public enum Directory {
    /// Creates the directory `path` (`mkdir(2)`, mode 0755); succeeds if it already exists.
    public static func make(_ path: String) throws(SystemError) {
        if mkdir(path, mode_t(0o755)) != 0 && errno != EEXIST {
            throw SystemError("mkdir", subject: path, errno: errno)
        }
    }

    /// The names in the directory `path`, without `.` and `..`, sorted (`opendir(3)`,
    /// `readdir(3)`).
    public static func list(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError("readdir", subject: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemError("readdir", subject: path, errno: errno) }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Makes the directory's entries durable (`fsync(2)` on the directory opened read-only).
    public static func sync(_ path: String) throws(SystemError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw SystemError("fsync(directory)", subject: path, errno: errno) }
        defer { Glibc.close(fd) }
        if fsync(fd) != 0 { throw SystemError("fsync(directory)", subject: path, errno: errno) }
    }

    /// Atomically replaces `destination` with `source` (`rename(2)`).
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        if Glibc.rename(source, destination) != 0 {
            throw SystemError("rename", subject: "\(source) -> \(destination)", errno: errno)
        }
    }

    /// Removes the name `path` (`unlink(2)`).
    public static func unlink(_ path: String) throws(SystemError) {
        if Glibc.unlink(path) != 0 { throw SystemError("unlink", subject: path, errno: errno) }
    }
}
