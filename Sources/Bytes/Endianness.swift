/// The byte order of multi-byte integers in an encoding.
///
/// Everything that crosses the network or follows RocketMQ's layouts is big-endian; the log
/// store's own files are little-endian (see `Sources/LogStore/FORMAT.md`).
public enum Endianness: Sendable, Hashable {
    /// Most significant byte first (network order).
    case big
    /// Least significant byte first.
    case little
}

extension FixedWidthInteger {
    /// `self` with its bytes in `endianness` order, ready to store.
    @inlinable
    public func encoded(_ endianness: Endianness) -> Self {
        endianness == .big ? bigEndian : littleEndian
    }

    /// The value whose bytes, in `endianness` order, were loaded as `raw`.
    @inlinable
    public init(decoding raw: Self, _ endianness: Endianness) {
        self = endianness == .big ? Self(bigEndian: raw) : Self(littleEndian: raw)
    }
}

extension UnsafeRawBufferPointer {
    /// The integer stored at `offset` in `endianness` order. Unchecked: the caller has made
    /// sure `offset + MemoryLayout<T>.size <= count` (a ``ByteReader`` checks for you).
    @inlinable
    public func loadInteger<T: FixedWidthInteger>(
        at offset: Int, as _: T.Type = T.self, _ endianness: Endianness = .big
    )
        -> T
    {
        T(decoding: loadUnaligned(fromByteOffset: offset, as: T.self), endianness)
    }
}

extension Array where Element == UInt8 {
    /// The integer stored at `offset` in `endianness` order. Unchecked, like
    /// ``Swift/UnsafeRawBufferPointer/loadInteger(at:as:_:)``: for fixed layouts whose bounds
    /// the caller has already checked (packed queue entries, a header read in full).
    @inlinable
    public func loadInteger<T: FixedWidthInteger>(
        at offset: Int, as type: T.Type = T.self, _ endianness: Endianness = .big
    )
        -> T
    {
        withUnsafeBytes { $0.loadInteger(at: offset, as: type, endianness) }
    }
}
