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
