/// Byte-wise equality of short UTF-8 texts (member and field names) without the generic
/// sequence comparison's per-byte iterator.
enum UTF8Equality {
    /// Whether `lhs` and `rhs` hold the same bytes.
    @inline(__always)
    static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count where lhs[index] != rhs[index] { return false }
        return true
    }

    /// Whether `text` holds the bytes of `name`.
    @inline(__always)
    static func equal(_ text: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        name.withUTF8Buffer { equal(text, $0) }
    }
}
