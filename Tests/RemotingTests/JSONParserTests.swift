import Bytes
import Remoting
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String, maxDepth: Int = 32, baseOffset: Int = 0) throws(JSONError) -> JSONValue {
        try JSONParser(maxDepth: maxDepth).parse(Array(text.utf8), baseOffset: baseOffset)
    }

    func failure(_ text: String, maxDepth: Int = 32) -> JSONError? {
        do {
            _ = try parse(text, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    @Test func valuesKeepOrderTextAndOffsets() throws {
        let value = try parse(#" {"b":1,"a":[true,false,null],"c":"x","d":-0.5e+3} "#)
        let members = try #require(value.members)
        #expect(members.map(\.name) == ["b", "a", "c", "d"])
        #expect(value.offset == 1)
        #expect(members[0].value == JSONValue(.number("1"), at: 6))
        #expect(
            members[1].value.kind
                == .array([JSONValue(.bool(true), at: 13), JSONValue(.bool(false), at: 18), JSONValue(.null, at: 24)]))
        #expect(value[member: "c"]?.kind == .string("x"))
        #expect(value[member: "d"]?.kind == .number("-0.5e+3"))
        #expect(value[member: "zz"] == nil)
    }

    @Test func escapesDecode() throws {
        let value = try parse(#""a\"\\\/\b\f\n\r\t\u0001\u00e9\uD83D\uDE00""#)
        #expect(value.kind == .string("a\"\\/\u{8}\u{C}\n\r\t\u{1}é😀"))
    }

    @Test func offsetsAreShiftedByTheBase() throws {
        #expect(try parse("[1]", baseOffset: 100).offset == 100)
        #expect(throws: JSONError(offset: 103, .unexpectedByte(UInt8(ascii: "]"), expected: "a value"))) {
            try parse("[1,]", baseOffset: 100)
        }
    }

    @Test(arguments: [
        ("", JSONError(offset: 0, .unexpectedEnd(expected: "a value"))),
        ("{", JSONError(offset: 1, .unexpectedEnd(expected: "a member name or '}'"))),
        (#"{"a" 1}"#, JSONError(offset: 5, .unexpectedByte(UInt8(ascii: "1"), expected: "':' after a member name"))),
        (#"{"a":1 "b":2}"#, JSONError(offset: 7, .unexpectedByte(UInt8(ascii: "\""), expected: "',' or '}'"))),
        ("{a:1}", JSONError(offset: 1, .unexpectedByte(UInt8(ascii: "a"), expected: "a member name"))),
        (#"{"a":1,"a":2}"#, JSONError(offset: 7, .duplicateKey("a"))),
        ("[1 2]", JSONError(offset: 3, .unexpectedByte(UInt8(ascii: "2"), expected: "',' or ']'"))),
        ("tru", JSONError(offset: 3, .unexpectedEnd(expected: "true"))),
        ("nul!", JSONError(offset: 3, .unexpectedByte(UInt8(ascii: "!"), expected: "null"))),
        ("01", JSONError(offset: 1, .trailingBytes(count: 1))),
        ("-", JSONError(offset: 1, .unexpectedEnd(expected: "a digit"))),
        ("1.", JSONError(offset: 2, .unexpectedEnd(expected: "a digit"))),
        ("1e+x", JSONError(offset: 3, .unexpectedByte(UInt8(ascii: "x"), expected: "a digit"))),
        (#""abc"#, JSONError(offset: 4, .unexpectedEnd(expected: "the end of the string"))),
        ("\"a\u{1}\"", JSONError(offset: 2, .controlCharacterInString(1))),
        (#""\x""#, JSONError(offset: 1, .invalidEscape(UInt8(ascii: "x")))),
        (#""\u12G4""#, JSONError(offset: 1, .invalidUnicodeEscape)),
        (#""\uD83D""#, JSONError(offset: 1, .unpairedSurrogate(0xD83D))),
        (#""\uDE00""#, JSONError(offset: 1, .unpairedSurrogate(0xDE00))),
        ("{} {}", JSONError(offset: 3, .trailingBytes(count: 2))),
        ("+1", JSONError(offset: 0, .unexpectedByte(UInt8(ascii: "+"), expected: "a value"))),
    ])
    func malformedInputNamesItsOffset(text: String, expected: JSONError) {
        #expect(failure(text) == expected, "\(text)")
    }

    @Test func invalidUTF8InAStringNamesTheString() {
        #expect(throws: JSONError(offset: 1, .invalidUTF8)) {
            try JSONParser().parse([
                UInt8(ascii: "["), UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\""), UInt8(ascii: "]"),
            ])
        }
    }

    @Test func depthAndSizeAreBounded() throws {
        _ = try parse("[[[1]]]", maxDepth: 3)
        #expect(failure("[[[[1]]]]", maxDepth: 3) == JSONError(offset: 3, .depthOverLimit(3)))
        #expect(
            failure(String(repeating: "[", count: 100_000), maxDepth: 32) == JSONError(offset: 32, .depthOverLimit(32)))
        #expect(throws: JSONError(offset: 0, .inputOverLimit(count: 5, limit: 4))) {
            try JSONParser(maxBytes: 4).parse(Array("12345".utf8))
        }
    }

    @Test func errorsReadAsOneLine() {
        #expect(
            JSONError(offset: 7, .unexpectedByte(UInt8(ascii: "\""), expected: "',' or '}'")).description
                == #"JSON has '"' at byte 7 where ',' or '}' should be"#)
        #expect(JSONError(offset: 3, .depthOverLimit(32)).description == "JSON nests deeper than 32 levels at byte 3")
        #expect(
            JSONError(offset: 2, .controlCharacterInString(1)).description
                == "JSON string has an unescaped control character 0x1 at byte 2")
    }

    /// Strings long and short, plain and not, with the byte that ends a plain run (a quote, a
    /// backslash, a control character, other UTF-8) at every position of the reader's eight-byte
    /// steps: written by the writer they read back as written; a raw control character is refused
    /// at its own offset.
    @Test func stringsReadBackWhereverTheirSpecialBytesFall() throws {
        for length in 0..<40 {
            for position in 0...length {
                for special in ["\"", "\\", "\n", "\u{1}", "é", "💥"] {
                    let plain = String((0..<length).map { Character(UnicodeScalar(UInt8(0x61 + $0 % 26))) })
                    var text = plain
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    var writer = JSONWriter()
                    writer.string(text)
                    #expect(try JSONParser().parse(writer.bytes).kind == .string(text), "\(length) \(position)")
                }
                var raw = Array("\"\(String(repeating: "x", count: length))\"".utf8)
                raw.insert(0x1F, at: 1 + position)
                #expect(throws: JSONError(offset: 1 + position, .controlCharacterInString(0x1F))) {
                    try JSONParser().parse(raw)
                }
            }
        }
    }

    @Test func writerOutputParsesBack() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("text", "q\"\\\n\r\t\u{1}\u{2}é")
        writer.member("n", Int32(-7))
        writer.member("flag", true)
        writer.key("list")
        writer.beginArray()
        writer.integer(1)
        writer.string("x")
        writer.beginObject()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        #expect(writer.isComplete)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #"{"text":"q\"\\\n\r\t\u0001\u0002é","n":-7,"flag":true,"list":[1,"x",{}]}"#)
        let value = try JSONParser().parse(writer.bytes)
        #expect(value[member: "text"]?.kind == .string("q\"\\\n\r\t\u{1}\u{2}é"))
    }

    @Test func writerWritesFastjsonIntegerKeys() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.unquotedIntegerKey(0)
        writer.string("a")
        writer.unquotedIntegerKey(1)
        writer.string("b")
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{0:"a",1:"b"}"#)
    }
}
