/// An append-only buffer that encodes fixed-width integers (big-endian unless made `.little`),
/// byte runs and UTF-8 strings: the inverse of ``ByteReader``.
///
/// Keep one per connection and call ``removeAll()`` between uses: the storage is reused, so
/// steady-state encoding does not allocate. To append to an array owned elsewhere without
/// copying it, use ``append(to:_:_:)``.
public struct ByteWriter: Sendable {
    /// The byte order of the integers written.
    public let endianness: Endianness
    @usableFromInline var storage: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 0, endianness: Endianness = .big) {
        storage = []
        storage.reserveCapacity(capacity)
        self.endianness = endianness
    }

    /// A writer that appends to `buffer`, keeping what it already holds.
    public init(appendingTo buffer: [UInt8], endianness: Endianness = .big) {
        storage = buffer
        self.endianness = endianness
    }

    /// Runs `body` with a writer that appends to `buffer` in place: the array's storage is moved
    /// into the writer and back, never copied, so its capacity is kept.
    @inlinable
    public static func append<R, E: Error>(
        to buffer: inout [UInt8], _ endianness: Endianness = .big, _ body: (inout ByteWriter) throws(E) -> R
    ) throws(E) -> R {
        var writer = ByteWriter(capacity: 0, endianness: endianness)
        swap(&writer.storage, &buffer)
        defer { swap(&writer.storage, &buffer) }
        return try body(&writer)
    }

    /// Everything written so far.
    @inlinable public var bytes: [UInt8] { storage }

    /// Bytes written so far.
    @inlinable public var count: Int { storage.count }

    /// Forgets the contents but keeps the storage for the next message.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
    }

    /// Drops the first `count` bytes (already consumed by a reader of this buffer), moving the
    /// rest to the front.
    public mutating func removeFirst(_ count: Int) {
        precondition(count >= 0 && count <= storage.count, "removeFirst(\(count)) outside 0...\(storage.count)")
        storage.removeSubrange(..<count)
    }

    /// Drops everything after the first `count` bytes (to undo a partly written message).
    public mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= storage.count, "truncate(to: \(count)) outside 0...\(storage.count)")
        storage.removeSubrange(count...)
    }

    /// Appends `value` in the writer's byte order.
    @inlinable
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.encoded(endianness)) { storage.append(contentsOf: $0) }
    }

    /// Appends one byte.
    @inlinable public mutating func writeUInt8(_ value: UInt8) { storage.append(value) }

    /// Appends a `UInt16`.
    @inlinable public mutating func writeUInt16(_ value: UInt16) { writeInteger(value) }

    /// Appends a `UInt32`.
    @inlinable public mutating func writeUInt32(_ value: UInt32) { writeInteger(value) }

    /// Appends a `UInt64`.
    @inlinable public mutating func writeUInt64(_ value: UInt64) { writeInteger(value) }

    /// Appends an `Int32` (two's complement).
    @inlinable public mutating func writeInt32(_ value: Int32) { writeInteger(value) }

    /// Appends an `Int64` (two's complement).
    @inlinable public mutating func writeInt64(_ value: Int64) { writeInteger(value) }

    /// Appends 1 for true, 0 for false.
    @inlinable public mutating func writeBool(_ value: Bool) { storage.append(value ? 1 : 0) }

    /// Appends a `UInt32` element count. A count above `UInt32.max` is a programmer error.
    public mutating func writeCount(_ count: Int) {
        precondition(count >= 0 && count <= Int(UInt32.max), "count \(count) does not fit a UInt32")
        writeUInt32(UInt32(count))
    }

    /// Appends `count` as a `T` length or count field, or throws ``EncodeError`` naming `field`
    /// when it does not fit (for formats whose values are not bounded before encoding).
    @inlinable
    public mutating func writeLength<T: FixedWidthInteger & UnsignedInteger>(
        _ count: Int, as _: T.Type, _ field: String
    ) throws(EncodeError) {
        guard let value = T(exactly: count) else {
            throw EncodeError(field: field, count: count, limit: Int(clamping: T.max))
        }
        writeInteger(value)
    }

    /// Appends a `UInt32` length and the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeCount(value.count)
        storage.append(contentsOf: value)
    }

    /// Appends bytes with no length prefix.
    @inlinable
    public mutating func writeRawBytes(_ value: some Sequence<UInt8>) {
        storage.append(contentsOf: value)
    }

    /// Appends a `UInt32` length and the string's UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        writeCount(value.utf8.count)
        storage.append(contentsOf: value.utf8)
    }

    /// Appends a `UInt16` length and the string's UTF-8 bytes; throws if it is over 65,535 bytes.
    public mutating func writeShortString(_ value: String, _ field: String) throws(EncodeError) {
        try writeLength(value.utf8.count, as: UInt16.self, field)
        storage.append(contentsOf: value.utf8)
    }

    /// Appends a presence byte and, when `value` is not nil, what `write` encodes.
    public mutating func writeOptional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        writeBool(value != nil)
        if let value { write(&self, value) }
    }

    /// Overwrites four bytes at `index` with a `UInt32` in the writer's byte order (to fill in
    /// a length prefix).
    public mutating func patchUInt32(_ value: UInt32, at index: Int) {
        precondition(index >= 0 && index + 4 <= storage.count, "patch at \(index) outside the buffer")
        storage.withUnsafeMutableBytes {
            $0.storeBytes(of: value.encoded(endianness), toByteOffset: index, as: UInt32.self)
        }
    }
}
