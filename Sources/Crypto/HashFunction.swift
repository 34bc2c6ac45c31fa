/// A cryptographic hash with the Merkle–Damgård shape HMAC needs: a fixed block size, a fixed
/// digest size, and incremental input.
///
/// Feed bytes with ``update(_:)`` any number of times, then call ``finalize()`` once; a value
/// must not be updated after it was finalized (a programmer error, checked by a precondition).
public protocol HashFunction {
    /// Bytes the compression function takes at a time (64 for SHA-1 and SHA-256).
    static var blockByteCount: Int { get }
    /// Bytes of the digest (20 for SHA-1, 32 for SHA-256).
    static var digestByteCount: Int { get }

    /// A fresh hash over no input.
    init()

    /// Appends `bytes` to the input.
    mutating func update(_ bytes: UnsafeRawBufferPointer)

    /// The digest of everything appended so far; the value is spent afterwards.
    mutating func finalize() -> [UInt8]
}

extension HashFunction {
    /// Appends `bytes` to the input.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Appends the UTF-8 bytes of `text` to the input.
    public mutating func update(_ text: String) {
        update(Array(text.utf8))
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hash = Self()
        hash.update(bytes)
        return hash.finalize()
    }
}
