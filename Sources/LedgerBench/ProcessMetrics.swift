import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// What `/proc` tells about other processes beyond ``Posix/ProcFS``: resetting a peak RSS and
/// finding who listens on a port (Linux only).
package enum ProcessMetrics {
    /// Sets `pid`'s peak RSS back to its current RSS, so the next ``Posix/ProcFS/peakResidentBytes(_:)`` covers only
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
