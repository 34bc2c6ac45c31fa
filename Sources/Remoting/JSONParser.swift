import Bytes

/// A strict RFC 8259 parser over bytes: one value, surrounded only by whitespace.
///
/// Bounded: the input may be at most ``maxBytes`` long and nest at most ``maxDepth`` arrays and
/// objects, so a hostile header costs no more than its own size and a fixed stack. Strings must
/// be UTF-8 with control characters escaped; surrogate escapes must pair; an object may not
/// repeat a member. Every refusal is a ``JSONError`` naming the byte offset.
///
/// Foundation's `JSONSerialization` is not used: it returns members in hash order, turns numbers
/// into `NSNumber`s (losing the text a string-typed RocketMQ field carries) and reports no offsets.
public struct JSONParser: Sendable {
    /// Deepest nesting of arrays and objects accepted.
    public var maxDepth: Int
    /// Longest input accepted, in bytes.
    public var maxBytes: Int

    /// A parser with the given bounds; the defaults suit RocketMQ headers and route bodies.
    public init(maxDepth: Int = 32, maxBytes: Int = 16 << 20) {
        precondition(maxDepth > 0 && maxBytes > 0, "JSON limits must be positive")
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    /// Parses `bytes` as one JSON value. Offsets in the value and in errors are
    /// `baseOffset` plus the position within `bytes`.
    public func parse(_ bytes: ArraySlice<UInt8>, baseOffset: Int = 0) throws(JSONError) -> JSONValue {
        if bytes.count > maxBytes {
            throw JSONError(offset: baseOffset, .inputOverLimit(count: bytes.count, limit: maxBytes))
        }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) in
            var cursor = JSONCursor(bytes: buffer, baseOffset: baseOffset, maxDepth: maxDepth)
            let value = try cursor.value(depth: 0)
            cursor.skipWhitespace()
            if cursor.index < buffer.endIndex {
                throw JSONError(offset: cursor.offset, .trailingBytes(count: buffer.endIndex - cursor.index))
            }
            return value
        }
    }

    /// Parses all of `bytes`.
    public func parse(_ bytes: [UInt8], baseOffset: Int = 0) throws(JSONError) -> JSONValue {
        try parse(bytes[...], baseOffset: baseOffset)
    }
}

