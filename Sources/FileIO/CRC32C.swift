import CShim

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
/// etcd's WAL, and of every log-store record. Computed by the CPU's CRC-32C instruction where it
/// has one (SSE 4.2, the AArch64 CRC extension; eight bytes per instruction, through CShim),
/// else by the slice-by-8 tables ``CRC32`` also uses. Both give the same results.
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

    /// The CRC-32C of `bytes`, continuing from an earlier result (0 to start).
    public static func checksum(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: previous) }
    }

    /// Whether ``checksum(_:continuing:)-(UnsafeRawBufferPointer,_)`` uses the CPU's instruction.
    public static let hardware = cshim_crc32c_hardware_available() == 1

    /// The table-driven CRC (what runs without the instruction; tests compare the two).
    public static func software(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        kernel.checksum(bytes, continuing: previous)
    }

    private static let kernel = SlicingCRC32(reflectedPolynomial: 0x82F6_3B78)
}
