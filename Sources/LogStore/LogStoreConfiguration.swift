/// Tunables of a ``LogStore``. Sizes that shape the files (`dataFileSize`,
/// `indexEntriesPerFile`) must not change while a store directory exists.
public struct LogStoreConfiguration: Sendable, Hashable {
    /// Bytes per data file (default 1 GiB). A record never straddles two files.
    public var dataFileSize: Int
    /// Index records per index file (default 4 Mi, i.e. 128 MiB files).
    public var indexEntriesPerFile: Int
    /// When entries are synced.
    public var flushPolicy: FlushPolicy
    /// Bytes of recently appended entries kept in memory for reads (default 8 MiB).
    public var cacheBytes: Int
    /// Synced bytes after which the store writes a checkpoint (default 16 MiB); recovery
    /// verifies only the log after the last checkpoint.
    public var checkpointIntervalBytes: Int
    /// Whether new data files get their space reserved up front (`posix_fallocate`).
    public var preallocate: Bool

    /// Index records per index file for data files of `dataFileSize` bytes: one record per 256
    /// bytes of data file (4 Mi for 1 GiB files), at least 1024, so index files come and go with
    /// the data files they index.
    public static func indexEntriesPerFile(forDataFileSize dataFileSize: Int) -> Int {
        max(1024, min(4 << 20, dataFileSize / 256))
    }

    public init(
        dataFileSize: Int = 1 << 30, indexEntriesPerFile: Int = 4 << 20, flushPolicy: FlushPolicy = .syncFlush,
        cacheBytes: Int = 8 << 20, checkpointIntervalBytes: Int = 16 << 20, preallocate: Bool = true
    ) {
        precondition(dataFileSize >= 4096 && dataFileSize <= Int(UInt32.max), "dataFileSize must be 4 KiB ... 4 GiB")
        precondition(indexEntriesPerFile >= 1, "indexEntriesPerFile must be positive")
        self.dataFileSize = dataFileSize
        self.indexEntriesPerFile = indexEntriesPerFile
        self.flushPolicy = flushPolicy
        self.cacheBytes = cacheBytes
        self.checkpointIntervalBytes = checkpointIntervalBytes
        self.preallocate = preallocate
    }
}
