/// HMAC (RFC 2104, FIPS 198-1) over any ``HashFunction``: `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))`,
/// where a key longer than the hash's block is first hashed, and a shorter one zero-padded.
///
/// Incremental like the hash: ``update(_:)`` any number of times, then ``finalize()`` once.
/// Compare a received authentication code with ``constantTimeEquals(_:_:)``, never `==`.
public struct HMAC<Hash: HashFunction> {
    private var inner: Hash
    /// The padded key XOR `opad`, for the outer hash.
    private let outerKeyPad: [UInt8]

    /// A code keyed with `key` (any length) over no input yet.
    public init(key: [UInt8]) {
        var block = key.count > Hash.blockByteCount ? Hash.hash(key) : key
        block += [UInt8](repeating: 0, count: Hash.blockByteCount - block.count)
        inner = Hash()
        inner.update(block.map { $0 ^ 0x36 })
        outerKeyPad = block.map { $0 ^ 0x5C }
    }

    /// Appends `bytes` to the authenticated input.
    public mutating func update(_ bytes: [UInt8]) { inner.update(bytes) }

    /// Appends `bytes` to the authenticated input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }

    /// The authentication code (``HashFunction/digestByteCount`` bytes); the value is spent afterwards.
    public mutating func finalize() -> [UInt8] {
        var outer = Hash()
        outer.update(outerKeyPad)
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// The code of `message` under `key`, in one call.
    public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        var hmac = HMAC(key: key)
        hmac.update(message)
        return hmac.finalize()
    }
}

extension HMAC: Sendable where Hash: Sendable {}
