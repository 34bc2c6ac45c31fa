import Posix
import Raft

#if canImport(Glibc)
    import Glibc
#endif

/// One node's figures at one moment of a soak.
struct SoakNodeSample: Sendable, Hashable {
    /// Bytes of storage under the node's `storeBaseDir` (`du`), in all.
    var diskBytes: UInt64
    /// Of which the log's data files (`data/`).
    var dataBytes: UInt64
    /// The same by entry of the store: each top-level name and, for a directory holding other
    /// directories (the message store), each name inside it (`messages/consumequeue`).
    var breakdown: [String: UInt64]
    var descriptors: UInt64
    var residentBytes: UInt64
    /// The node's log's first index, from its last status answer (nil when none came).
    var firstIndex: LogIndex?

    /// The value of `figure`.
    func value(_ figure: SoakFigure) -> UInt64 {
        switch figure {
        case .disk: diskBytes
        case .indexDisk: diskBytes - min(diskBytes, dataBytes)
        case .descriptors: descriptors
        case .rss: residentBytes
        }
    }

    /// Measures process `pid`, whose store is `storeDirectory`.
    static func measure(pid: pid_t, storeDirectory: String, firstIndex: LogIndex?) throws(SoakSampleError)
        -> SoakNodeSample
    {
        var breakdown: [String: UInt64] = [:]
        do throws(SystemError) {
            for name in try Directory.list(storeDirectory) {
                let path = "\(storeDirectory)/\(name)"
                let inner = try subdirectories(path)
                if inner.isEmpty {
                    breakdown[name] = try DiskUsage.allocatedBytes(under: path)
                } else {
                    for child in try Directory.list(path) {
                        breakdown["\(name)/\(child)"] = try DiskUsage.allocatedBytes(under: "\(path)/\(child)")
                    }
                }
            }
        } catch {
            throw SoakSampleError("cannot measure the store \(storeDirectory): \(error)")
        }
        do throws(ProcError) {
            return SoakNodeSample(
                diskBytes: breakdown.values.reduce(0, +), dataBytes: breakdown["data"] ?? 0, breakdown: breakdown,
                descriptors: UInt64(try ProcFS.openDescriptors(pid)), residentBytes: try ProcFS.residentBytes(pid),
                firstIndex: firstIndex)
        } catch {
            throw SoakSampleError("cannot read process \(pid): \(error)")
        }
    }

    /// The names in `path` that are directories; empty for a file or a vanished name.
    private static func subdirectories(_ path: String) throws(SystemError) -> [String] {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return [] }
        return try Directory.list(path).filter { name in
            var child = stat()
            return lstat("\(path)/\(name)", &child) == 0 && (child.st_mode & S_IFMT) == S_IFDIR
        }
    }
}

/// Why a node could not be sampled.
struct SoakSampleError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Every node's figures at one moment, `at` from the start of the load; a node that could not
/// be sampled has the reason instead.
struct SoakSample: Sendable {
    var at: Duration
    var nodes: [Result<SoakNodeSample, SoakSampleError>]
    /// Sends acknowledged so far.
    var acknowledged: Int
}
