/// Writes bytes into memory sized beforehand, for encoders on hot paths that know an upper bound
/// of what they write: ``Swift/Array/appendBytes(upTo:_:)`` gives one, so a header of a few
/// hundred bytes costs one capacity check instead of one per byte or per run. Every write checks
/// the bound (writing past it is a programmer error and traps).
public struct UnsafeByteCursor {
    @usableFromInline let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written so far.
    public var count: Int { written }
    @usableFromInline var written: Int

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
        written = 0
    }

    /// The bytes JSON-quoting `count` bytes of text can take: quotes, and `\u00XX` for each.
    public static func jsonQuotedLimit(_ count: Int) -> Int { 2 + 6 * count }

    /// The bytes a decimal `Int64` can take.
    public static let decimalLimit = 20

    @inlinable
    public mutating func write(_ byte: UInt8) {
        precondition(written < buffer.count, "an encoder wrote past the bound it gave")
        buffer[written] = byte
        written += 1
    }

    @inlinable
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty, let source = bytes.baseAddress else { return }
        precondition(bytes.count <= buffer.count - written, "an encoder wrote past the bound it gave")
        // Room for a byte means the buffer has an address.
        (buffer.baseAddress! + written).update(from: source, count: bytes.count)
        written += bytes.count
    }

    @inlinable
    public mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    /// `number` in decimal.
    public mutating func writeDecimal(_ number: Int64) {
        if number < 0 { write(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, last first
        withUnsafeMutableBytes(of: &digits) { scratch in
            var first = scratch.count
            repeat {
                first -= 1
                scratch[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            write(UnsafeBufferPointer(rebasing: scratch.bindMemory(to: UInt8.self)[first...]))
        }
    }

    /// `text` (UTF-8) as a JSON string: quoted, with the quote, the backslash and the control
    /// characters below 0x20 escaped (`\n`, `\r`, `\t`, else `\u00XX` as fastjson writes
    /// `\u0001`); runs without such a byte are copied whole.
    public mutating func writeJSONString(_ text: UnsafeBufferPointer<UInt8>) {
        write(UInt8(ascii: "\""))
        writeJSONEscaped(text)
        write(UInt8(ascii: "\""))
    }

    /// `text` (UTF-8) escaped as inside a JSON string (see ``writeJSONString(_:)``), without the
    /// quotes: for a string written in pieces.
    public mutating func writeJSONEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        // Nearly every string needs no escape: found in one pass, it is copied in one go.
        var plain = 0
        while plain < text.count, !Self.needsEscape(text[plain]) { plain += 1 }
        write(UnsafeBufferPointer(rebasing: text[..<plain]))
        if plain == text.count { return }
        var runStart = plain
        for index in plain..<text.count where Self.needsEscape(text[index]) {
            write(UnsafeBufferPointer(rebasing: text[runStart..<index]))
            writeEscaped(text[index])
            runStart = index + 1
        }
        write(UnsafeBufferPointer(rebasing: text[runStart...]))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        write(UInt8(ascii: "\\"))
        switch byte {
        case 0x0A: write(UInt8(ascii: "n"))
        case 0x0D: write(UInt8(ascii: "r"))
        case 0x09: write(UInt8(ascii: "t"))
        case 0..<0x20:
            write("u00")
            write(Self.lowerHex(byte >> 4))
            write(Self.lowerHex(byte & 0xF))
        default: write(byte)  // the quote or the backslash
        }
    }

    private static func lowerHex(_ digit: UInt8) -> UInt8 {
        digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
    }
}

extension Array where Element == UInt8 {
    /// Appends what `write` writes, at most `limit` bytes, through an ``UnsafeByteCursor``
    /// straight into the array's storage (grown geometrically, as `append` grows it).
    public mutating func appendBytes(upTo limit: Int, _ write: (inout UnsafeByteCursor) -> Void) {
        append(addingCapacity: limit) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                var cursor = UnsafeByteCursor(UnsafeMutableBufferPointer(rebasing: buffer[initialized...]))
                write(&cursor)
                initialized += cursor.count
            }
        }
    }
}
