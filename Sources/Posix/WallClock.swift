#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock (`clock_gettime(2)` with `CLOCK_REALTIME`), read in this one place.
///
/// For what people and RocketMQ read as time (store and born timestamps, log lines, report
/// headers) and for seeds. It may jump; measure durations with `ContinuousClock`. The Raft core
/// and the simulator never read it.
public enum WallClock {
    /// A reading: whole seconds since the Unix epoch and the nanoseconds past them.
    public struct Time: Sendable, Hashable {
        public var seconds: Int64
        /// 0 to 999,999,999.
        public var nanoseconds: Int64

        public init(seconds: Int64, nanoseconds: Int64) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        }

        /// Milliseconds since the Unix epoch.
        public var milliseconds: Int64 { seconds * 1000 + nanoseconds / 1_000_000 }
    }

    /// The current time.
    public static func now() -> Time {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Time(seconds: Int64(now.tv_sec), nanoseconds: Int64(now.tv_nsec))
    }

    /// Milliseconds since the Unix epoch: a store or born timestamp.
    public static func nowMilliseconds() -> Int64 { now().milliseconds }
}
