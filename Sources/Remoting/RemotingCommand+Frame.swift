import Bytes

extension RemotingCommand {
    /// Decodes `frame`'s header (JSON or binary, as its serialize type says); the body is the
    /// frame's body slice, not copied. Errors name stream offsets.
    public init(_ frame: RemotingFrame, limits: RemotingLimits = .default) throws(RemotingError) {
        switch frame.serializeType {
        case .json:
            self = try RemotingCommand.decodeJSONHeader(frame.header, headerOffset: frame.headerOffset, limits: limits)
        case .rocketMQ:
            self = try RemotingCommand.decodeBinaryHeader(frame.header, headerOffset: frame.headerOffset)
        }
        body = frame.body
    }

    /// Decodes exactly one complete frame (length field included), e.g. a test sample. Throws
    /// ``RemotingError/malformed(_:)`` with ``DecodeError/truncated(field:offset:needed:available:)``
    /// when `bytes` ends early and ``DecodeError/trailingBytes(offset:count:)`` when bytes follow.
    public static func decode(_ bytes: [UInt8], limits: RemotingLimits = .default) throws(RemotingError)
        -> RemotingCommand
    {
        var decoder = RemotingFrameDecoder(limits: limits)
        decoder.feed(bytes)
        guard let frame = try decoder.next() else {
            let needed = bytes.count >= 4 ? Int(bytes.loadInteger(at: 0, as: UInt32.self)) + 4 : 8
            throw .malformed(.truncated(field: "frame", offset: 0, needed: needed, available: bytes.count))
        }
        if decoder.bufferedByteCount > 0 {
            throw .malformed(.trailingBytes(offset: frame.encodedSize, count: decoder.bufferedByteCount))
        }
        return try RemotingCommand(frame, limits: limits)
    }

    /// Appends the command as one frame with a header of `serializeType`. Throws if the header
    /// exceeds the 24-bit header-length field, the frame the 32-bit length, or (binary) a field
    /// its width; `bytes` is then left as it was.
    public func encode(into bytes: inout [UInt8], as serializeType: SerializeType = .json) throws(EncodeError) {
        try Self.appendFrame(to: &bytes, serializeType: serializeType, body: body) { (bytes) throws(EncodeError) in
            switch serializeType {
            case .json: appendJSONHeader(to: &bytes)
            case .rocketMQ: try appendBinaryHeader(to: &bytes)
            }
        }
    }

    /// Appends one frame: the length fields, the header `appendHeader` appends (of
    /// `serializeType`), then `body`. Throws if the header exceeds the 24-bit header-length
    /// field or the frame the 32-bit length (or what `appendHeader` throws); `bytes` is then
    /// left as it was.
    static func appendFrame(
        to bytes: inout [UInt8], serializeType: SerializeType, body: ArraySlice<UInt8>,
        appendHeader: (inout [UInt8]) throws(EncodeError) -> Void
    ) throws(EncodeError) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: RemotingFrame.prefixSize))
        do throws(EncodeError) {
            try appendHeader(&bytes)
            let headerLength = bytes.count - start - RemotingFrame.prefixSize
            guard headerLength <= 0xFF_FFFF else {
                throw EncodeError(field: "header", count: headerLength, limit: 0xFF_FFFF)
            }
            let length = 4 + headerLength + body.count
            guard length <= Int32.max else { throw EncodeError(field: "frame", count: length, limit: Int(Int32.max)) }
            bytes.append(contentsOf: body)
            ByteWriter.append(to: &bytes) { writer in
                writer.patchUInt32(UInt32(length), at: start)
                writer.patchUInt32(UInt32(serializeType.rawValue) << 24 | UInt32(headerLength), at: start + 4)
            }
        } catch {
            bytes.removeSubrange(start...)
            throw error
        }
    }

    /// The command as one frame; see ``encode(into:as:)``.
    public func encoded(as serializeType: SerializeType = .json) throws(EncodeError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(into: &bytes, as: serializeType)
        return bytes
    }
}
