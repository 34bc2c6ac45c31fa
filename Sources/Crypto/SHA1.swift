/// SHA-1 (FIPS 180-4 §6.1): a 20-byte digest.
///
/// Broken for collision resistance; here only because RocketMQ's ACL signs requests with
/// HMAC-SHA1, where it is still sound. Use ``SHA256`` for anything new.
public struct SHA1: HashFunction, Sendable {
    public static let blockByteCount = MerkleDamgard.blockByteCount
    public static let digestByteCount = 20

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0
    )
    private var blocks = MerkleDamgard()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var state = self.state
        blocks.update(bytes) { SHA1.compress($0, &state) }
        self.state = state
    }

    public mutating func finalize() -> [UInt8] {
        var state = self.state
        blocks.finish { SHA1.compress($0, &state) }
        self.state = state
        var digest: [UInt8] = []
        digest.reserveCapacity(SHA1.digestByteCount)
        digest.appendBigEndian([state.0, state.1, state.2, state.3, state.4])
        return digest
    }

    /// One 64-byte block into the five state words.
    private static func compress(
        _ block: UnsafeRawBufferPointer, _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32)
    ) {
        var w = [UInt32](repeating: 0, count: 80)
        for t in 0..<16 { w[t] = block.bigEndianWord(at: 4 * t) }
        for t in 16..<80 {
            let mixed: UInt32 = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
            w[t] = mixed.rotatedLeft(by: 1)
        }
        var a = state.0
        var b = state.1
        var c = state.2
        var d = state.3
        var e = state.4
        for t in 0..<80 {
            let f: UInt32
            let k: UInt32
            switch t {
            case 0..<20:
                f = (b & c) | (~b & d)
                k = 0x5A82_7999
            case 20..<40:
                f = b ^ c ^ d
                k = 0x6ED9_EBA1
            case 40..<60:
                f = (b & c) | (b & d) | (c & d)
                k = 0x8F1B_BCDC
            default:
                f = b ^ c ^ d
                k = 0xCA62_C1D6
            }
            let temp: UInt32 = a.rotatedLeft(by: 5) &+ f &+ e &+ k &+ w[t]
            e = d
            d = c
            c = b.rotatedLeft(by: 30)
            b = a
            a = temp
        }
        state.0 &+= a
        state.1 &+= b
        state.2 &+= c
        state.3 &+= d
        state.4 &+= e
    }
}

extension UInt32 {
    /// The bits rotated left by `count` (0 < count < 32).
    @inline(__always)
    func rotatedLeft(by count: UInt32) -> UInt32 { (self << count) | (self >> (32 - count)) }

    /// The bits rotated right by `count` (0 < count < 32).
    @inline(__always)
    func rotatedRight(by count: UInt32) -> UInt32 { (self >> count) | (self << (32 - count)) }
}
