#if canImport(Glibc)
    import Glibc
#endif

/// Why a figure could not be read from `/proc`.
public struct ProcError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What Linux's `/proc` tells about a process: CPU time, memory, descriptors. Each call reads
/// the file anew (a few microseconds); nothing is cached.
public enum ProcFS {
    /// User plus system CPU time `pid` has used, in seconds: fields 14 and 15 (`utime`, `stime`)
    /// of `/proc/<pid>/stat`, in clock ticks (`sysconf(_SC_CLK_TCK)`).
    public static func cpuSeconds(_ pid: pid_t) throws(ProcError) -> Double {
        let path = "/proc/\(pid)/stat"
        let text = try read(path)
        // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
        guard let close = text.lastIndex(of: ")") else { throw ProcError("\(path): no \")\" after the command name") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else {
            throw ProcError("\(path): no utime/stime in fields 14 and 15")
        }
        return Double(user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The resident set size of `pid` in bytes now: `VmRSS` of `/proc/<pid>/status`.
    public static func residentBytes(_ pid: pid_t) throws(ProcError) -> UInt64 {
        try statusBytes(pid, "VmRSS")
    }

    /// The peak resident set size of `pid` in bytes: `VmHWM` of `/proc/<pid>/status`, since the
    /// process started or since its peak was last reset (`/proc/<pid>/clear_refs`).
    public static func peakResidentBytes(_ pid: pid_t) throws(ProcError) -> UInt64 {
        try statusBytes(pid, "VmHWM")
    }

    /// Bytes `pid` caused to be written to storage since it started: `write_bytes` of
    /// `/proc/<pid>/io` (what reached the block layer, not what `write` was asked to write).
    public static func storageWriteBytes(_ pid: pid_t) throws(ProcError) -> UInt64 {
        let path = "/proc/\(pid)/io"
        for line in try read(path).split(separator: "\n") where line.hasPrefix("write_bytes:") {
            guard let bytes = UInt64(line.dropFirst("write_bytes:".count).trimmingPrefix(" ")) else {
                throw ProcError("\(path): cannot read \(String(reflecting: String(line)))")
            }
            return bytes
        }
        throw ProcError("\(path): no write_bytes line")
    }

    /// The descriptors `pid` has open: the entries of `/proc/<pid>/fd`, less the one this very
    /// listing opens when `pid` is the calling process.
    public static func openDescriptors(_ pid: pid_t) throws(ProcError) -> Int {
        let path = "/proc/\(pid)/fd"
        let names: [String]
        do {
            names = try Directory.list(path)
        } catch {
            throw ProcError("\(error)")
        }
        return pid == getpid() ? names.count - 1 : names.count
    }

    /// The calling process's limit on open descriptors (the soft `RLIMIT_NOFILE`), nil when
    /// unlimited (`RLIM_INFINITY`, all bits set). `getrlimit(2)`.
    public static func descriptorLimit() throws(SystemError) -> UInt64? {
        var limit = rlimit()
        _ = try retryingInterrupts("getrlimit", subject: "RLIMIT_NOFILE") {
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return limit.rlim_cur == rlim_t.max ? nil : UInt64(limit.rlim_cur)
    }

    /// The `field` line of `/proc/<pid>/status` (`VmHWM:    1234 kB`) in bytes.
    private static func statusBytes(_ pid: pid_t, _ field: String) throws(ProcError) -> UInt64 {
        let path = "/proc/\(pid)/status"
        let prefix = field + ":"
        for line in try read(path).split(separator: "\n") where line.hasPrefix(prefix) {
            let parts = line.dropFirst(prefix.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, parts[1] == "kB", let kibibytes = UInt64(parts[0]) else {
                throw ProcError("\(path): cannot read \(String(reflecting: String(line)))")
            }
            return kibibytes * 1024
        }
        throw ProcError("\(path): no \(field) line (a kernel thread, or the process has exited)")
    }

    private static func read(_ path: String) throws(ProcError) -> String {
        do {
            return String(decoding: try readFile(path), as: UTF8.self)
        } catch {
            throw ProcError("\(error)")
        }
    }
}
