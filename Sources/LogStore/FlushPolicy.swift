/// When appended entries reach the disk, after RocketMQ's `flushDiskType`.
public enum FlushPolicy: Sendable, Hashable {
    /// `SYNC_FLUSH`: the owner calls ``LogStore/sync()`` after appending and before
    /// acknowledging; everything appended since the last sync shares one fdatasync (group commit).
    case syncFlush
    /// `ASYNC_FLUSH`: entries are acknowledged from the page cache; the owner calls
    /// ``LogStore/flushIfDue(nowMilliseconds:)`` regularly and the store syncs at most every
    /// `intervalMilliseconds`. The store never reads a clock or starts a thread itself.
    case asyncFlush(intervalMilliseconds: UInt64)
}
