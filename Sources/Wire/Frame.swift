import Bytes
import LedgerModel

/// The flags byte of a frame header.
public struct FrameFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The frame answers the request with the same request id.
    public static let response = FrameFlags(rawValue: 1)
    /// No response is expected (Raft messages).
    public static let oneWay = FrameFlags(rawValue: 2)
    /// The response is an ``ErrorResponse``; only together with `response`.
    public static let error = FrameFlags(rawValue: 4)
    /// A client request signed with an ACL account: the payload starts with the
    /// ``RequestSignature`` fields (PROTOCOL.md, "Signed requests").
    public static let signed = FrameFlags(rawValue: 8)
    /// Every bit with a meaning; the others must be zero.
    public static let defined: FrameFlags = [.response, .oneWay, .error, .signed]

    public var description: String {
        var names: [String] = []
        if contains(.response) { names.append("response") }
        if contains(.oneWay) { names.append("oneWay") }
        if contains(.error) { names.append("error") }
        if contains(.signed) { names.append("signed") }
        if !subtracting(.defined).isEmpty { names.append("0x\(String(rawValue, radix: 16))") }
        return "[\(names.joined(separator: ", "))]"
    }
}

/// One unit of the native protocol: a header and an opaque payload.
///
/// On the wire, big-endian:
/// ```
/// u32 length   bytes after this field (12 + payload size)
/// u8  version  1
/// u16 opcode
/// u64 request id
/// u8  flags    response = 1, oneWay = 2, error = 4
/// ... payload
/// ```
public struct Frame: Sendable, Hashable {
    /// The protocol version this build reads and writes.
    public static let version: UInt8 = 1
    /// Bytes before the payload, length field included.
    public static let headerSize = 16
    /// Bytes of the header after the length field; the smallest legal length value.
    public static let minimumLength = headerSize - 4

    // Offsets of the header fields from the start of the frame, for error messages.
    static let versionOffset = 4
    static let opcodeOffset = 5
    static let requestIDOffset = 7
    static let flagsOffset = 15

    public var opcode: Opcode
    /// Chosen by the requester; a response carries the id of its request. Zero for one-way frames
    /// by convention, though any value is legal.
    public var requestID: UInt64
    public var flags: FrameFlags
    public var payload: [UInt8]

    public init(opcode: Opcode, requestID: UInt64, flags: FrameFlags, payload: [UInt8]) {
        self.opcode = opcode
        self.requestID = requestID
        self.flags = flags
        self.payload = payload
    }

    /// Bytes this frame takes on the wire.
    public var encodedSize: Int { Frame.headerSize + payload.count }

    /// Decodes exactly one complete frame, e.g. one read from a datagram or a file.
    /// Throws ``WireError/malformed(_:)`` with ``DecodeError/truncated(field:offset:needed:available:)``
    /// when `bytes` ends early and ``DecodeError/trailingBytes(offset:count:)`` when bytes follow
    /// the frame.
    public static func decode(_ bytes: [UInt8], maxFrameBytes: Int = WireLimits.default.maxFrameBytes)
        throws(WireError) -> Frame
    {
        var decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
        decoder.feed(bytes)
        guard let frame = try decoder.next() else {
            var needed = Frame.headerSize
            if bytes.count >= 4 { needed = Int(bytes.loadInteger(at: 0, as: UInt32.self)) + 4 }
            throw .malformed(.truncated(field: "frame", offset: 0, needed: needed, available: bytes.count))
        }
        if decoder.bufferedByteCount > 0 {
            throw .malformed(.trailingBytes(offset: frame.encodedSize, count: decoder.bufferedByteCount))
        }
        return frame
    }
}

extension ByteWriter {
    /// Appends one frame whose payload `writePayload` writes directly into this buffer; the
    /// length is filled in afterwards, so the payload is never copied.
    ///
    /// Throws ``WireError/malformed(_:)`` with ``DecodeError/lengthOverLimit(field:offset:length:limit:)``
    /// if the frame would exceed `maxFrameBytes`; the writer is then left exactly as it was.
    public mutating func writeFrame(
        opcode: Opcode, requestID: UInt64, flags: FrameFlags,
        maxFrameBytes: Int = WireLimits.default.maxFrameBytes,
        payload writePayload: (inout ByteWriter) -> Void
    ) throws(WireError) {
        let start = count
        writeUInt32(0)
        writeUInt8(Frame.version)
        writeUInt16(opcode.rawValue)
        writeUInt64(requestID)
        writeUInt8(flags.rawValue)
        writePayload(&self)
        let frameBytes = count - start
        if frameBytes > maxFrameBytes {
            truncate(to: start)
            throw .malformed(
                .lengthOverLimit(field: "frame length", offset: start, length: UInt64(frameBytes), limit: maxFrameBytes)
            )
        }
        patchUInt32(UInt32(frameBytes - 4), at: start)
    }

    /// Appends `frame` as it is.
    public mutating func writeFrame(_ frame: Frame, maxFrameBytes: Int = WireLimits.default.maxFrameBytes)
        throws(WireError)
    {
        try writeFrame(
            opcode: frame.opcode, requestID: frame.requestID, flags: frame.flags, maxFrameBytes: maxFrameBytes
        ) {
            $0.writeRawBytes(frame.payload)
        }
    }
}
