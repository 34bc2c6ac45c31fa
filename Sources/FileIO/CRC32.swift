/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the checksum of zlib,
/// `java.util.zip.CRC32` and RocketMQ's `UtilAll.crc32`, so of a message record's body and of the
/// message store's checkpoint. Table-driven, slicing by 8 (the kernel ``CRC32C`` falls back to).
public enum CRC32 {
    /// The CRC-32 of `bytes`, continuing from `crc` (the result of a previous call, or 0).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        kernel.checksum(bytes, continuing: crc)
    }

    /// The CRC-32 of `bytes`, continuing from `crc`.
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        let fast = bytes.withContiguousStorageIfAvailable { checksum(UnsafeRawBufferPointer($0), continuing: crc) }
        if let fast { return fast }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }

    private static let kernel = SlicingCRC32(reflectedPolynomial: 0xEDB8_8320)
}
