/// Why bytes could not be decoded: a frame payload, a command, a stored record or a metadata
/// file. Every malformed input becomes one of these, never a trap. Each case names the field
/// and its byte offset, counted from the start of what was being decoded (plus the reader's
/// `baseOffset`: a frame payload's errors count from the start of the frame).
public enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `field` needs `needed` bytes at `offset` but only `available` remain.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A length or count field holds `length`, more than `limit` allows.
    case lengthOverLimit(field: String, offset: Int, length: UInt64, limit: Int)
    /// A string field whose bytes are not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// An enumeration (or boolean) field holds a value with no meaning.
    case unknownEnumValue(field: String, value: UInt64, offset: Int)
    /// The value is complete but `count` bytes follow it.
    case trailingBytes(offset: Int, count: Int)
    /// A field that is well formed but holds a value its format does not allow (a property
    /// named twice, a record that does not decode); `reason` says what.
    case invalidValue(field: String, offset: Int, reason: String)
    /// A format version this build does not read.
    case unsupportedVersion(found: UInt8, supported: UInt8)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let available):
            "truncated \(field) at byte \(offset): needs \(needed) bytes, \(available) remain"
        case .lengthOverLimit(let field, let offset, let length, let limit):
            "\(field) at byte \(offset) is \(length), over the limit of \(limit)"
        case .invalidUTF8(let field, let offset):
            "\(field) at byte \(offset) is not valid UTF-8"
        case .unknownEnumValue(let field, let value, let offset):
            "unknown \(field) value \(value) at byte \(offset)"
        case .trailingBytes(let offset, let count):
            "\(count) unexpected bytes after the payload at byte \(offset)"
        case .invalidValue(let field, let offset, let reason):
            "invalid \(field) at byte \(offset): \(reason)"
        case .unsupportedVersion(let found, let supported):
            "unsupported format version \(found) (this build reads version \(supported))"
        }
    }
}
