import Bytes

/// Reassembles frames from a byte stream that arrives in arbitrary chunks.
///
/// Feed each chunk as it is read from the socket, then call ``next()`` until it returns nil.
/// A frame whose length field exceeds the limit is rejected as soon as its four length bytes
/// arrive, before anything is allocated for it; the decoder holds at most one incomplete frame
/// plus the unread part of the last chunk.
///
/// After ``next()`` throws, the stream is out of step and every later call throws the same
/// error: close the connection.
public struct FrameDecoder: Sendable {
    /// The largest frame accepted, length field included.
    public let maxFrameBytes: Int

    /// Bytes not yet returned in a frame, and their stream offset for errors.
    private var buffer = StreamBuffer()
    private var failure: WireError?

    /// A decoder that accepts frames of up to `maxFrameBytes` bytes, length field included.
    public init(maxFrameBytes: Int = WireLimits.default.maxFrameBytes) {
        precondition(maxFrameBytes >= Frame.headerSize, "a frame must at least hold its header")
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes received but not yet returned in a frame.
    public var bufferedByteCount: Int { buffer.count }

    /// Stream offset of the next byte ``next()`` will look at: the bytes returned in frames so far.
    public var streamOffset: Int { buffer.streamOffset }

    /// Storage currently held, for tests that check memory stays bounded.
    package var bufferCapacity: Int { buffer.capacity }

    /// Appends bytes that arrived from the stream.
    public mutating func feed(_ chunk: some Collection<UInt8>) {
        buffer.append(chunk)
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func next() throws(WireError) -> Frame? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeNext() throws(WireError) -> Frame? {
        let available = bufferedByteCount
        guard available >= 4 else { return nil }
        let start = streamOffset
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
