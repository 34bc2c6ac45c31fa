import CShim

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
/// etcd's WAL. Computed by the CPU's CRC-32C instruction where it has one (SSE 4.2, the AArch64
/// CRC extension; eight bytes per instruction), else table-driven, slice-by-8: eight 256-entry
/// tables consume eight bytes per step. Both give the same results.
///
/// `checksum(bytes)` is the standard CRC ("123456789" → 0xE3069283). To checksum data in
/// pieces, pass the previous result as `continuing`: `checksum(b, continuing: checksum(a))`
/// equals `checksum(a + b)`.
public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from an earlier result (0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard hardware, let base = bytes.baseAddress else { return software(bytes, continuing: previous) }
        return cshim_crc32c_hardware(previous, base, bytes.count)
    }

    /// Whether ``checksum(_:continuing:)-(UnsafeRawBufferPointer,_)`` uses the CPU's instruction.
    public static let hardware = cshim_crc32c_hardware_available() == 1

    /// The table-driven CRC (what runs without the instruction; tests compare the two).
    public static func software(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        tables.withUnsafeBufferPointer { t in
            var i = 0
            let count = bytes.count
            while i + 8 <= count {
                let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                crc =
                    t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                i += 8
            }
            while i < count {
                crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        return ~crc
    }

    /// The CRC-32C of `bytes`, continuing from an earlier result (0 to start).
    public static func checksum(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: previous) }
    }

    /// Table k maps a byte to its CRC contribution k bytes further along the stream.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
