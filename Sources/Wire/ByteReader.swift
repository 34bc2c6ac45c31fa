/// A cursor over bytes that decodes big-endian fields. Every read checks bounds and limits first
/// and throws ``WireError`` naming the field and its byte offset; nothing allocates more than
/// the bytes that are actually present.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// Index in `bytes` of the next byte to read.
    public private(set) var position: Int
    /// Added to positions in error offsets, so a payload's errors can name frame offsets.
    public let baseOffset: Int

    /// A reader at the start of `bytes`; errors report `baseOffset + position`.
    public init(_ bytes: [UInt8], baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - position }

    /// The offset of the next byte as errors report it.
    public var offset: Int { baseOffset + position }

    private func require(_ count: Int, for field: String) throws(WireError) {
        if count > remaining {
            throw .truncated(field: field, offset: offset, needed: count, available: remaining)
        }
    }

    private mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, _ field: String
    ) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, for: field)
        let value = bytes.withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: position, as: T.self)) }
        position += size
        return value
    }

    /// Reads one byte.
    public mutating func readUInt8(_ field: String) throws(WireError) -> UInt8 {
        try readInteger(UInt8.self, field)
    }

    /// Reads a big-endian `UInt16`.
    public mutating func readUInt16(_ field: String) throws(WireError) -> UInt16 {
        try readInteger(UInt16.self, field)
    }

    /// Reads a big-endian `UInt32`.
    public mutating func readUInt32(_ field: String) throws(WireError) -> UInt32 {
        try readInteger(UInt32.self, field)
    }

    /// Reads a big-endian `UInt64`.
    public mutating func readUInt64(_ field: String) throws(WireError) -> UInt64 {
        try readInteger(UInt64.self, field)
    }

    /// Reads a byte that must be 0 (false) or 1 (true).
    public mutating func readBool(_ field: String) throws(WireError) -> Bool {
        let at = offset
        switch try readUInt8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .unknownEnumValue(field: field, value: UInt64(other), offset: at)
        }
    }

    /// Reads a one-byte enumeration through `init?(rawValue:)`.
    public mutating func readEnum<T: RawRepresentable>(_: T.Type, _ field: String) throws(WireError) -> T
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
    public mutating func readCount(_ field: String, limit: Int, minimumElementBytes: Int) throws(WireError) -> Int {
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
    public mutating func readBytes(_ field: String, limit: Int) throws(WireError) -> [UInt8] {
        let at = offset
        let length = try readUInt32(field)
        if UInt64(length) > UInt64(limit) {
            throw .lengthOverLimit(field: field, offset: at, length: UInt64(length), limit: limit)
        }
        return try readRawBytes(Int(length), field)
    }

    /// Reads exactly `count` bytes with no length prefix.
    public mutating func readRawBytes(_ count: Int, _ field: String) throws(WireError) -> [UInt8] {
        try require(count, for: field)
        let slice = bytes[position..<position + count]
        position += count
        return Array(slice)
    }

    /// Reads a `UInt32` length, then that many bytes of UTF-8; the length must not exceed `limit`.
    public mutating func readString(_ field: String, limit: Int) throws(WireError) -> String {
        let at = offset
        let length = try readUInt32(field)
        if UInt64(length) > UInt64(limit) {
            throw .lengthOverLimit(field: field, offset: at, length: UInt64(length), limit: limit)
        }
        try require(Int(length), for: field)
        let slice = bytes[position..<position + Int(length)]
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw .badUTF8(field: field, offset: offset)
        }
        position += Int(length)
        return string
    }

    /// Reads a presence byte (0 or 1) and, when present, the value `read` decodes.
    public mutating func readOptional<T>(
        _ field: String, _ read: (inout ByteReader) throws(WireError) -> T
    ) throws(WireError) -> T? {
        try readBool(field) ? try read(&self) : nil
    }

    /// Confirms that every byte was consumed.
    public func finish() throws(WireError) {
        if remaining > 0 { throw .trailingBytes(offset: offset, count: remaining) }
    }
}