/// The parser's position in its input. ``JSONParser`` builds a ``JSONValue`` with it; the
/// remoting header decoder scans with the same grammar and errors but keeps only the fields it
/// reads.
///
/// It reads through a pointer (no reference count or bounds check per byte: every read is after
/// an explicit check of ``index`` against the end), so it lives only inside its owner's
/// `withUnsafeBufferPointer` over the input, and nothing it returns points into the input.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let baseOffset: Int
    let maxDepth: Int
    var index: Int

    init(bytes: UnsafeBufferPointer<UInt8>, baseOffset: Int, maxDepth: Int) {
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.maxDepth = maxDepth
        index = bytes.startIndex
    }

    var offset: Int { baseOffset + index - bytes.startIndex }
    func offset(of index: Int) -> Int { baseOffset + index - bytes.startIndex }

    mutating func skipWhitespace() {
        while index < bytes.endIndex {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inline(__always)
    mutating func peek(expecting expected: StaticString) throws(JSONError) -> UInt8 {
        if index < bytes.endIndex {
            let byte = bytes[index]
            if byte > 0x20 { return byte }
        }
        return try peekAfterWhitespace(expecting: expected)
    }

    private mutating func peekAfterWhitespace(expecting expected: StaticString) throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.endIndex else { throw JSONError(offset: offset, .unexpectedEnd(expected: "\(expected)")) }
        return bytes[index]
    }

    /// Consumes `byte` (after whitespace) or throws naming `expected`.
    mutating func expect(_ byte: UInt8, _ expected: StaticString) throws(JSONError) {
        let found = try peek(expecting: expected)
        guard found == byte else { throw JSONError(offset: offset, .unexpectedByte(found, expected: "\(expected)")) }
        index += 1
    }

    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        let first = try peek(expecting: "a value")
        let start = offset
        switch first {
        case UInt8(ascii: "{"): return JSONValue(.object(try object(depth: depth + 1)), at: start)
        case UInt8(ascii: "["): return JSONValue(.array(try array(depth: depth + 1)), at: start)
        case UInt8(ascii: "\""): return JSONValue(.string(try string()), at: start)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try number()), at: start)
        default: throw JSONError(offset: start, .unexpectedByte(first, expected: "a value"))
        }
    }

    mutating func literal(_ word: String, _ kind: JSONValue.Kind) throws(JSONError) -> JSONValue {
        let start = offset
        for expected in word.utf8 {
            guard index < bytes.endIndex else { throw JSONError(offset: offset, .unexpectedEnd(expected: word)) }
            guard bytes[index] == expected else {
                throw JSONError(offset: offset, .unexpectedByte(bytes[index], expected: word))
            }
            index += 1
        }
        return JSONValue(kind, at: start)
    }

    mutating func enter(_ depth: Int) throws(JSONError) {
        if depth > maxDepth { throw JSONError(offset: offset, .depthOverLimit(maxDepth)) }
        index += 1  // the opening bracket
    }

    mutating func object(depth: Int) throws(JSONError) -> [JSONMember] {
        try enter(depth)
        var members: [JSONMember] = []
        if try peek(expecting: "a member name or '}'") == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            let nameByte = try peek(expecting: "a member name")
            guard nameByte == UInt8(ascii: "\"") else {
                throw JSONError(offset: offset, .unexpectedByte(nameByte, expected: "a member name"))
            }
            let nameOffset = offset
            let name = try string()
            if members.contains(where: { $0.name == name }) {
                throw JSONError(offset: nameOffset, .duplicateKey(name))
            }
            try expect(UInt8(ascii: ":"), "':' after a member name")
            members.append(JSONMember(name, try value(depth: depth)))
            let next = try peek(expecting: "',' or '}'")
            index += 1
            if next == UInt8(ascii: "}") { return members }
            guard next == UInt8(ascii: ",") else {
                throw JSONError(offset: offset - 1, .unexpectedByte(next, expected: "',' or '}'"))
            }
        }
    }

    mutating func array(depth: Int) throws(JSONError) -> [JSONValue] {
        try enter(depth)
        var elements: [JSONValue] = []
        if try peek(expecting: "a value or ']'") == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            elements.append(try value(depth: depth))
            let next = try peek(expecting: "',' or ']'")
            index += 1
            if next == UInt8(ascii: "]") { return elements }
            guard next == UInt8(ascii: ",") else {
                throw JSONError(offset: offset - 1, .unexpectedByte(next, expected: "',' or ']'"))
            }
        }
    }

    /// A number's text, checked against the RFC 8259 grammar.
    mutating func number() throws(JSONError) -> String {
        String(decoding: bytes[try numberRange()], as: UTF8.self)
    }

    /// Where a number's text is, checked against the RFC 8259 grammar; `index` is at its first
    /// byte (a minus sign or a digit).
    mutating func numberRange() throws(JSONError) -> Range<Int> {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.endIndex else { throw JSONError(offset: offset, .unexpectedEnd(expected: "a digit")) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            try digits()
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try digits()
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try digits()
        }
        return start..<index
    }

    /// One or more decimal digits.
    mutating func digits() throws(JSONError) {
        let start = index
        while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        if index == start {
            guard index < bytes.endIndex else { throw JSONError(offset: offset, .unexpectedEnd(expected: "a digit")) }
            throw JSONError(offset: offset, .unexpectedByte(bytes[index], expected: "a digit"))
        }
    }

    /// A string; `index` is at its opening quote.
    mutating func string() throws(JSONError) -> String {
        if let plain = plainString() { return String(decoding: bytes[plain], as: UTF8.self) }
        var decoded: [UInt8] = []
        try escapedString(appendingTo: &decoded)
        return String(decoding: decoded, as: UTF8.self)
    }

    /// A string's text as a range of `text`, whose byte `i` is byte `i + rawStart` of the input
    /// (the caller copied the input from `rawStart` on into it): a plain string is the range it
    /// occupies there; one with escapes or other UTF-8 is decoded and appended to `text`, and is
    /// the range appended. `index` is at its opening quote.
    mutating func stringRange(in text: inout [UInt8], rawStart: Int) throws(JSONError) -> Range<Int> {
        if let plain = plainString() { return (plain.lowerBound - rawStart)..<(plain.upperBound - rawStart) }
        let start = text.count
        try escapedString(appendingTo: &text)
        return start..<text.count
    }

    /// Where the text of a string in plain ASCII without escapes (nearly every string) is, its
    /// closing quote consumed; nil, nothing consumed, for any other string (escapes, other
    /// UTF-8, an error). `index` is at its opening quote.
    mutating func plainString() -> Range<Int>? {
        var end = index + 1
        // Eight bytes at a time up to the first that ends a plain run (a quote, a backslash, a
        // control character or a non-ASCII byte), then byte by byte from there. In each term the
        // lowest flagged byte is a true match (a false one only follows a true one, by borrow).
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs = ones &* 0x80
            while end + 8 <= bytes.endIndex {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self))
                let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
                let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
                let stops =
                    ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                    | ((word &- ones &* 0x20) & ~word) | word
                if stops & highs != 0 {
                    end += (stops & highs).trailingZeroBitCount / 8
                    break
                }
                end += 8
            }
        }
        while end < bytes.endIndex {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                defer { index = end + 1 }
                return (index + 1)..<end
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
            end += 1
        }
        return nil
    }

    /// A string with escapes, non-ASCII text or an error, appended to `decoded` unescaped and
    /// checked to be UTF-8; `index` is at its opening quote.
    private mutating func escapedString(appendingTo decoded: inout [UInt8]) throws(JSONError) {
        let start = index
        let decodedStart = decoded.count
        index += 1
        var runStart = index
        while true {
            guard index < bytes.endIndex else {
                throw JSONError(offset: offset, .unexpectedEnd(expected: "the end of the string"))
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                guard String.isValidUTF8(decoded[decodedStart...]) else {
                    throw JSONError(offset: offset(of: start), .invalidUTF8)
                }
                return
            case UInt8(ascii: "\\"):
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                try escape(into: &decoded)
                runStart = index
            case 0..<0x20:
                throw JSONError(offset: offset, .controlCharacterInString(byte))
            default:
                index += 1
            }
        }
    }

    /// One escape sequence, appended as UTF-8; `index` is at the backslash.
    mutating func escape(into decoded: inout [UInt8]) throws(JSONError) {
        let at = offset
        index += 1
        guard index < bytes.endIndex else { throw JSONError(offset: offset, .unexpectedEnd(expected: "an escape")) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4()
            var scalarValue = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else { throw JSONError(offset: at, .unpairedSurrogate(unit)) }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(offset: at, .unpairedSurrogate(unit)) }
                scalarValue = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONError(offset: at, .unpairedSurrogate(unit))
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw JSONError(offset: at, .invalidUnicodeEscape) }
            if scalar.isASCII {
                decoded.append(UInt8(scalarValue))
            } else {
                decoded.append(contentsOf: String(scalar).utf8)
            }
        default:
            throw JSONError(offset: at, .invalidEscape(byte))
        }
    }

    /// Four hex digits after `\u`.
    mutating func hex4() throws(JSONError) -> UInt16 {
        let at = offset - 2
        guard index + 4 <= bytes.endIndex else { throw JSONError(offset: at, .invalidUnicodeEscape) }
        var unit: UInt16 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = byte.hexDigitValue else { throw JSONError(offset: at, .invalidUnicodeEscape) }
            unit = unit << 4 | UInt16(digit)
        }
        index += 4
        return unit
    }
}
