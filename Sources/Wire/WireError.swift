import Bytes

/// Why a frame could not be decoded (or, for an oversized frame, encoded). Every malformed input
/// becomes one of these, never a trap.
///
/// Offsets count bytes from the start of what was being decoded: the connection's byte stream
/// for ``FrameDecoder``, the frame (length field included) for ``WireCodec/decode(_:limits:)``.
/// A field that does not decode is ``malformed(_:)``, carrying the ``DecodeError`` every byte
/// format of the project reports; the other cases are the frame header's own checks.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field (the frame length included) is truncated, over its limit or holds a bad value.
    case malformed(DecodeError)
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

    public var description: String {
        switch self {
        case .malformed(let error):
            error.description
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
        }
    }
}

/// Runs `body`, reporting a field that does not decode as ``WireError/malformed(_:)``.
@inline(__always)
func decodingFields<R>(_ body: () throws(DecodeError) -> R) throws(WireError) -> R {
    do {
        return try body()
    } catch {
        throw .malformed(error)
    }
}
