import LedgerClient
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
    /// What the producers did since the sample before.
    var load: SoakInterval
}

/// The producers' sends that ended within one sample interval (by when each ended).
struct SoakInterval: Sendable, Hashable {
    /// Sends acknowledged since the run started, and within the interval.
    var total: Int
    var acknowledged: Int
    /// Sends within the interval that ended failed or indeterminate (a fault's doing).
    var unacknowledged: Int
    /// The 99th percentile (nearest rank) of the acknowledged sends' latency, from the first
    /// attempt to the acknowledgement; nil when none was acknowledged.
    var p99: Duration?
    /// Acknowledged sends per second over the interval's `length`.
    var perSecond: Int
    /// Faults injected since the run started.
    var faults: Int

    /// The figures of `operations` (those that ended in an interval of `length`), after `total`
    /// acknowledged before it and with `faults` injected so far.
    init(_ operations: [ChaosOperation], length: Duration, totalBefore: Int, faults: Int) {
        let latencies = operations.filter { $0.acknowledgedPosition != nil }.map { $0.ended - $0.started }.sorted()
        acknowledged = latencies.count
        total = totalBefore + latencies.count
        unacknowledged = operations.count - latencies.count
        p99 = latencies.isEmpty ? nil : latencies[min(latencies.count, max(1, (latencies.count * 99 + 99) / 100)) - 1]
        let seconds = Double(length.wholeMilliseconds) / 1000
        perSecond = seconds > 0 ? Int((Double(latencies.count) / seconds).rounded()) : 0
        self.faults = faults
    }
}
