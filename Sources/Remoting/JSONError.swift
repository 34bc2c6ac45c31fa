/// Why bytes are not the JSON this module accepts (RFC 8259, within ``JSONParser``'s limits).
///
/// `offset` counts bytes from the start of the stream or buffer the parser was told about (its
/// `baseOffset`), so an error in a frame's header names the byte in the connection.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong at ``offset``.
    public enum Problem: Sendable, Hashable {
        /// The input ends where `expected` should follow.
        case unexpectedEnd(expected: String)
        /// The byte found where `expected` should be.
        case unexpectedByte(UInt8, expected: String)
        /// A backslash followed by a byte that starts no JSON escape.
        case invalidEscape(UInt8)
        /// `\u` not followed by four hex digits.
        case invalidUnicodeEscape
        /// A `\uD800`–`\uDFFF` escape not part of a high-low surrogate pair.
        case unpairedSurrogate(UInt16)
        /// A raw control character (below 0x20) inside a string; JSON requires it escaped.
        case controlCharacterInString(UInt8)
        /// String bytes that are not UTF-8.
        case invalidUTF8
        /// Arrays and objects nest deeper than the limit.
        case depthOverLimit(Int)
        /// An object names the same member twice.
        case duplicateKey(String)
        /// The input is longer than the parser accepts.
        case inputOverLimit(count: Int, limit: Int)
        /// Non-whitespace after the value.
        case trailingBytes(count: Int)
    }

    /// Where the problem is, as a byte offset.
    public var offset: Int
    public var problem: Problem

    public init(offset: Int, _ problem: Problem) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .unexpectedEnd(let expected):
            "JSON ends at byte \(offset) where \(expected) should follow"
        case .unexpectedByte(let byte, let expected):
            "JSON has \(JSONError.show(byte)) at byte \(offset) where \(expected) should be"
        case .invalidEscape(let byte):
            "JSON string has an invalid escape \\\(JSONError.show(byte)) at byte \(offset)"
        case .invalidUnicodeEscape:
            "JSON string has a \\u escape without four hex digits at byte \(offset)"
        case .unpairedSurrogate(let unit):
            "JSON string has an unpaired surrogate \\u\(String(unit, radix: 16, uppercase: true)) at byte \(offset)"
        case .controlCharacterInString(let byte):
            "JSON string has an unescaped control character 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .invalidUTF8:
            "JSON string starting at byte \(offset) is not valid UTF-8"
        case .depthOverLimit(let limit):
            "JSON nests deeper than \(limit) levels at byte \(offset)"
        case .duplicateKey(let key):
            "JSON object repeats the member \"\(key)\" at byte \(offset)"
        case .inputOverLimit(let count, let limit):
            "JSON at byte \(offset) is \(count) bytes, over the limit of \(limit)"
        case .trailingBytes(let count):
            "\(count) bytes follow the JSON value at byte \(offset)"
        }
    }

    /// A byte as a printable character in quotes, or as hex.
    private static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
