/// Standard base64 (RFC 4648 §4, `+` and `/`, with `=` padding): message bodies that are not
/// UTF-8 in the CLI's output, RocketMQ's ACL signatures, and HTTP Basic credentials.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of `bytes`: four characters for every three bytes, the last group padded.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                out.append(
                    position <= chunk.count ? alphabet[Int(value >> (18 - 6 * position) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of the canonical base64 text `text`, as ``encode(_:)`` writes it: a multiple of
    /// four characters of the alphabet, `=` padding only at the end, and unused bits zero. Nil
    /// for anything else (whitespace, a missing pad, the URL-safe alphabet).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            let group = characters[index..<index + 4]
            let isLast = index + 4 == characters.count
            let padding = isLast ? group.reversed().prefix { $0 == UInt8(ascii: "=") }.count : 0
            guard padding <= 2 else { return nil }
            var value: UInt32 = 0
            for character in group.dropLast(padding) {
                guard let sextet = sextet(character) else { return nil }
                value = value << 6 | UInt32(sextet)
            }
            value <<= 6 * UInt32(padding)
            let produced = 3 - padding
            // Canonical only: the bits the padding leaves unused must be zero.
            guard value & ((1 << (8 * UInt32(padding))) - 1) == 0 else { return nil }
            for position in 0..<produced { out.append(UInt8(truncatingIfNeeded: value >> (16 - 8 * UInt32(position)))) }
            index += 4
        }
        return out
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
