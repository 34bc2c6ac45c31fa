/// The bytes a stream decoder has received but not yet consumed, with their position in the
/// stream: the buffering both frame decoders (ours and RocketMQ's) share.
///
/// Chunks are appended as they arrive; a decoder inspects the front with ``load(_:at:)`` and
/// ``subscript(_:)``, then ``take(_:skipping:)`` copies one frame out and consumes it. Consumed
/// bytes are dropped lazily, at the next append, so a chunk holding many frames is not shifted
/// once per frame; storage grown for a rare large frame is given back once the buffer drains.
public struct StreamBuffer: Sendable {
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first unconsumed byte.
    private var readIndex = 0
    /// Stream offset of `buffer[0]`.
    private var bufferStreamOffset = 0
    /// Storage kept across frames once the buffer drains.
    private static let retainedCapacity = 1 << 20

    /// An empty buffer at stream offset 0.
    public init() {}

    /// Bytes received but not yet consumed.
    public var count: Int { buffer.count - readIndex }

    /// Stream offset of the first unconsumed byte: the bytes consumed so far.
    public var streamOffset: Int { bufferStreamOffset + readIndex }

    /// Storage currently held, for tests that check memory stays bounded.
    public var capacity: Int { buffer.capacity }

    /// Appends bytes that arrived from the stream.
    public mutating func append(_ chunk: some Collection<UInt8>) {
        if readIndex > 0 {
            bufferStreamOffset += readIndex
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The unconsumed byte at `offset` (< ``count``).
    public subscript(offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < count, "offset \(offset) outside the \(count) buffered bytes")
        return buffer[readIndex + offset]
    }

    /// The big-endian integer at `offset` bytes into the unconsumed bytes, which must hold it.
    public func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count, "load at \(offset) outside the buffer")
        return buffer.loadInteger(at: readIndex + offset)
    }

    /// Makes room for `frameBytes` unconsumed bytes at once, for a frame whose length is known
    /// and within its decoder's limit.
    public mutating func reserve(frameBytes: Int) {
        buffer.reserveCapacity(readIndex + frameBytes)
    }

    /// Consumes the first `frameBytes` bytes (≤ ``count``) and returns a copy of them without
    /// their first `skipping` bytes (the frame's prefix).
    public mutating func take(_ frameBytes: Int, skipping: Int = 0) -> [UInt8] {
        precondition(skipping >= 0 && skipping <= frameBytes && frameBytes <= count, "take past the buffered bytes")
        let bytes = Array(buffer[readIndex + skipping..<readIndex + frameBytes])
        readIndex += frameBytes
        if readIndex == buffer.count {
            bufferStreamOffset += readIndex
            // Keep ordinary-sized storage for the next frames; give back what a rare large one took.
            buffer.removeAll(keepingCapacity: buffer.capacity <= StreamBuffer.retainedCapacity)
            readIndex = 0
        }
        return bytes
    }
}
