/// A cursor over `bytes[start..<end]` that decodes fixed-width integers (big-endian unless made
/// `.little`), byte runs and UTF-8 strings. Every read checks bounds and limits first and throws
/// ``DecodeError`` naming the field and its byte offset; nothing allocates more than the bytes
/// that are actually present, and nothing traps.
///
/// Error offsets count from `start`, plus `baseOffset`: a frame payload's reader passes the
/// header size so errors name frame offsets; a record's reader starts at the record, so errors
/// name offsets within it.
public struct ByteReader: Sendable {
    /// The bytes being read (only `start..<end` of them).
    public let bytes: [UInt8]
    /// Index in `bytes` of the first byte this reader covers.
    public let start: Int
    /// Index in `bytes` just past the last byte this reader covers.
    public let end: Int
    /// Added to offsets in errors.
    public let baseOffset: Int
    /// The byte order of the integers read.
    public let endianness: Endianness
    @usableFromInline var cursor: Int

    /// A reader of `bytes[start..<end]` (all of `bytes` by default). Errors report offsets
    /// from `start` plus `baseOffset`.
    public init(
        _ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, baseOffset: Int = 0, endianness: Endianness = .big
    ) {
        let end = end ?? bytes.count
        precondition(
            start >= 0 && start <= end && end <= bytes.count, "reader range \(start)..<\(end) outside the bytes")
        self.bytes = bytes
        self.start = start
        self.end = end
        self.baseOffset = baseOffset
        self.endianness = endianness
        cursor = start
    }

    /// Index in ``bytes`` of the next byte to read.
    @inlinable public var position: Int { cursor }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { end - cursor }

    /// The offset of the next byte as errors report it.
    @inlinable public var offset: Int { baseOffset + cursor - start }

