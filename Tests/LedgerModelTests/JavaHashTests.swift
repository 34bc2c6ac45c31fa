import LedgerModel
import Testing

@Suite struct JavaHashTests {
    @Test(arguments: [
        ("TagA", Int32(2_598_919)), ("", 0), ("hello", 99_162_322), ("TagC", 2_598_921),
        ("polygenelubricants", Int32.min), ("😀", 1_772_899),
    ])
    func matchesJava(text: String, expected: Int32) {
        #expect(JavaHash.hashCode(text) == expected)
    }

    @Test func tagsCodeSignExtends() {
        #expect(JavaHash.tagsCode("polygenelubricants") == Int64(Int32.min))
        #expect(JavaHash.tagsCode(nil) == 0)
        #expect(JavaHash.tagsCode("") == 0)
        #expect(JavaHash.tagsCode("TagA") == 2_598_919)
    }
}
