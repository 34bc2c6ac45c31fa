import Bytes
import Testing

@Suite struct UTF8PrefixTests {
    @Test func cutsOnlyBetweenScalars() {
        // 1-, 2-, 3- and 4-byte scalars: every cut is valid UTF-8 and as long as it can be.
        let text = "a é € 𝄞 z"
        let bytes = Array(text.utf8)
        for maxBytes in 0...bytes.count + 2 {
            let cut = bytes.utf8Prefix(maxBytes: maxBytes)
            let decoded = String(validating: cut, as: UTF8.self)
            #expect(decoded != nil, "cut at \(maxBytes)")
            #expect(cut.count <= maxBytes && cut.count > min(maxBytes, bytes.count) - 4, "cut at \(maxBytes)")
            #expect(text.hasPrefix(decoded ?? "\u{FFFD}"), "cut at \(maxBytes)")
        }
        #expect(bytes.utf8Prefix(maxBytes: 100).count == bytes.count)
        #expect(Array("éé".utf8).utf8Prefix(maxBytes: 3).count == 2)
        #expect(Array("ab".utf8).utf8Prefix(maxBytes: 1).count == 1)
    }

    @Test func nonUTF8IsCutWhereAsked() {
        let bytes: [UInt8] = [0x61, 0x80, 0x80, 0x80, 0x80, 0x80]
        #expect(bytes.utf8Prefix(maxBytes: 5).count == 5)
        #expect([UInt8](repeating: 0xFF, count: 8).utf8Prefix(maxBytes: 3).count == 3)
    }
}
