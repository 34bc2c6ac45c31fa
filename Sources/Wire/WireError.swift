/// Why bytes could not be decoded. Every malformed input becomes one of these, never a trap.
///
/// Offsets count bytes from the start of what was being decoded: the connection's byte stream
/// for ``FrameDecoder``, the frame (length field included) for ``WireCodec/decode(_:limits:)``,
/// and the buffer plus its `baseOffset` for a bare ``ByteReader``.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `field` needs `needed` bytes at `offset` but only `available` remain.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A length or count field holds `length`, more than `limit` allows.
    case lengthOverLimit(field: String, offset: Int, length: UInt64, limit: Int)
    /// A frame's length field is too small to hold the fixed header.
    case frameTooShort(offset: Int, length: UInt32, minimum: Int)
    /// The frame's version byte is not ``Frame/version``.
    case unsupportedVersion(UInt8, offset: Int)
    /// An opcode this protocol does not define.
    case unknownOpcode(UInt16, offset: Int)
    /// The flags byte sets bits that have no meaning.
    case reservedFlags(UInt8, offset: Int)
    /// The flags are valid bits but not a combination the opcode allows (a one-way vote that
    /// claims to be an error response, for example).
    case unexpectedFlags(opcode: Opcode, flags: FrameFlags, offset: Int)
    /// A string field whose bytes are not valid UTF-8.
    case badUTF8(field: String, offset: Int)
    /// An enumeration (or boolean) field holds a value with no meaning.
    case unknownEnumValue(field: String, value: UInt64, offset: Int)
    /// The payload is complete but `count` bytes follow it.
    case trailingBytes(offset: Int, count: Int)
    /// A field that is well formed but holds a value its payload does not allow (a property
    /// named twice, a message record that does not decode); `reason` says what.
    case invalidValue(field: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let available):
            "truncated \(field) at byte \(offset): needs \(needed) bytes, \(available) remain"
        case .lengthOverLimit(let field, let offset, let length, let limit):
            "\(field) at byte \(offset) is \(length), over the limit of \(limit)"
        case .frameTooShort(let offset, let length, let minimum):
            "frame length at byte \(offset) is \(length), below the minimum of \(minimum)"
        case .unsupportedVersion(let version, let offset):
            "unsupported protocol version \(version) at byte \(offset) (this build speaks version \(Frame.version))"
        case .unknownOpcode(let opcode, let offset):
            "unknown opcode \(opcode) at byte \(offset)"
        case .reservedFlags(let flags, let offset):
            "flags 0x\(String(flags, radix: 16)) at byte \(offset) set reserved bits"
        case .unexpectedFlags(let opcode, let flags, let offset):
            "opcode \(opcode) does not allow flags \(flags) at byte \(offset)"
        case .badUTF8(let field, let offset):
            "\(field) at byte \(offset) is not valid UTF-8"
        case .unknownEnumValue(let field, let value, let offset):
            "unknown \(field) value \(value) at byte \(offset)"
        case .trailingBytes(let offset, let count):
            "\(count) unexpected bytes after the payload at byte \(offset)"
        case .invalidValue(let field, let offset, let reason):
            "invalid \(field) at byte \(offset): \(reason)"
        }
    }
}
