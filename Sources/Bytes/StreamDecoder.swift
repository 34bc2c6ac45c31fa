/// One protocol's framing: how to cut the next frame from the front of a ``StreamBuffer``.
public protocol FrameCutter: Sendable {
    associatedtype Frame: Sendable
    associatedtype Failure: Error & Sendable

    /// Takes the next complete frame from the front of `buffer`, or returns nil (taking nothing)
    /// until more bytes arrive. Throws as soon as the bytes present cannot start a valid frame,
    /// before buffering the rest of it; errors name stream offsets (`buffer.streamOffset` is the
    /// frame's first byte).
    func cut(from buffer: inout StreamBuffer) throws(Failure) -> Frame?
}

/// Reassembles frames from a byte stream that arrives in arbitrary chunks, with the framing
/// `Cutter` defines: our own protocol's (`Wire.FrameDecoder`) or RocketMQ's
/// (`Remoting.RemotingFrameDecoder`).
///
/// Feed each chunk as it is read from the socket, then call ``next()`` until it returns nil. The
/// decoder holds at most one incomplete frame plus the unread part of the last chunk.
///
/// After ``next()`` throws, the stream is out of step and every later call throws the same
/// error: close the connection.
public struct StreamDecoder<Cutter: FrameCutter>: Sendable {
    /// The framing and its limits.
    public let cutter: Cutter
    /// Bytes not yet returned in a frame, and their stream offset for errors.
    private var buffer = StreamBuffer()
    private var failure: Cutter.Failure?

    /// A decoder that cuts frames with `cutter`.
    public init(_ cutter: Cutter) {
        self.cutter = cutter
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
    public mutating func next() throws(Cutter.Failure) -> Cutter.Frame? {
        if let failure { throw failure }
        do throws(Cutter.Failure) {
            return try cutter.cut(from: &buffer)
        } catch {
            failure = error
            throw error
        }
    }
}
