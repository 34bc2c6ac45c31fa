import Bytes

/// A socket address as RocketMQ stores it in a record's born and store host fields: a 4-byte
/// IPv4 or 16-byte IPv6 address and a port.
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order as two big-endian words: an IPv4 address fills the
    /// top four bytes of `high`, the rest is zero. Kept inline (no array): every record decoded
    /// holds two hosts, and tables keep them for every key.
    private let high: UInt64
    private let low: UInt64
    public let port: UInt16
    /// True for a 16-byte address (record sys flag bits 0x10 / 0x20).
    public let isIPv6: Bool

    /// An IPv4 address `a.b.c.d:port`.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        high = UInt64(a) << 56 | UInt64(b) << 48 | UInt64(c) << 40 | UInt64(d) << 32
        low = 0
        isIPv6 = false
        self.port = port
    }

    /// An address from its bytes; nil unless `ip` has 4 or 16 bytes.
    public init?(ip: [UInt8], port: UInt16) {
        guard ip.count == 4 || ip.count == 16 else { return nil }
        func word(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (56 - 8 * UInt64($1.offset)) }
        }
        high = word(ip.prefix(8))
        low = ip.count == 16 ? word(ip[8...]) : 0
        isIPv6 = ip.count == 16
        self.port = port
    }

    private init(high: UInt64, low: UInt64, isIPv6: Bool, port: UInt16) {
        self.high = high
        self.low = low
        self.isIPv6 = isIPv6
        self.port = port
    }

    /// Parses `a.b.c.d:port`; nil if it is not that shape.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, parts[0].split(separator: ".").count == 4 else { return nil }
        self.init(ipv4: octets[0], octets[1], octets[2], octets[3], port: port)
    }

    /// The unspecified IPv4 address `0.0.0.0:0`.
    public static let unspecified = HostAddress(ipv4: 0, 0, 0, 0, port: 0)

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var ip: [UInt8] { (0..<ipCount).map { self[byte: $0] } }

    /// Byte `index` of the address in network order (`0..<4` for IPv4, `0..<16` for IPv6).
    @inline(__always)
    public subscript(byte index: Int) -> UInt8 {
        let word = index < 8 ? high : low
        return UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(index & 7)))
    }

    /// The number of address bytes: 4 or 16.
    public var ipCount: Int { isIPv6 ? 16 : 4 }

    /// Bytes in a record: the address then a 4-byte port.
    var encodedCount: Int { ipCount + 4 }

    func encode(into writer: inout ByteWriter) {
        let little = writer.endianness == .little
        if isIPv6 {
            writer.writeUInt64(little ? high.byteSwapped : high)
            writer.writeUInt64(little ? low.byteSwapped : low)
        } else {
            let word = UInt32(truncatingIfNeeded: high >> 32)
            writer.writeUInt32(little ? word.byteSwapped : word)
        }
        writer.writeInt32(Int32(port))
    }

    /// Reads an address and its port; `address` and `port` name the fields in an error (spelled
    /// out by the caller: a record has two hosts and is decoded for every message applied, so the
    /// names are not built on the way).
    static func decode(_ reader: inout ByteReader, ipv6: Bool, address: String, port portField: String)
        throws(DecodeError) -> HostAddress
    {
        let little = reader.endianness == .little
        let high: UInt64
        var low: UInt64 = 0
        if ipv6 {
            try reader.require(16, for: address)
            let first = try reader.readUInt64(address)
            let second = try reader.readUInt64(address)
            high = little ? first.byteSwapped : first
            low = little ? second.byteSwapped : second
        } else {
            let word = try reader.readUInt32(address)
            high = UInt64(little ? word.byteSwapped : word) << 32
        }
        let at = reader.offset
        let port = try reader.readInt32(portField)
        guard let port = UInt16(exactly: port) else {
            throw .invalidValue(field: portField, offset: at, reason: "\(port) is not a port number")
        }
        return HostAddress(high: high, low: low, isIPv6: ipv6, port: port)
    }

    public var description: String {
        if !isIPv6 { return "\(self[byte: 0]).\(self[byte: 1]).\(self[byte: 2]).\(self[byte: 3]):\(port)" }
        let groups = stride(from: 0, to: 16, by: 2).map {
            String(UInt16(self[byte: $0]) << 8 | UInt16(self[byte: $0 + 1]), radix: 16)
        }
        return "[\(groups.joined(separator: ":"))]:\(port)"
    }
}
