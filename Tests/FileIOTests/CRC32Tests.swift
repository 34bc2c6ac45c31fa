import FileIO
import Raft
import Testing

@Suite struct CRC32Tests {
    @Test func knownVectors() {
        #expect(CRC32.checksum(Array("".utf8)) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        #expect(CRC32.checksum(Array("hi".utf8)) == 0xD893_2AAC)
    }

    @Test func continuationEqualsWholeAndSlicingMatchesBytewise() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        // Bitwise reference: one bit at a time, no tables.
        var reference: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            reference ^= UInt32(byte)
            for _ in 0..<8 { reference = reference & 1 != 0 ? (reference >> 1) ^ 0xEDB8_8320 : reference >> 1 }
        }
        #expect(CRC32.checksum(bytes) == ~reference)
        let first = CRC32.checksum(Array(bytes[..<333]))
        #expect(CRC32.checksum(Array(bytes[333...]), continuing: first) == ~reference)
    }
}
