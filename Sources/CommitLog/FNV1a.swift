/// 64-bit FNV-1a over bytes: the same on every platform and run, unlike `Hasher` (the key index
/// files keep these hashes; unique keys are fingerprinted with it).
enum FNV1a {
    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    static func mix(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }

    /// The hash of `bytes` continued from `hash`.
    static func hash(_ bytes: some Sequence<UInt8>, from hash: UInt64 = offsetBasis) -> UInt64 {
        bytes.reduce(hash, mix)
    }
}
