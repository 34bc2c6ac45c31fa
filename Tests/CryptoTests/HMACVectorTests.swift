import Crypto
import TestSupport
import Testing

/// HMAC-SHA1 against RFC 2202 §3 and HMAC-SHA256 against RFC 4231 §4 (every test case; case 5
/// of RFC 4231 publishes only the first 128 bits).
@Suite struct HMACVectorTests {
    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var key: [UInt8]
        var data: [UInt8]
        var expected: String
        var description: String { name }
    }

    static let counting: [UInt8] = Array(1...25)

    static let rfc2202: [Vector] = [
        Vector(
            name: "1", key: repeated(0x0B, 20), data: utf8("Hi There"),
            expected: "b617318655057264e28bc0b6fb378c8ef146be00"),
        Vector(
            name: "2", key: utf8("Jefe"), data: utf8("what do ya want for nothing?"),
            expected: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        Vector(
            name: "3", key: repeated(0xAA, 20), data: repeated(0xDD, 50),
            expected: "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
        Vector(
            name: "4", key: counting, data: repeated(0xCD, 50), expected: "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        Vector(
            name: "5", key: repeated(0x0C, 20), data: utf8("Test With Truncation"),
            expected: "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
        Vector(
            name: "6", key: repeated(0xAA, 80), data: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
            expected: "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        Vector(
            name: "7", key: repeated(0xAA, 80),
            data: utf8("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
            expected: "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
    ]

    static let rfc4231: [Vector] = [
        Vector(
            name: "1", key: repeated(0x0B, 20), data: utf8("Hi There"),
            expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(
            name: "2", key: utf8("Jefe"), data: utf8("what do ya want for nothing?"),
            expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(
            name: "3", key: repeated(0xAA, 20), data: repeated(0xDD, 50),
            expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(
            name: "4", key: counting, data: repeated(0xCD, 50),
            expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(
            name: "5 (truncated to 128 bits)", key: repeated(0x0C, 20), data: utf8("Test With Truncation"),
            expected: "a3b6167473100ee06e0c796c2955552b"),
        Vector(
            name: "6", key: repeated(0xAA, 131), data: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
            expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(
            name: "7", key: repeated(0xAA, 131),
            data: utf8(
                "This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm."),
            expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: rfc2202) func hmacSHA1(_ vector: Vector) {
        let code = HMAC<SHA1>.authenticationCode(for: vector.data, key: vector.key)
        #expect(code.count == SHA1.digestByteCount)
        #expect(hex(Array(code.prefix(vector.expected.count / 2))) == vector.expected)
    }

    @Test(arguments: rfc4231) func hmacSHA256(_ vector: Vector) {
        let code = HMAC<SHA256>.authenticationCode(for: vector.data, key: vector.key)
        #expect(code.count == SHA256.digestByteCount)
        #expect(hex(Array(code.prefix(vector.expected.count / 2))) == vector.expected)
    }

    @Test func incrementalEqualsOneShot() {
        let key = utf8("Jefe")
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(utf8("what do ya "))
        hmac.update(utf8("want for nothing?"))
        #expect(hmac.finalize() == HMAC<SHA256>.authenticationCode(for: utf8("what do ya want for nothing?"), key: key))
    }

    @Test func constantTimeComparison() {
        let code = HMAC<SHA256>.authenticationCode(for: utf8("message"), key: utf8("key"))
        #expect(constantTimeEquals(code, code))
        #expect(constantTimeEquals([], []))
        for position in code.indices {
            var changed = code
            changed[position] ^= 0x01
            #expect(!constantTimeEquals(code, changed), "a difference at byte \(position)")
        }
        #expect(!constantTimeEquals(code, Array(code.dropLast())))
        #expect(!constantTimeEquals(code, code + [0]))
    }
}
