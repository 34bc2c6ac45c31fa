import Bytes

/// Reassembles RocketMQ remoting frames from a byte stream that arrives in arbitrary chunks (see
/// ``StreamDecoder`` and ``RemotingFraming``); decode each frame's header with
/// ``RemotingCommand/init(_:limits:)``.
public typealias RemotingFrameDecoder = StreamDecoder<RemotingFraming>

extension StreamDecoder where Cutter == RemotingFraming {
    /// A decoder that enforces `limits`' frame and header sizes.
    public init(limits: RemotingLimits = .default) {
        self.init(RemotingFraming(limits: limits))
    }

    /// The bounds it enforces.
    public var limits: RemotingLimits { cutter.limits }
}

/// RocketMQ's framing (``RemotingFrame``). Each check runs as soon as its bytes arrive, before
/// anything is allocated for the frame: the length against the frame limit (4 bytes in), the
/// serialize type (5), the header length against the header limit and against the frame (8).
public struct RemotingFraming: FrameCutter {
    public let limits: RemotingLimits

    /// Framing that enforces `limits`' frame and header sizes.
    public init(limits: RemotingLimits) {
        self.limits = limits
    }

    /// The next frame at the front of `buffer`, or nil until it is complete.
    public func cut(from buffer: inout StreamBuffer) throws(RemotingError) -> RemotingFrame? {
        let available = buffer.count
        guard available >= 4 else { return nil }
        let start = buffer.streamOffset
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
