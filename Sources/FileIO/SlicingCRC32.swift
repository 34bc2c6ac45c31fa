/// The table-driven kernel both 32-bit CRCs share: reflected, initial value and final XOR all
/// ones, slicing by 8 (eight 256-entry tables consume eight bytes per step). ``CRC32`` runs it
/// with the IEEE polynomial; ``CRC32C`` with Castagnoli's when the CPU has no CRC-32C
/// instruction.
struct SlicingCRC32: Sendable {
    /// Table 0 is the classic byte-at-a-time table; table k maps a byte to its CRC contribution
    /// k bytes further along the stream.
    private let tables: [UInt32]

    /// The kernel for `polynomial` in reflected form (0xEDB88320 for IEEE, 0x82F63B78 for
    /// Castagnoli).
    init(reflectedPolynomial polynomial: UInt32) {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ polynomial : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        tables = t
    }

    /// The CRC of `bytes`, continuing from `previous` (the result of an earlier call, or 0).
    func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32) -> UInt32 {
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
}
