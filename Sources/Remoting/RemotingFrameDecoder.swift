import Bytes

/// Reassembles RocketMQ remoting frames from a byte stream that arrives in arbitrary chunks.
///
/// Feed each chunk as it is read from the socket, then call ``next()`` until it returns nil;
/// decode each frame's header with ``RemotingCommand/init(_:limits:)``. Each check runs as soon
/// as its bytes arrive, before anything is allocated for the frame: the length against the
/// frame limit (4 bytes in), the serialize type (5), the header length against the header
/// limit and against the frame (8). The decoder holds at most one incomplete frame plus the
/// unread part of the last chunk.
///
/// After ``next()`` throws, the stream is out of step and every later call throws the same
/// error: close the connection.
public struct RemotingFrameDecoder: Sendable {
    public let limits: RemotingLimits

    /// Bytes not yet returned in a frame, and their stream offset for errors.
    private var buffer = StreamBuffer()
    private var failure: RemotingError?

    /// A decoder that enforces `limits`' frame and header sizes.
    public init(limits: RemotingLimits = .default) {
        self.limits = limits
    }

    /// Bytes received but not yet returned in a frame.
    public var bufferedByteCount: Int { buffer.count }

    /// Stream offset of the next byte ``next()`` will look at.
    public var streamOffset: Int { buffer.streamOffset }

    /// Storage currently held, for tests that check memory stays bounded.
    package var bufferCapacity: Int { buffer.capacity }

    /// Appends bytes that arrived from the stream.
    public mutating func feed(_ chunk: some Collection<UInt8>) {
        buffer.append(chunk)
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func next() throws(RemotingError) -> RemotingFrame? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeNext() throws(RemotingError) -> RemotingFrame? {
        let available = bufferedByteCount
        guard available >= 4 else { return nil }
        let start = streamOffset
        let length = buffer.load(UInt32.self, at: 0)
        if length < 4 { throw .frameTooShort(length: length, offset: start) }
        if UInt64(length) + 4 > UInt64(limits.maxFrameBytes) {
            throw .frameOverLimit(length: length, limit: limits.maxFrameBytes, offset: start)
        }
        let frameBytes = Int(length) + 4
        guard available > 4 else { return nil }
        guard let serializeType = SerializeType(rawValue: buffer[4]) else {
            throw .unknownSerializeType(buffer[4], offset: start + 4)
        }
        guard available >= RemotingFrame.prefixSize else { return nil }
        let headerLength = Int(buffer.load(UInt32.self, at: 4) & 0xFF_FFFF)
        if headerLength > limits.maxHeaderBytes {
            throw .headerOverLimit(length: headerLength, limit: limits.maxHeaderBytes, offset: start + 4)
        }
        if headerLength > frameBytes - RemotingFrame.prefixSize {
            throw .headerBeyondFrame(
                headerLength: headerLength, room: frameBytes - RemotingFrame.prefixSize, offset: start + 4)
        }
        guard available >= frameBytes else {
            // The lengths are within the limits: make room for the whole frame at once.
            buffer.reserve(frameBytes: frameBytes)
            return nil
        }
        // The one copy: header and body are slices of it.
        let bytes = buffer.take(frameBytes, skipping: RemotingFrame.prefixSize)
        return RemotingFrame(
            streamOffset: start, serializeType: serializeType, header: bytes[0..<headerLength],
            body: bytes[headerLength...])
    }
}
