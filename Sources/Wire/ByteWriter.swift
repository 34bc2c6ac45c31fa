/// An append-only buffer that encodes big-endian fields, the inverse of ``ByteReader``.
///
/// Keep one per connection and call ``removeAll()`` between uses: the storage is reused, so
/// steady-state encoding does not allocate.
public struct ByteWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to `buffer`, keeping what it already holds.
    public init(appendingTo buffer: [UInt8]) {
        bytes = buffer
    }

    /// Bytes written so far.
    public var count: Int { bytes.count }

    /// Forgets the contents but keeps the storage for the next message.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Drops everything after the first `count` bytes (to undo a partly written message).
    public mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= bytes.count, "truncate(to: \(count)) outside 0...\(bytes.count)")
        bytes.removeSubrange(count...)
    }

    private mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends one byte.
    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// Appends a big-endian `UInt16`.
    public mutating func writeUInt16(_ value: UInt16) { writeInteger(value) }

    /// Appends a big-endian `UInt32`.
    public mutating func writeUInt32(_ value: UInt32) { writeInteger(value) }

    /// Appends a big-endian `UInt64`.
    public mutating func writeUInt64(_ value: UInt64) { writeInteger(value) }

    /// Appends 1 for true, 0 for false.
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Appends a `UInt32` element count. A count above `UInt32.max` is a programmer error.
    public mutating func writeCount(_ count: Int) {
        precondition(count >= 0 && count <= Int(UInt32.max), "count \(count) does not fit a UInt32")
        writeUInt32(UInt32(count))
    }

    /// Appends a `UInt32` length and the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeCount(value.count)
        bytes.append(contentsOf: value)
    }

    /// Appends bytes with no length prefix.
    public mutating func writeRawBytes(_ value: some Sequence<UInt8>) {
        bytes.append(contentsOf: value)
    }

    /// Appends a `UInt32` length and the string's UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        writeCount(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    /// Appends a presence byte and, when `value` is not nil, what `write` encodes.
    public mutating func writeOptional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        writeBool(value != nil)
        if let value { write(&self, value) }
    }

    /// Overwrites four bytes at `index` with a big-endian `UInt32` (to fill in a length prefix).
    public mutating func patchUInt32(_ value: UInt32, at index: Int) {
        precondition(index >= 0 && index + 4 <= bytes.count, "patch at \(index) outside the buffer")
        withUnsafeBytes(of: value.bigEndian) { source in
            for offset in 0..<4 { bytes[index + offset] = source[offset] }
        }
    }
}
