/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of zlib, `java.util.zip.CRC32`
/// and RocketMQ's `UtilAll.crc32`. Table-driven, slicing by 8.
public enum CRC32 {
    /// The CRC-32 of `bytes`, continuing from `crc` (the result of a previous call, or 0).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var state = ~crc
        var index = 0
        let count = bytes.count
        tables.withUnsafeBufferPointer { t in
            while count - index >= 8 {
                let lo = bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian ^ state
                let hi = bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self).littleEndian
                state =
                    t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                index += 8
            }
            while index < count {
                state = t[Int((state ^ UInt32(bytes[index])) & 0xFF)] ^ (state >> 8)
                index += 1
            }
        }
        return ~state
    }

    /// The CRC-32 of `bytes`, continuing from `crc`.
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        let fast = bytes.withContiguousStorageIfAvailable { checksum(UnsafeRawBufferPointer($0), continuing: crc) }
        if let fast { return fast }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// Eight 256-entry tables: table 0 is the classic byte-at-a-time table, table k advances a
    /// byte through k further zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for n in 0..<256 {
            for k in 1..<8 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
