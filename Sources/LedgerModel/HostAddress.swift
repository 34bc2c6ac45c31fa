import Bytes

/// A socket address as RocketMQ stores it in a record's born and store host fields: a 4-byte
/// IPv4 or 16-byte IPv6 address and a port.
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let ip: [UInt8]
    public let port: UInt16

    /// An IPv4 address `a.b.c.d:port`.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        ip = [a, b, c, d]
        self.port = port
    }

    /// An address from its bytes; nil unless `ip` has 4 or 16 bytes.
    public init?(ip: [UInt8], port: UInt16) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        self.ip = ip
        self.port = port
    }

    private init(checked ip: [UInt8], port: UInt16) {
        precondition(ip.count == 4 || ip.count == 16, "an address has 4 or 16 bytes")
        self.ip = ip
        self.port = port
    }

    /// Parses `a.b.c.d:port`; nil if it is not that shape.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, parts[0].split(separator: ".").count == 4 else { return nil }
        self.ip = octets
        self.port = port
    }

    /// The unspecified IPv4 address `0.0.0.0:0`.
    public static let unspecified = HostAddress(ipv4: 0, 0, 0, 0, port: 0)

    /// True for a 16-byte address (record sys flag bits 0x10 / 0x20).
    public var isIPv6: Bool { ip.count == 16 }

    /// Bytes in a record: the address then a 4-byte port.
    var encodedCount: Int { ip.count + 4 }

    func encode(into writer: inout ByteWriter) {
        writer.writeRawBytes(ip)
        writer.writeInt32(Int32(port))
    }

    /// Reads an address and its port; `address` and `port` name the fields in an error (spelled
    /// out by the caller: a record has two hosts and is decoded for every message applied, so the
    /// names are not built on the way).
    static func decode(_ reader: inout ByteReader, ipv6: Bool, address: String, port portField: String)
        throws(DecodeError) -> HostAddress
    {
        let ip = try reader.readRawBytes(ipv6 ? 16 : 4, address)
        let at = reader.offset
        let port = try reader.readInt32(portField)
        guard let port = UInt16(exactly: port) else {
            throw .invalidValue(field: portField, offset: at, reason: "\(port) is not a port number")
        }
        return HostAddress(checked: ip, port: port)
    }

    public var description: String {
        if ip.count == 4 { return "\(ip[0]).\(ip[1]).\(ip[2]).\(ip[3]):\(port)" }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(ip[$0]) << 8 | UInt16(ip[$0 + 1]), radix: 16) }
        return "[\(groups.joined(separator: ":"))]:\(port)"
    }
}
