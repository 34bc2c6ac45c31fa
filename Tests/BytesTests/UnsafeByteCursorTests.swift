import Bytes
import Testing

@Suite struct UnsafeByteCursorTests {
    func written(_ write: (inout UnsafeByteCursor) -> Void, limit: Int = 64) -> String {
        var bytes = Array("prefix:".utf8)
        bytes.appendBytes(upTo: limit, write)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 1_700_000_000_000, Int64.max])
    func decimalsAsSwiftPrintsThem(number: Int64) {
        #expect(written({ $0.writeDecimal(number) }, limit: UnsafeByteCursor.decimalLimit) == "prefix:\(number)")
    }

    @Test func jsonStringsEscapeWhatRFC8259RequiresAsFastjsonDoes() {
        let text = Array("a\"b\\c\u{0}\u{1}\n\r\t\u{8}\u{1f} é/".utf8)
        let json = written(
            { cursor in text.withUnsafeBufferPointer { cursor.writeJSONString($0) } },
            limit: UnsafeByteCursor.jsonQuotedLimit(text.count))
        #expect(json == #"prefix:"a\"b\\c\u0000\u0001\n\r\t\u0008\u001f é/""#)
    }

    @Test func appendsAfterWhatTheArrayHeldAndGrowsIt() {
        var bytes: [UInt8] = []
        for number in 0..<1000 {
            bytes.appendBytes(upTo: 24) {
                $0.writeDecimal(Int64(number)); $0.write(",")
            }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == (0..<1000).map { "\($0)," }.joined())
    }
}
