#if canImport(Glibc)
    import Glibc
#endif

/// How full a file system is, as `df` reports it: the blocks in use against those in use plus
/// those an unprivileged process may still take (blocks reserved for root are neither).
public struct DiskUsage: Sendable, Hashable {
    /// Bytes in use.
    public var usedBytes: UInt64
    /// Bytes a process without privileges can still write.
    public var availableBytes: UInt64

    public init(usedBytes: UInt64, availableBytes: UInt64) {
        self.usedBytes = usedBytes
        self.availableBytes = availableBytes
    }

    /// The file system holding `path` (`statvfs`).
    public static func of(_ path: String) throws(SystemError) -> DiskUsage {
        var info = statvfs()
        _ = try retryingInterrupts("statvfs", subject: path) { statvfs(path, &info) }
        let block = UInt64(info.f_frsize)
        return DiskUsage(
            usedBytes: UInt64(info.f_blocks - info.f_bfree) * block, availableBytes: UInt64(info.f_bavail) * block)
    }

    /// Used ÷ (used + available) in hundredths of a percent, 0–10000 (`df`'s Use%, finer).
    public var usedBasisPoints: UInt16 {
        let total = usedBytes + availableBytes
        guard total > 0 else { return 0 }
        return UInt16(min(10_000, (usedBytes * 10_000 + total - 1) / total))
    }
}
