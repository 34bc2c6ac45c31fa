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
    static func timestamp() -> String { WallClock.now().utcText }
}
