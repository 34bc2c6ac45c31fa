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

    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet returned in a frame.
    private var readIndex = 0
    /// Stream offset of `buffer[0]`, so errors can say where in the connection they happened.
    private var bufferStreamOffset = 0
    private var failure: WireError?
    /// Storage kept across frames once the buffer drains.
    private static let retainedCapacity = 1 << 20

    /// A decoder that accepts frames of up to `maxFrameBytes` bytes, length field included.
    public init(maxFrameBytes: Int = WireLimits.default.maxFrameBytes) {
        precondition(maxFrameBytes >= Frame.headerSize, "a frame must at least hold its header")
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes received but not yet returned in a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Stream offset of the next byte ``next()`` will look at: the bytes returned in frames so far.
    public var streamOffset: Int { bufferStreamOffset + readIndex }

    /// Storage currently held, for tests that check memory stays bounded.
    package var bufferCapacity: Int { buffer.capacity }

    /// Appends bytes that arrived from the stream.
    public mutating func feed(_ chunk: some Collection<UInt8>) {
        if readIndex > 0 {
            bufferStreamOffset += readIndex
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: chunk)
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
        let length = load(UInt32.self, at: 0)
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
        let version = load(UInt8.self, at: Frame.versionOffset)
        if version != Frame.version {
            throw .unsupportedVersion(version, offset: start + Frame.versionOffset)
        }
        guard available >= Frame.headerSize else { return nil }
        let flags = FrameFlags(rawValue: load(UInt8.self, at: Frame.flagsOffset))
        if !flags.isSubset(of: .defined) {
            throw .reservedFlags(flags.rawValue, offset: start + Frame.flagsOffset)
        }
        guard available >= frameBytes else {
            // The length is within the limit: make room for the whole frame at once.
            buffer.reserveCapacity(readIndex + frameBytes)
            return nil
        }
        let frame = Frame(
            opcode: Opcode(rawValue: load(UInt16.self, at: Frame.opcodeOffset)),
            requestID: load(UInt64.self, at: Frame.requestIDOffset),
            flags: flags,
            payload: Array(buffer[readIndex + Frame.headerSize..<readIndex + frameBytes]))
        readIndex += frameBytes
        if readIndex == buffer.count {
            bufferStreamOffset += readIndex
            // Keep ordinary-sized storage for the next frames; give back what a rare large one took.
            buffer.removeAll(keepingCapacity: buffer.capacity <= FrameDecoder.retainedCapacity)
            readIndex = 0
        }
        return frame
    }

    /// The big-endian integer at `offset` bytes past `readIndex`; the caller checked the bounds.
    private func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        buffer.loadInteger(at: readIndex + offset)
    }
}
