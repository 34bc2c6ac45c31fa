/// Bytes that do not decode: a command, a stored record or a metadata file. Says which field at
/// which byte offset (relative to the start of the decoded value) and why. Decoding never traps.
public enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer bytes remain than the field needs.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// The field's bytes are present but its value is not allowed.
    case invalidValue(field: String, offset: Int, reason: String)
    /// A text field that is not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// A format version this build does not read.
    case unsupportedVersion(found: UInt8, supported: UInt8)
    /// Bytes left over after a complete value.
    case trailingBytes(count: Int, offset: Int)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let available):
            "truncated \(field) at byte \(offset): needs \(needed) bytes, \(available) left"
        case .invalidValue(let field, let offset, let reason):
            "invalid \(field) at byte \(offset): \(reason)"
        case .invalidUTF8(let field, let offset):
            "\(field) at byte \(offset) is not valid UTF-8"
        case .unsupportedVersion(let found, let supported):
            "unsupported format version \(found) (this build reads version \(supported))"
        case .trailingBytes(let count, let offset):
            "\(count) unexpected trailing bytes at byte \(offset)"
        }
    }
}

/// A value too large for its field in an encoding.
public struct EncodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var count: Int
    public var limit: Int

    public var description: String { "\(field) is \(count) long; the format holds at most \(limit)" }
}

extension FixedWidthInteger where Self: UnsignedInteger {
    /// `count` as a length field, or an error naming `field` if it does not fit.
    init(checking count: Int, _ field: String) throws(EncodeError) {
        guard let value = Self(exactly: count) else {
            throw EncodeError(field: field, count: count, limit: Int(clamping: Self.max))
        }
        self = value
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in big-endian byte order.
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// Appends a UTF-8 string behind a 2-byte length.
    mutating func appendShortString(_ s: String, _ field: String) throws(EncodeError) {
        appendBigEndian(try UInt16(checking: s.utf8.count, field))
        append(contentsOf: s.utf8)
    }

    /// Writes `value` big-endian over the bytes at `offset`.
    @inline(__always)
    mutating func storeBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self) }
    }

    /// The big-endian integer at `offset`; the caller has checked the bounds.
    @inline(__always)
    func loadBigEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T {
        withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}

/// A bounds-checked big-endian reader over a byte range of an array. Every read names its field
/// so a failure says what was being read; offsets in errors are relative to `start`.
struct ByteReader {
    let bytes: [UInt8]
    let start: Int
    let end: Int
    private(set) var position: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.start = start
        self.end = end ?? bytes.count
        self.position = start
    }

    /// Bytes left to read.
    var remaining: Int { end - position }
    /// The current position relative to `start`.
    var relativePosition: Int { position - start }

    mutating func need(_ count: Int, _ field: String) throws(DecodeError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: field, offset: relativePosition, needed: count, available: remaining)
        }
    }

    mutating func integer<T: FixedWidthInteger>(_ field: String, as type: T.Type = T.self) throws(DecodeError) -> T {
        try need(MemoryLayout<T>.size, field)
        defer { position += MemoryLayout<T>.size }
        return bytes.loadBigEndian(at: position)
    }

    mutating func u8(_ field: String) throws(DecodeError) -> UInt8 { try integer(field) }
    mutating func u16(_ field: String) throws(DecodeError) -> UInt16 { try integer(field) }
    mutating func u32(_ field: String) throws(DecodeError) -> UInt32 { try integer(field) }
    mutating func i32(_ field: String) throws(DecodeError) -> Int32 { try integer(field) }
    mutating func u64(_ field: String) throws(DecodeError) -> UInt64 { try integer(field) }
    mutating func i64(_ field: String) throws(DecodeError) -> Int64 { try integer(field) }

    /// The next `count` bytes.
    mutating func bytes(_ count: Int, _ field: String) throws(DecodeError) -> [UInt8] {
        try need(count, field)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// The next `count` bytes as UTF-8 text.
    mutating func string(_ count: Int, _ field: String) throws(DecodeError) -> String {
        try need(count, field)
        let at = relativePosition
        defer { position += count }
        guard let s = String(validating: bytes[position..<(position + count)], as: UTF8.self) else {
            throw .invalidUTF8(field: field, offset: at)
        }
        return s
    }

    /// A string behind a 2-byte length.
    mutating func shortString(_ field: String) throws(DecodeError) -> String {
        let count = try u16("\(field) length")
        return try string(Int(count), field)
    }

    /// Skips `count` bytes.
    mutating func skip(_ count: Int, _ field: String) throws(DecodeError) {
        try need(count, field)
        position += count
    }

    /// Fails unless every byte has been read.
    func expectEnd() throws(DecodeError) {
        if remaining != 0 { throw .trailingBytes(count: remaining, offset: relativePosition) }
    }
}
