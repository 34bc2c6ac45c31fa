/// 64-bit FNV-1a, folded incrementally over everything the state machine applies.
struct Digest: Hashable {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    init() {}
    init(value: UInt64) { self.value = value }

    @inline(__always)
    mutating func fold(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func fold(_ bytes: ArraySlice<UInt8>) {
        var v = value
        for byte in bytes { v = (v ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = v
    }

    mutating func fold<T: FixedWidthInteger>(_ integer: T) {
        Swift.withUnsafeBytes(of: integer.bigEndian) { for byte in $0 { fold(byte) } }
    }

    mutating func fold(_ string: String) {
        fold(UInt32(string.utf8.count))
        for byte in string.utf8 { fold(byte) }
    }
}
