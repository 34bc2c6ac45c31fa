import Bytes
import Remoting
import Testing

@Suite struct RemotingHeaderTests {
    let header = RemotingSamples.cppSendMessageHeader

    func command(json: String, body: [UInt8] = []) throws(RemotingError) -> RemotingCommand {
        try RemotingCommand.decode(RemotingSamples.frame(json: json, body: body))
    }

    /// The error decoding `json` as a header, which must fail.
    func failure(json: String) -> RemotingError? {
        do {
            _ = try command(json: json)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesTheCppClientsSendMessage() throws {
        let send = try command(json: header, body: Array("Hello".utf8))
        #expect(send.requestCode == .sendMessage)
        #expect(send.language == .cpp)
        #expect(send.version == 63)
        #expect(send.opaque == 1)
        #expect(send.flags == [])
        #expect(send.expectsResponse)
        #expect(send.remark == "")
        #expect(Array(send.body) == Array("Hello".utf8))
        // In wire order; the numbers (defaultTopicQueueNums, flag, queueId, sysFlag) become their text.
        #expect(
            send.extFields.fields.map(\.name) == [
                "AccessKey", "OnsChannel", "Signature", "batch", "bornTimestamp", "defaultTopic",
                "defaultTopicQueueNums", "flag", "producerGroup", "properties", "queueId", "reconsumeTimes", "sysFlag",
                "topic", "unitMode",
            ])
        #expect(send.extFields["defaultTopicQueueNums"] == "4")
        #expect(send.extFields["queueId"] == "0")
        #expect(send.extFields["bornTimestamp"] == "1796311224388")
        #expect(
            send.extFields["properties"]
                == "KEYS\u{1}k0\u{2}TAGS\u{1}tagA\u{2}UNIQ_KEY\u{1}…\u{2}WAIT\u{1}true\u{2}userProp\u{1}v0\u{2}")
        // A value's offset is where it starts in the stream (8 bytes of frame prefix first).
        #expect(
            send.extFields.offset(of: "queueId") == 8 + RemotingSamples.offset(of: #"0,"reconsumeTimes""#, in: header))
    }

    @Test func decodesTheMinimalResponseTheClientsAccept() throws {
        let response = try command(json: RemotingSamples.minimalResponseHeader)
        #expect(response == RemotingCommand(code: 0, language: .java, version: 0, opaque: 1, flags: .response))
        #expect(response.isResponse && !response.expectsResponse)
        #expect(response.responseCode == .success)
    }

    @Test func extFieldValuesMayBeStringsNumbersOrBooleans() throws {
        let request = try command(
            json: #"{"code":11,"extFields":{"queueId":3,"queueOffset":"12","sub":true,"gone":null,"neg":-1}}"#)
        #expect(request.extFields == ["queueId": "3", "queueOffset": "12", "sub": "true", "neg": "-1"])
        #expect(try request.extFields.requiredInt32("queueId") == 3)
        #expect(try request.extFields.int64("queueOffset") == 12)
        #expect(try request.extFields.bool("sub") == true)
        #expect(try request.extFields.int32("gone") == nil)
    }

    @Test func unknownMembersAreIgnoredAndDefaultsApply() throws {
        let request = try command(json: #"{"serializeTypeCurrentRPC":"JSON","code":34,"future":{"x":[1]}}"#)
        #expect(request == RemotingCommand(code: 34, opaque: 0))
        #expect(request.extFields.isEmpty && request.remark == nil)
    }

    @Test func headerFieldErrorsNameTheFieldAndItsOffset() {
        #expect(
            failure(json: #"{"opaque":1}"#)
                == .malformed(.invalidValue(field: "code", offset: 8, reason: "the header has no such field")))
        #expect(
            failure(json: #"{"code":"10"}"#)
                == .malformed(.invalidValue(field: "code", offset: 16, reason: "a string, not an integer")))
        #expect(
            failure(json: #"{"code":10,"opaque":2147483648}"#)
                == .malformed(
                    .invalidValue(field: "opaque", offset: 28, reason: "2147483648 is not an integer in Int32's range"))
        )
        #expect(
            failure(json: #"{"code":10,"language":"COBOL"}"#)
                == .malformed(.invalidValue(field: "language", offset: 30, reason: #"unknown "COBOL""#)))
        #expect(
            failure(json: #"{"code":10,"extFields":{"a":[1]}}"#)
                == .malformed(
                    .invalidValue(field: "a", offset: 36, reason: "an array, not a string, number or boolean")))
        #expect(
            failure(json: #"{"code":10,"extFields":"x"}"#)
                == .malformed(.invalidValue(field: "extFields", offset: 31, reason: "a string, not an object")))
        #expect(
            failure(json: "[10]")
                == .malformed(.invalidValue(field: "header", offset: 8, reason: "an array, not an object")))
    }

    @Test func badJSONNamesTheStreamOffset() {
        #expect(
            failure(json: #"{"code":10,}"#)
                == .json(JSONError(offset: 19, .unexpectedByte(UInt8(ascii: "}"), expected: "a member name"))))
        #expect(
            failure(json: #"{"code":10,"code":11}"#) == .json(JSONError(offset: 19, .duplicateKey("code"))))
        let error = RemotingError.json(JSONError(offset: 19, .duplicateKey("code")))
        #expect(error.description == #"JSON object repeats the member "code" at byte 19"#)
    }

    @Test func jsonDepthIsBoundedByTheLimits() {
        let deep = #"{"code":10,"x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
        #expect(failure(json: deep) == .json(JSONError(offset: 8 + 15 + 31, .depthOverLimit(32))))
    }

    @Test func typedFieldErrorsNameTheValue() throws {
        let request = try command(json: #"{"code":14,"extFields":{"queueId":"x1","batch":"yes"}}"#)
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(
                    field: "queueId", offset: 42, reason: #""x1" is not an integer in -2147483648...2147483647"#))
        ) {
            try request.extFields.int32("queueId")
        }
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "batch", offset: 55, reason: #""yes" is not true, false, 1 or 0"#))
        ) {
            try request.extFields.bool("batch")
        }
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "topic", offset: 31, reason: "the header has no such field"))
        ) {
            try request.extFields.required("topic")
        }
    }

    // MARK: binary header

    /// A binary header written out field by field, as `RocketMQSerializable` lays it out.
    let binaryHeader: [UInt8] =
        [0, 105]  // code GET_ROUTEINFO_BY_TOPIC
        + [1]  // language CPP
        + [1, 0x91]  // version 401
        + [0, 0, 0, 9]  // opaque
        + [0, 0, 0, 0]  // flag
        + [0, 0, 0, 2] + Array("hi".utf8)  // remark
        + [0, 0, 0, 17]  // extFields length: 2 + 5 + 4 + 6
        + [0, 5] + Array("topic".utf8) + [0, 0, 0, 6] + Array("TopicA".utf8)

    @Test func decodesABinaryHeader() throws {
        let route = try RemotingCommand.decode(RemotingSamples.frame(header: binaryHeader, type: 1, body: [1, 2]))
        #expect(
            route
                == RemotingCommand(
                    code: 105, language: .cpp, version: 401, opaque: 9, remark: "hi", extFields: ["topic": "TopicA"],
                    body: [1, 2]))
        #expect(route.extFields.offset(of: "topic") == 8 + binaryHeader.count - 6)
        #expect(try route.encoded(as: .rocketMQ) == RemotingSamples.frame(header: binaryHeader, type: 1, body: [1, 2]))
    }

    @Test func binaryHeaderZeroLengthsMeanAbsent() throws {
        let header: [UInt8] = [0, 34, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
        let command = try RemotingCommand.decode(RemotingSamples.frame(header: header, type: 1))
        #expect(command == RemotingCommand(code: 34, language: .java, version: 0, opaque: 1, flags: .oneWay))
        #expect(!command.expectsResponse)
    }

    @Test func truncatedBinaryHeaderNamesTheField() {
        for cut in [0, 1, 2, 4, 8, 12, 16, 18, 22, 24, 28, 32, binaryHeader.count - 1] {
            let frame = RemotingSamples.frame(header: Array(binaryHeader[..<cut]), type: 1)
            #expect(throws: RemotingError.self, "cut at \(cut)") { try RemotingCommand.decode(frame) }
        }
        let cutInRemark = RemotingSamples.frame(header: Array(binaryHeader[..<18]), type: 1)
        #expect(
            throws: RemotingError.malformed(.truncated(field: "remark length", offset: 25, needed: 2, available: 1))
        ) {
            try RemotingCommand.decode(cutInRemark)
        }
        let cutInValue = RemotingSamples.frame(header: Array(binaryHeader.dropLast(1)), type: 1)
        #expect(
            throws: RemotingError.malformed(
                .truncated(field: "extFields length", offset: 31, needed: 17, available: 16))
        ) {
            try RemotingCommand.decode(cutInValue)
        }
        var shortExt = binaryHeader
        shortExt[22] = 16  // the ext section claims one byte less than its entry needs
        #expect(
            throws: RemotingError.malformed(
                .truncated(field: "extFields value length", offset: 8 + 34, needed: 6, available: 5))
        ) {
            try RemotingCommand.decode(RemotingSamples.frame(header: shortExt, type: 1))
        }
    }

