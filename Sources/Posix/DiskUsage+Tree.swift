#if canImport(Glibc)
    import Glibc
#endif

extension DiskUsage {
    /// The bytes of storage the files at and under `path` take, as `du` counts them: each
    /// regular file's and directory's allocated blocks (`st_blocks` × 512, so preallocated
    /// space counts and holes do not), without following symbolic links. A name that vanishes
    /// during the walk (a file deleted meanwhile) counts 0, as does a missing `path`. `lstat(2)`,
    /// `opendir(3)`.
    public static func allocatedBytes(under path: String) throws(SystemError) -> UInt64 {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return 0 }
            throw SystemError("lstat", subject: path, errno: errno)
        }
        var total = UInt64(info.st_blocks) * 512
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return total }
        let names: [String]
        do {
            names = try Directory.list(path)
        } catch  where error.errno == ENOENT {
            return 0
        }
        for name in names { total += try allocatedBytes(under: "\(path)/\(name)") }
        return total
    }
}
