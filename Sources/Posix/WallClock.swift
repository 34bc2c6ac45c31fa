#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock, `clock_gettime(CLOCK_REALTIME)`: for timestamps people and tools read (a
/// message's born time) and for seeds. It can jump; measure durations with `ContinuousClock`.
public enum WallClock {
    /// The time since the Unix epoch.
    public static func sinceEpoch() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }

    /// Whole milliseconds since the Unix epoch, the unit of RocketMQ's timestamps.
    public static func milliseconds() -> Int64 {
        let (seconds, attoseconds) = sinceEpoch().components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
