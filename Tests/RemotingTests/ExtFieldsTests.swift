import Bytes
import Remoting
import Testing

/// ``ExtFields`` keeps names and values as bytes; these pin what callers see through its
/// string and typed reads, and what its JSON and binary forms carry.
@Suite struct ExtFieldsTests {
    func decoded(_ json: String) throws(RemotingError) -> ExtFields {
        try RemotingCommand.decode(RemotingSamples.frame(json: json)).extFields
    }

    @Test func settingKeepsOrderReplacesInPlaceAndRemoves() {
        var fields: ExtFields = ["a": "1", "b": "2", "c": "3"]
        fields["b"] = "two"
        fields["d"] = "4"
        fields["a"] = nil
        fields["zz"] = nil
        #expect(fields.fields.map(\.name) == ["b", "c", "d"])
        #expect(fields.fields.map(\.value) == ["two", "3", "4"])
        #expect(fields == ["b": "two", "c": "3", "d": "4"])
        #expect(fields != ["c": "3", "b": "two", "d": "4"], "order is part of equality")
    }

    @Test func decodedOffsetsSurviveAnEditOfAnotherField() throws {
        var fields = try decoded(#"{"code":14,"extFields":{"topic":"T","queueId":"x1"}}"#)
        fields["topic"] = "U"
        #expect(fields.offset(of: "queueId") == 54)
        #expect(fields.offset(of: "topic") == fields.headerOffset, "a value set in code has no stream offset")
    }

    @Test func escapedAndNonASCIINamesAndValuesDecodeToTheirText() throws {
        let fields = try decoded(#"{"code":14,"extFields":{"k\u00e9y":"v\u0001\"\\\/é","n":-12,"b":true,"z":null}}"#)
        #expect(fields["kéy"] == "v\u{1}\"\\/é")
        #expect(fields["n"] == "-12")
        #expect(fields["b"] == "true")
        #expect(fields["z"] == nil && fields.count == 3)
    }

    @Test func aNameRepeatedAfterEscapesOrANullIsRefused() {
        for (json, offset) in [
            (#"{"code":14,"extFields":{"ab":"1","a\u0062":"2"}}"#, 41),
            (#"{"code":14,"extFields":{"ab":null,"ab":"2"}}"#, 42),
        ] {
            #expect(throws: RemotingError.json(JSONError(offset: offset, .duplicateKey("ab"))), "\(json)") {
                try decoded(json)
            }
        }
    }

    @Test func invalidUTF8InAnEscapedStringIsRefused() {
        let json = Array(#"{"code":14,"extFields":{"a":"\u0001"#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
        let frame = RemotingSamples.frame(header: json)
        #expect(throws: RemotingError.json(JSONError(offset: 36, .invalidUTF8))) {
            try RemotingCommand.decode(frame)
        }
    }

    @Test(
        arguments: [
            ("0", 0), ("+7", 7), ("-2147483648", Int64(Int32.min)), ("2147483647", Int64(Int32.max)),
        ] as [(String, Int64)])
    func integersReadAsJavaParsesThem(text: String, value: Int64) throws {
        let fields: ExtFields = ["n": text]
        #expect(try fields.int32("n").map(Int64.init) == value)
        #expect(try fields.int64("n") == value)
    }

    @Test(arguments: ["", "+", "-", "2147483648", "-2147483649", "1.0", " 1", "0x1", "١"])
    func nonIntegersAreRefusedNamingTheText(text: String) {
        let fields: ExtFields = ["n": text]
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(
                    field: "n", offset: 0, reason: "\"\(text)\" is not an integer in -2147483648...2147483647"))
        ) {
            try fields.int32("n")
        }
    }

    @Test func int64BoundsAndBooleansInAnyCase() throws {
        let fields: ExtFields = [
            "min": "-9223372036854775808", "over": "9223372036854775808", "t": "TrUe", "f": "FALSE", "one": "1",
            "zero": "0", "yes": "yes",
        ]
        #expect(try fields.int64("min") == Int64.min)
        #expect(throws: RemotingError.self) { try fields.int64("over") }
        #expect(try fields.bool("t") == true && fields.bool("f") == false)
        #expect(try fields.bool("one") == true && fields.bool("zero") == false)
        #expect(try fields.bool("absent") == nil)
        #expect(throws: RemotingError.self) { try fields.bool("yes") }
    }

    @Test func bothHeaderFormsCarryEveryByteOfNamesAndValues() throws {
        let command = RemotingCommand(
            code: 310, opaque: 1,
            extFields: ["plain": "v", "ctl": "\u{0}\u{8}\u{c}\n\r\t\u{1f}", "utf8": "日本", "": "empty name", "e": ""])
        for type in SerializeType.allCases {
            #expect(try RemotingCommand.decode(command.encoded(as: type)).extFields == command.extFields, "\(type)")
        }
        let json = String(decoding: try command.encoded(as: .json).dropFirst(8), as: UTF8.self)
        #expect(json.contains(#""ctl":"\u0000\u0008\u000c\n\r\t\u001f""#))
    }
}
