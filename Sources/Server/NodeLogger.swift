import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// Log lines on standard error: `2026-11-23T08:27:51.123Z INFO  n0 term=3 became leader`.
/// One `write(2)` per line, so lines from different threads never interleave.
public struct NodeLogger: Sendable {
    public enum Level: String, Sendable {
        case debug = "DEBUG"
        case info = "INFO "
        case warning = "WARN "
        case error = "ERROR"
    }

    /// The node's configured name, e.g. `n0`.
    public let node: String
    public var minimumLevel: Level = .info

    public init(node: String) { self.node = node }

    public func log(_ level: Level, term: UInt64? = nil, _ message: String) {
        if level == .debug && minimumLevel != .debug { return }
        let termField = term.map { " term=\($0)" } ?? ""
        let line = "\(Self.timestamp()) \(level.rawValue) \(node)\(termField) \(message)\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    public func info(term: UInt64? = nil, _ message: String) { log(.info, term: term, message) }
    public func warning(term: UInt64? = nil, _ message: String) { log(.warning, term: term, message) }
    public func error(term: UInt64? = nil, _ message: String) { log(.error, term: term, message) }

    /// UTC wall-clock time with milliseconds (ISO 8601). The runtime may read the clock; the core never does.
    static func timestamp() -> String {
        let now = WallClock.now()
        var seconds = time_t(now.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.nanoseconds / 1_000_000), 3))Z"
    }
}
