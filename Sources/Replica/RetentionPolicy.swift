/// When a node deletes the oldest data files of its log (RocketMQ's retention settings and
/// their defaults). A data file is *expired* once its newest message is older than
/// `fileReservedMilliseconds`. Expired files are deleted at the `deleteWhenHours` (local time),
/// or at once while the store's disk is at least `diskMaxUsedSpaceRatio` percent used; at or
/// above `diskSpaceCleanForciblyRatio` the oldest file goes even unexpired. Never past what the
/// node's state-machine snapshot covers, nor (on a leader) what a live follower still needs.
public struct RetentionPolicy: Sendable, Hashable {
    /// `fileReservedTime`: how long a data file's newest message is kept (default 72 h).
    public var fileReservedMilliseconds: Int64 = 72 * 3_600_000
    /// `deleteWhen`: the hours of the day (0–23, local time) when expired files are deleted.
    public var deleteWhenHours: [Int] = [4]
    /// `diskMaxUsedSpaceRatio`: at or above this percent used, expired files go at once.
    public var diskMaxUsedSpaceRatio = 75
    /// `diskSpaceCleanForciblyRatio`: at or above this percent used, the oldest file goes even
    /// unexpired, one per pass, each logged.
    public var diskSpaceCleanForciblyRatio = 85
    /// The node's local time offset from UTC, in seconds, for `deleteWhenHours` (the owner
    /// reads it once at start: the replica reads no clock or time zone).
    public var utcOffsetSeconds = 0

    public init() {}

    /// Whether `now` (milliseconds since the epoch) falls in one of the `deleteWhenHours`.
    public func isDeleteHour(now: Int64) -> Bool {
        let local = now / 1000 + Int64(utcOffsetSeconds)
        let hour = Int(((local % 86_400) + 86_400) % 86_400 / 3600)
        return deleteWhenHours.contains(hour)
    }
}
