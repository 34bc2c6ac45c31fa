/// SHA-256 (FIPS 180-4 §6.2): a 32-byte digest.
public struct SHA256: HashFunction, Sendable {
    public static let blockByteCount = MerkleDamgard.blockByteCount
    public static let digestByteCount = 32

    /// FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the
    /// first eight primes.
    private var state: [UInt32] = [
        0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19,
    ]
    private var blocks = MerkleDamgard()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var state = self.state
        blocks.update(bytes) { SHA256.compress($0, &state) }
        self.state = state
    }

    public mutating func finalize() -> [UInt8] {
        var state = self.state
        blocks.finish { SHA256.compress($0, &state) }
        self.state = state
        var digest: [UInt8] = []
        digest.reserveCapacity(SHA256.digestByteCount)
        digest.appendBigEndian(state)
        return digest
    }

    /// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
    /// first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
        0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
        0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
        0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
        0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
        0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
        0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
        0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2,
    ]

    /// One 64-byte block into the eight state words.
    private static func compress(_ block: UnsafeRawBufferPointer, _ state: inout [UInt32]) {
        var w = [UInt32](repeating: 0, count: 64)
        for t in 0..<16 { w[t] = block.bigEndianWord(at: 4 * t) }
        for t in 16..<64 {
            let x: UInt32 = w[t - 15]
            let y: UInt32 = w[t - 2]
            let sigma0: UInt32 = x.rotatedRight(by: 7) ^ x.rotatedRight(by: 18) ^ (x >> 3)
            let sigma1: UInt32 = y.rotatedRight(by: 17) ^ y.rotatedRight(by: 19) ^ (y >> 10)
            w[t] = sigma1 &+ w[t - 7] &+ sigma0 &+ w[t - 16]
        }
        var a = state[0]
        var b = state[1]
        var c = state[2]
        var d = state[3]
        var e = state[4]
        var f = state[5]
        var g = state[6]
        var h = state[7]
        for t in 0..<64 {
            let bigSigma1: UInt32 = e.rotatedRight(by: 6) ^ e.rotatedRight(by: 11) ^ e.rotatedRight(by: 25)
            let choice: UInt32 = (e & f) ^ (~e & g)
            let temp1: UInt32 = h &+ bigSigma1 &+ choice &+ roundConstants[t] &+ w[t]
            let bigSigma0: UInt32 = a.rotatedRight(by: 2) ^ a.rotatedRight(by: 13) ^ a.rotatedRight(by: 22)
            let majority: UInt32 = (a & b) ^ (a & c) ^ (b & c)
            let temp2: UInt32 = bigSigma0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ temp1
            d = c
            c = b
            b = a
            a = temp1 &+ temp2
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }
}