    /// Throws unless `count` (≥ 0) more bytes remain for `field`.
    @inlinable
    public func require(_ count: Int, for field: String) throws(DecodeError) {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: field, offset: offset, needed: count, available: remaining)
        }
    }

    /// Reads an integer of `T`'s width in the reader's byte order.
    @inlinable
    public mutating func readInteger<T: FixedWidthInteger>(_ field: String, as _: T.Type = T.self) throws(DecodeError)
        -> T
    {
        let size = MemoryLayout<T>.size
        try require(size, for: field)
        let value = bytes.loadInteger(at: cursor, as: T.self, endianness)
        cursor += size
        return value
    }

    /// Reads one byte.
    @inlinable
    public mutating func readUInt8(_ field: String) throws(DecodeError) -> UInt8 { try readInteger(field) }

    /// Reads a `UInt16`.
    @inlinable
    public mutating func readUInt16(_ field: String) throws(DecodeError) -> UInt16 { try readInteger(field) }

    /// Reads a `UInt32`.
    @inlinable
    public mutating func readUInt32(_ field: String) throws(DecodeError) -> UInt32 { try readInteger(field) }

    /// Reads a `UInt64`.
    @inlinable
    public mutating func readUInt64(_ field: String) throws(DecodeError) -> UInt64 { try readInteger(field) }

    /// Reads an `Int32` (two's complement).
    @inlinable
    public mutating func readInt32(_ field: String) throws(DecodeError) -> Int32 { try readInteger(field) }

    /// Reads an `Int64` (two's complement).
    @inlinable
    public mutating func readInt64(_ field: String) throws(DecodeError) -> Int64 { try readInteger(field) }

    /// Reads a byte that must be 0 (false) or 1 (true).
    public mutating func readBool(_ field: String) throws(DecodeError) -> Bool {
        let at = offset
        switch try readUInt8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .unknownEnumValue(field: field, value: UInt64(other), offset: at)
        }
    }

    /// Reads a one-byte enumeration through `init?(rawValue:)`.
    public mutating func readEnum<T: RawRepresentable>(_: T.Type, _ field: String) throws(DecodeError) -> T
    where T.RawValue == UInt8 {
        let at = offset
        let raw = try readUInt8(field)
        guard let value = T(rawValue: raw) else {
            throw .unknownEnumValue(field: field, value: UInt64(raw), offset: at)
        }
        return value
    }

    /// Reads a `UInt32` count of elements that each take at least `minimumElementBytes` bytes.
    /// Throws if the count exceeds `limit`, or if the remaining bytes cannot hold that many
    /// elements — so the caller may reserve capacity for the result safely.
    public mutating func readCount(_ field: String, limit: Int, minimumElementBytes: Int) throws(DecodeError) -> Int {
        let at = offset
        let count = try readUInt32(field)
        if UInt64(count) > UInt64(limit) {
            throw .lengthOverLimit(field: field, offset: at, length: UInt64(count), limit: limit)
        }
        let needed = Int(count) * minimumElementBytes
        if needed > remaining {
            throw .truncated(field: field, offset: offset, needed: needed, available: remaining)
        }
        return Int(count)
    }

    /// Reads a `UInt32` length, then that many bytes; the length must not exceed `limit`.
    public mutating func readBytes(_ field: String, limit: Int) throws(DecodeError) -> [UInt8] {
        try readRawBytes(try readLength(field, limit: limit), field)
    }

    /// Reads exactly `count` bytes with no length prefix.
    @inlinable
    public mutating func readRawBytes(_ count: Int, _ field: String) throws(DecodeError) -> [UInt8] {
        try require(count, for: field)
        defer { cursor += count }
        return Array(bytes[cursor..<cursor + count])
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int, _ field: String) throws(DecodeError) {
        try require(count, for: field)
        cursor += count
    }

    /// Reads a `UInt32` length, then that many bytes of UTF-8; the length must not exceed `limit`.
    public mutating func readString(_ field: String, limit: Int) throws(DecodeError) -> String {
        try readString(count: try readLength(field, limit: limit), field)
    }

    /// Reads a `UInt16` length, then that many bytes of UTF-8. The length is reported as the
    /// field `"<field> length"`.
    public mutating func readShortString(_ field: String) throws(DecodeError) -> String {
        try readString(count: Int(try readUInt16("\(field) length")), field)
    }

    /// Reads exactly `count` bytes of UTF-8 with no length prefix.
    public mutating func readString(count: Int, _ field: String) throws(DecodeError) -> String {
        try require(count, for: field)
        guard let string = String(validating: bytes[cursor..<cursor + count], as: UTF8.self) else {
            throw .invalidUTF8(field: field, offset: offset)
        }
        cursor += count
        return string
    }

    /// Reads exactly `count` bytes that must be UTF-8, as a slice of ``bytes`` (no copy).
    public mutating func readUTF8(count: Int, _ field: String) throws(DecodeError) -> ArraySlice<UInt8> {
        try require(count, for: field)
        let text = bytes[cursor..<cursor + count]
        guard String.isValidUTF8(text) else {
            throw .invalidUTF8(field: field, offset: offset)
        }
        cursor += count
        return text
    }

    /// Reads a presence byte (0 or 1) and, when present, the value `read` decodes.
    public mutating func readOptional<T>(
        _ field: String, _ read: (inout ByteReader) throws(DecodeError) -> T
    ) throws(DecodeError) -> T? {
        try readBool(field) ? try read(&self) : nil
    }

    /// Confirms that every byte was consumed.
    public func finish() throws(DecodeError) {
        if remaining > 0 { throw .trailingBytes(offset: offset, count: remaining) }
    }

    /// A `UInt32` length no larger than `limit`.
    private mutating func readLength(_ field: String, limit: Int) throws(DecodeError) -> Int {
        let at = offset
        let length = try readUInt32(field)
        if UInt64(length) > UInt64(limit) {
            throw .lengthOverLimit(field: field, offset: at, length: UInt64(length), limit: limit)
        }
        return Int(length)
    }
}
