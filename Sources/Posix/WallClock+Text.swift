#if canImport(Glibc)
    import Glibc
#endif

extension WallClock.Time {
    /// The time in UTC with milliseconds, ISO 8601: `2026-12-07T11:42:17.123Z` (`gmtime_r(3)`).
    public var utcText: String {
        var whole = time_t(seconds)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(nanoseconds / 1_000_000), 3))Z"
    }

    /// The local time zone's offset from UTC at this time, in seconds east of UTC (`tzset(3)`,
    /// then `localtime_r(3)`'s `tm_gmtoff`): `3600` for CET, `-14400` for EDT, `0` for UTC.
    public var utcOffsetSeconds: Int {
        tzset()
        var whole = time_t(seconds)
        var parts = tm()
        localtime_r(&whole, &parts)
        return Int(parts.tm_gmtoff)
    }

    /// The reading `milliseconds` after the Unix epoch (a store timestamp); 0 or later.
    public init(milliseconds: Int64) {
        self.init(seconds: milliseconds / 1000, nanoseconds: milliseconds % 1000 * 1_000_000)
    }
}
