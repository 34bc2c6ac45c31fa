import Crypto
import TestSupport
import Testing

/// SHA-1 and SHA-256 against the examples of FIPS 180 (the NIST "Secure Hashing" example
/// values): empty input, one block, two blocks, and one million `a`.
@Suite struct HashVectorTests {
    static let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

    @Test func sha1Examples() {
        #expect(hex(SHA1.hash(utf8(""))) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.hash(utf8("abc"))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash(utf8(HashVectorTests.twoBlocks))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test func sha256Examples() {
        #expect(hex(SHA256.hash(utf8(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(utf8("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let expected = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        #expect(hex(SHA256.hash(utf8(HashVectorTests.twoBlocks))) == expected)
    }

    /// One million `a`, fed in uneven pieces so blocks straddle `update` calls.
    @Test func millionA() {
        var sha1 = SHA1()
        var sha256 = SHA256()
        let piece = repeated(UInt8(ascii: "a"), 999)
        var fed = 0
        while fed < 1_000_000 {
            let count = min(piece.count, 1_000_000 - fed)
            let chunk = Array(piece[0..<count])
            sha1.update(chunk)
            sha256.update(chunk)
            fed += count
        }
        #expect(hex(sha1.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        #expect(hex(sha256.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length around the padding boundaries (55, 56, 63, 64 bytes...) hashes the same in
    /// one piece and byte by byte.
    @Test func incrementalEqualsOneShot() {
        for length in 0...130 {
            var message: [UInt8] = []
            for index in 0..<length { message.append(UInt8(truncatingIfNeeded: index &* 31 &+ 7)) }
            var sha1 = SHA1()
            var sha256 = SHA256()
            for byte in message {
                sha1.update([byte])
                sha256.update([byte])
            }
            #expect(sha1.finalize() == SHA1.hash(message), "SHA-1, \(length) bytes")
            #expect(sha256.finalize() == SHA256.hash(message), "SHA-256, \(length) bytes")
        }
    }
}
