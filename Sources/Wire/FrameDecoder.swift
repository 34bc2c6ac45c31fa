import Bytes

/// Reassembles native-protocol frames from a byte stream that arrives in arbitrary chunks (see
/// ``StreamDecoder`` and ``WireFraming``).
public typealias FrameDecoder = StreamDecoder<WireFraming>

extension StreamDecoder where Cutter == WireFraming {
    /// A decoder that accepts frames of up to `maxFrameBytes` bytes, length field included.
    public init(maxFrameBytes: Int = WireLimits.default.maxFrameBytes) {
        self.init(WireFraming(maxFrameBytes: maxFrameBytes))
    }

    /// The largest frame accepted, length field included.
    public var maxFrameBytes: Int { cutter.maxFrameBytes }
}

/// The native protocol's framing (``Frame``). A frame whose length field exceeds the limit is
/// rejected as soon as its four length bytes arrive, before anything is allocated for it; each
/// header byte is checked as it arrives.
public struct WireFraming: FrameCutter {
    /// The largest frame accepted, length field included.
    public let maxFrameBytes: Int

    /// Framing that accepts frames of up to `maxFrameBytes` bytes, length field included.
    public init(maxFrameBytes: Int) {
        precondition(maxFrameBytes >= Frame.headerSize, "a frame must at least hold its header")
        self.maxFrameBytes = maxFrameBytes
    }

    /// The next frame at the front of `buffer`, or nil until it is complete.
    public func cut(from buffer: inout StreamBuffer) throws(WireError) -> Frame? {
        let available = buffer.count
        guard available >= 4 else { return nil }
        let start = buffer.streamOffset
        let length = buffer.load(UInt32.self, at: 0)
        if length < Frame.minimumLength {
            throw .frameTooShort(offset: start, length: length, minimum: Frame.minimumLength)
        }
        let frameBytes = Int(length) + 4
        if frameBytes > maxFrameBytes {
            throw .malformed(
                .lengthOverLimit(field: "frame length", offset: start, length: UInt64(length), limit: maxFrameBytes - 4)
            )
        }
        // Each header check runs as soon as its byte arrives, so a stranger is turned away early.
        guard available > Frame.versionOffset else { return nil }
        let version = buffer.load(UInt8.self, at: Frame.versionOffset)
        if version != Frame.version {
            throw .unsupportedVersion(version, offset: start + Frame.versionOffset)
        }
        guard available >= Frame.headerSize else { return nil }
        let flags = FrameFlags(rawValue: buffer.load(UInt8.self, at: Frame.flagsOffset))
        if !flags.isSubset(of: .defined) {
            throw .reservedFlags(flags.rawValue, offset: start + Frame.flagsOffset)
        }
        guard available >= frameBytes else {
            // The length is within the limit: make room for the whole frame at once.
            buffer.reserve(frameBytes: frameBytes)
            return nil
        }
        let opcode = Opcode(rawValue: buffer.load(UInt16.self, at: Frame.opcodeOffset))
        let requestID = buffer.load(UInt64.self, at: Frame.requestIDOffset)
        return Frame(
            opcode: opcode, requestID: requestID, flags: flags,
            payload: buffer.take(frameBytes, skipping: Frame.headerSize))
    }
}
