/// The message buffering and padding SHA-1 and SHA-256 share (FIPS 180-4 §5.1.1): input is cut
/// into 64-byte blocks; the last is padded with `0x80`, zeros, and the message length in bits
/// as a big-endian 64-bit number.
struct MerkleDamgard {
    /// Bytes of one block.
    static let blockByteCount = 64

    /// Input not yet compressed: fewer than ``blockByteCount`` bytes.
    private var pending: [UInt8] = []
    /// Input bytes seen so far.
    private var length: UInt64 = 0
    /// Set by ``finish(_:)``; no input may follow.
    private(set) var isFinished = false

    init() { pending.reserveCapacity(MerkleDamgard.blockByteCount) }

    /// Appends `bytes`, calling `compress` with every block that completes, in order.
    mutating func update(_ bytes: UnsafeRawBufferPointer, _ compress: (UnsafeRawBufferPointer) -> Void) {
        precondition(!isFinished, "hash updated after it was finalized")
        let size = MerkleDamgard.blockByteCount
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let taken = min(size - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<taken])
            offset = taken
            guard pending.count == size else { return }
            pending.withUnsafeBytes { compress($0) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= size {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size]))
            offset += size
        }
        pending.append(contentsOf: bytes[offset..<bytes.count])
    }

    /// Pads the input and compresses the last one or two blocks.
    mutating func finish(_ compress: (UnsafeRawBufferPointer) -> Void) {
        precondition(!isFinished, "hash finalized twice")
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % MerkleDamgard.blockByteCount != MerkleDamgard.blockByteCount - 8 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> shift)) }
        tail.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                compress(UnsafeRawBufferPointer(rebasing: all[start..<start + MerkleDamgard.blockByteCount]))
                start += MerkleDamgard.blockByteCount
            }
        }
        pending.removeAll()
        isFinished = true
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian 32-bit word at byte `offset`.
    @inline(__always)
    func bigEndianWord(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }
}

extension Array where Element == UInt8 {
    /// Appends `words`, each as four big-endian bytes.
    mutating func appendBigEndian(_ words: some Sequence<UInt32>) {
        for word in words {
            append(UInt8(truncatingIfNeeded: word >> 24))
            append(UInt8(truncatingIfNeeded: word >> 16))
            append(UInt8(truncatingIfNeeded: word >> 8))
            append(UInt8(truncatingIfNeeded: word))
        }
    }
}
