import Bytes

/// Why bytes are not a RocketMQ remoting command. Every malformed input becomes one of these,
/// never a trap, and each names the byte offset in the connection's stream (for
/// ``RemotingFrameDecoder``) or in the buffer given (for the one-frame decoders).
///
/// The framing cases are sticky in the decoder: after one, the stream is out of step and the
/// connection must close. ``json(_:)`` and ``malformed(_:)`` concern one frame's header or body;
/// the frames after it still decode.
public enum RemotingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The length field is below 4, too small to hold the header-length field.
    case frameTooShort(length: UInt32, offset: Int)
    /// The frame, length field included, would be larger than the limit.
    case frameOverLimit(length: UInt32, limit: Int, offset: Int)
    /// The serialize-type byte is neither 0 (JSON) nor 1 (ROCKETMQ).
    case unknownSerializeType(UInt8, offset: Int)
    /// The header-length field is over the limit.
    case headerOverLimit(length: Int, limit: Int, offset: Int)
    /// The header-length field claims more bytes than the frame holds after it.
    case headerBeyondFrame(headerLength: Int, room: Int, offset: Int)
    /// A JSON header or body is not well-formed JSON.
    case json(JSONError)
    /// A binary header is truncated, or a header field is missing, of the wrong type or out of
    /// range (the ``DecodeError`` names the field and its offset).
    case malformed(DecodeError)

    public var description: String {
        switch self {
        case .frameTooShort(let length, let offset):
            "frame length at byte \(offset) is \(length), below the minimum of 4"
        case .frameOverLimit(let length, let limit, let offset):
            "frame length at byte \(offset) is \(length), over the limit of \(limit - 4)"
        case .unknownSerializeType(let type, let offset):
            "unknown serialize type \(type) at byte \(offset) (0 = JSON, 1 = ROCKETMQ)"
        case .headerOverLimit(let length, let limit, let offset):
            "header length at byte \(offset) is \(length), over the limit of \(limit)"
        case .headerBeyondFrame(let headerLength, let room, let offset):
            "header length at byte \(offset) is \(headerLength), but the frame holds only \(room) bytes after it"
        case .json(let error):
            error.description
        case .malformed(let error):
            error.description
        }
    }
}