    @Test func binaryHeaderBadValues() {
        var language = binaryHeader
        language[2] = 99
        #expect(throws: RemotingError.malformed(.unknownEnumValue(field: "language", value: 99, offset: 10))) {
            try RemotingCommand.decode(RemotingSamples.frame(header: language, type: 1))
        }
        var negative = binaryHeader
        negative[13] = 0xFF
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "remark length", offset: 21, reason: "-16777214 is negative"))
        ) {
            try RemotingCommand.decode(RemotingSamples.frame(header: negative, type: 1))
        }
        #expect(throws: RemotingError.malformed(.trailingBytes(offset: 8 + binaryHeader.count, count: 1))) {
            try RemotingCommand.decode(RemotingSamples.frame(header: binaryHeader + [0], type: 1))
        }
        let repeated =
            Array(binaryHeader[..<19]) + [0, 0, 0, 34] + Array(binaryHeader[23...]) + Array(binaryHeader[23...])
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "extFields key", offset: 8 + 42, reason: "topic repeated"))
        ) {
            try RemotingCommand.decode(RemotingSamples.frame(header: repeated, type: 1))
        }
    }

    // MARK: round trips

    @Test func roundTripsThroughBothHeaderTypes() throws {
        let commands = [
            RemotingCommand(
                code: 310, language: .cpp, version: 333, opaque: 77, flags: [.oneWay], remark: "r\u{1}é",
                extFields: ["a": "PG", "i": "KEYS\u{1}k\u{2}", "quote": "\"\\"], body: [0, 1, 2, 255]),
            RemotingCommand(code: 0, opaque: -5, flags: .response),
            RemotingCommand(
                code: 3, language: .rust, version: 479, opaque: Int32.max, flags: RemotingFlags(rawValue: 9)),
        ]
        for command in commands {
            for type in SerializeType.allCases {
                let decoded = try RemotingCommand.decode(try command.encoded(as: type))
                var expected = command
                if type == .rocketMQ, expected.remark == "" { expected.remark = nil }
                #expect(decoded == expected, "\(type) \(command)")
            }
        }
    }

    @Test func jsonHeaderEncodesInFastjsonOrderWithStringExtFields() throws {
        let response = RemotingCommand.response(
            to: try command(json: header), extFields: ["msgId": "7F00000100002A9F0000000000000000", "queueId": "0"])
        let bytes = try response.encoded()
        #expect(
            String(decoding: bytes[8...], as: UTF8.self)
                == #"{"code":0,"extFields":{"msgId":"7F00000100002A9F0000000000000000","queueId":"0"},"flag":1,"#
                + #""language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":401}"#)
        #expect(
            Array(bytes[..<8]) == RemotingSamples.bigEndian(UInt32(bytes.count - 4))
                + RemotingSamples.bigEndian(UInt32(bytes.count - 8)))
    }

    @Test func binaryEncodingRefusesWhatDoesNotFit() {
        #expect(throws: EncodeError(field: "code", count: 40000, limit: 32767)) {
            try RemotingCommand(code: 40000, opaque: 1).encoded(as: .rocketMQ)
        }
        var bytes: [UInt8] = [9]
        #expect(throws: EncodeError.self) {
            try RemotingCommand(code: 1, version: -40000, opaque: 1).encode(into: &bytes, as: .rocketMQ)
        }
        #expect(bytes == [9])
    }
}
