import Bytes
import Testing

@Suite struct HexDigitTests {
    @Test func everyByte() {
        var expected: [UInt8: UInt8] = [:]
        for (value, digit) in "0123456789abcdef".utf8.enumerated() { expected[digit] = UInt8(value) }
        for (value, digit) in "ABCDEF".utf8.enumerated() { expected[digit] = UInt8(10 + value) }
        for byte in UInt8.min...UInt8.max {
            #expect(byte.hexDigitValue == expected[byte], "byte \(byte)")
        }
    }
}
