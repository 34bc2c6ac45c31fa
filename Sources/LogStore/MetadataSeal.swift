import Bytes
import FileIO

/// The seal of the small metadata files (hard state, checkpoint): their last four bytes are the
/// CRC-32C of everything before them, little-endian like the rest of the file.
enum MetadataSeal {
    /// Appends the CRC-32C of everything written so far.
    static func seal(_ writer: inout ByteWriter) {
        writer.writeUInt32(CRC32C.checksum(writer.bytes))
    }

    /// Whether the last four bytes of `bytes` are the CRC-32C of everything before them.
    static func isIntact(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        return bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)]))
                == raw.loadInteger(at: raw.count - 4, as: UInt32.self, .little)
        }
    }
}
