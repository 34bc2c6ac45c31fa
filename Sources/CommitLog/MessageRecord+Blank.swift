import Bytes
import LedgerModel

// The ends of the message store's commit-log files, which RocketMQ closes with a blank.
extension MessageRecord {
    /// The magic of the blank that closes a commit-log file: `[i32 remaining][i32 BLANK_MAGIC]`.
    static let blankMagic = Int32(bitPattern: 0xCBD4_3194)
    /// A file always keeps room for a blank marker after its last record.
    static let blankLength = 8

    /// What starts at a position of a commit-log file.
    enum Slot {
        /// A record of `size` bytes.
        case record(size: Int)
        /// The end-of-file blank: the rest of the file is unused.
        case blank
    }

    /// Reads the header at `offset` of `bytes` (which may end early): a record and its size, or
    /// the blank. Throws if the bytes there are neither.
    static func slot(in bytes: [UInt8], at offset: Int) throws(DecodeError) -> Slot {
        var reader = ByteReader(bytes, from: offset)
        let total = try reader.readInt32("total size")
        let magic = try reader.readInt32("magic code")
        if magic == blankMagic { return .blank }
        guard magic == magicV1 || magic == magicV2 else {
            throw .invalidValue(
                field: "magic code", offset: 4, reason: "0x\(String(UInt32(bitPattern: magic), radix: 16))")
        }
        guard total >= 91, Int(total) <= reader.remaining + 8 else {
            throw .invalidValue(
                field: "total size", offset: 0, reason: "\(total) does not fit the \(reader.remaining + 8) bytes left")
        }
        return .record(size: Int(total))
    }
}
