#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 address and port, as written in configuration: `127.0.0.1:40911`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` with a dotted-quad IPv4 host (or `localhost`). Nil when malformed.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"),
            let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { return nil }
        let host = String(text[..<colon])
        guard SocketAddress.ipv4(host) != nil else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { "\(host):\(port)" }

    /// The binary IPv4 address of `host` in network byte order, or nil.
    static func ipv4(_ host: String) -> in_addr? {
        var address = in_addr()
        let name = host == "localhost" ? "127.0.0.1" : host
        return inet_pton(AF_INET, name, &address) == 1 ? address : nil
    }

    /// Calls `body` with this address as a `sockaddr`.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = SocketAddress.ipv4(host) ?? in_addr()
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
