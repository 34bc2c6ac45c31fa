import LedgerCLI
import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// Why a process figure could not be read.
package struct ProcError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}

/// What `/proc` tells about one process: CPU time and resident memory (Linux only).
package enum ProcessMetrics {
    /// User plus system CPU time `pid` has used, in seconds: fields 14 and 15 (`utime`, `stime`)
    /// of `/proc/<pid>/stat`, in clock ticks.
    static func cpuSeconds(_ pid: pid_t) throws(ProcError) -> Double {
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

    /// The peak resident set size of `pid` in bytes: `VmHWM` of `/proc/<pid>/status`, since the
    /// process started or since the last ``resetPeakRSS(_:)``.
    static func peakRSSBytes(_ pid: pid_t) throws(ProcError) -> UInt64 {
        try statusBytes(pid, "VmHWM")
    }

    /// The resident set size of `pid` in bytes now: `VmRSS` of `/proc/<pid>/status`.
    package static func residentBytes(_ pid: pid_t) throws(ProcError) -> UInt64 {
        try statusBytes(pid, "VmRSS")
    }

    /// The `field` line of `/proc/<pid>/status` (`VmHWM:    1234 kB`) in bytes.
    private static func statusBytes(_ pid: pid_t, _ field: String) throws(ProcError) -> UInt64 {
        let path = "/proc/\(pid)/status"
        let prefix = field + ":"
        for line in try read(path).split(separator: "\n") where line.hasPrefix(prefix) {
            let parts = line.dropFirst(prefix.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, parts[1] == "kB", let kibibytes = UInt64(parts[0]) else {
                throw ProcError("\(path): cannot read \(quoted(String(line)))")
            }
            return kibibytes * 1024
        }
        throw ProcError("\(path): no \(field) line (a kernel thread, or the process has exited)")
    }

    /// Sets `pid`'s peak RSS back to its current RSS, so the next ``peakRSSBytes(_:)`` covers only
    /// what follows: writes `5` to `/proc/<pid>/clear_refs` (Linux 4.0 and later; needs the
    /// right to ptrace the process, e.g. the same user).
    static func resetPeakRSS(_ pid: pid_t) throws(ProcError) {
        let path = "/proc/\(pid)/clear_refs"
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProcError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = write(fd, "5", 1)
        guard written == 1 else { throw ProcError("write \(path): \(String(cString: strerror(errno)))") }
    }

    /// The process listening on TCP `port` (IPv4 or IPv6, any local address): the inode of the
    /// listening socket from `/proc/net/tcp{,6}`, then the process whose `/proc/<pid>/fd` holds
    /// `socket:[inode]`. Only processes whose descriptors this user may read can be found.
    static func listeningProcess(port: UInt16) throws(ProcError) -> pid_t {
        var inodes: Set<String> = []
        let hexPort = String(port, radix: 16, uppercase: true)
        let wanted = String(repeating: "0", count: 4 - hexPort.count) + hexPort
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let text: String
            do {
                text = try read(table)
            } catch {
                if table.hasSuffix("6") { continue }  // no IPv6 on this kernel
                throw error
            }
            // Columns: sl local_address rem_address st ... inode (the tenth); st 0A is LISTEN.
            for line in text.split(separator: "\n").dropFirst() {
                let columns = line.split(separator: " ")
                guard columns.count > 9, columns[3] == "0A", columns[1].hasSuffix(":" + wanted) else { continue }
                inodes.insert(String(columns[9]))
            }
        }
        guard !inodes.isEmpty else { throw ProcError("nothing listens on port \(port)") }
        var unreadable = 0
        let pids = try listDirectory("/proc").compactMap { Int32($0) }
        for pid in pids {
            let descriptors: [String]
            do {
                descriptors = try listDirectory("/proc/\(pid)/fd")
            } catch {
                // Another user's process, or one that just exited.
                unreadable += 1
                continue
            }
            for descriptor in descriptors {
                let target = readLink("/proc/\(pid)/fd/\(descriptor)")
                if target.hasPrefix("socket:["), inodes.contains(String(target.dropFirst(8).dropLast())) {
                    return pid
                }
            }
        }
        throw ProcError(
            "port \(port) is listened on, but by no process whose descriptors this user can read "
                + "(\(unreadable) processes were not readable)")
    }

    private static func read(_ path: String) throws(ProcError) -> String {
        do {
            return String(decoding: try readFile(path), as: UTF8.self)
        } catch {
            throw ProcError("\(error)")
        }
    }

    /// The names in directory `path` (``Posix/Directory/list(_:)``), failing as a ``ProcError``.
    private static func listDirectory(_ path: String) throws(ProcError) -> [String] {
        do {
            return try Directory.list(path)
        } catch {
            throw ProcError("\(error)")
        }
    }

    /// Where symbolic link `path` points, or "" when it cannot be read (the descriptor was
    /// closed meanwhile: not the one looked for). `readlink(2)`.
    private static func readLink(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count - 1) }
        guard count > 0 else { return "" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
