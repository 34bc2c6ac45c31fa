import Bytes
import LedgerModel
import Remoting
import Testing

@Suite struct SendMessageHeaderTests {
    let expectedProperties = [
        MessagePropertyPair("KEYS", "k0"), MessagePropertyPair("TAGS", "tagA"), MessagePropertyPair("UNIQ_KEY", "…"),
        MessagePropertyPair("WAIT", "true"), MessagePropertyPair("userProp", "v0"),
    ]

    @Test func decodesTheCppClientsV1Send() throws {
        let request = try RemotingCommand.decode(RemotingSamples.frame(json: RemotingSamples.cppSendMessageHeader))
        let header = try SendMessageRequestHeader(request)
        #expect(
            header
                == SendMessageRequestHeader(
                    producerGroup: "PG_probe", topic: "TopicTest", defaultTopic: "TBW102", defaultTopicQueueNums: 4,
                    queueID: 0, sysFlag: 0, bornTimestamp: 1_796_311_224_388, flag: 0, properties: expectedProperties,
                    reconsumeTimes: 0, unitMode: false, maxReconsumeTimes: nil, batch: false))
    }

    /// A SEND_MESSAGE_V2 as `rocketmq-clients.md` §5.2 describes the 2.1.0 client's: one-letter
    /// names, `d e f h l` as JSON numbers, the rest strings, `l` 16, a batch flagged by `m` "1".
    /// (The reference lists these fields rather than transcribing a whole 310 header.)
    @Test func decodesAV2BatchSendWithShortNames() throws {
        let json =
            #"{"code":310,"extFields":{"a":"PG","b":"T","c":"TBW102","d":4,"e":3,"f":0,"g":"1796311224388","h":0,"#
            + #""i":"WAIT\u0001true\u0002","j":"0","k":"0","l":16,"m":"1"},"flag":0,"language":"CPP","opaque":5,"#
            + #""remark":"","version":333}"#
        let header = try SendMessageRequestHeader(
            try RemotingCommand.decode(RemotingSamples.frame(json: json)))
        #expect(
            header
                == SendMessageRequestHeader(
                    producerGroup: "PG", topic: "T", queueID: 3, bornTimestamp: 1_796_311_224_388,
                    properties: [MessagePropertyPair("WAIT", "true")], reconsumeTimes: 0, unitMode: false,
                    maxReconsumeTimes: 16, batch: true))
    }

    @Test func code320IsABatchWhateverItsFlag() throws {
        var header = SendMessageRequestHeader(producerGroup: "G", topic: "T", queueID: 1, bornTimestamp: 5)
        let request = RemotingCommand(code: 320, opaque: 1, extFields: header.extFields(v2: true))
        header.batch = true
        #expect(try SendMessageRequestHeader(request) == header)
    }

    @Test func v1AndV2FieldsRoundTrip() throws {
        let header = SendMessageRequestHeader(
            producerGroup: "G", topic: "T", defaultTopicQueueNums: 8, queueID: 2, sysFlag: 1, bornTimestamp: -1,
            flag: 7, properties: expectedProperties, reconsumeTimes: 3, unitMode: true, maxReconsumeTimes: 16,
            batch: true, brokerName: "b")
        for (code, v2) in [(Int32(10), false), (310, true)] {
            let fields = header.extFields(v2: v2)
            #expect(fields.fields.first?.name == (v2 ? "a" : "producerGroup"))
            let request = RemotingCommand(code: code, opaque: 1, extFields: fields)
            #expect(try SendMessageRequestHeader(try RemotingCommand.decode(try request.encoded())) == header)
        }
        #expect(SendMessageRequestHeader.v2Names.map(\.v2) == "abcdefghijklmn".map(String.init))
    }

    @Test func missingOrBadFieldsNameTheirOffset() throws {
        let noTopic = RemotingCommand(code: 10, opaque: 1, extFields: ["producerGroup": "G"])
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "topic", offset: 0, reason: "the header has no such field"))
        ) { try SendMessageRequestHeader(noTopic) }
        let noFields = try RemotingCommand.decode(RemotingSamples.frame(json: #"{"code":10}"#))
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "producerGroup", offset: 8, reason: "the header has no such field"))
        ) { try SendMessageRequestHeader(noFields) }
        let json = #"{"code":310,"extFields":{"a":"G","b":"T","c":"TBW102","d":4,"e":"one"}}"#
        let request = try RemotingCommand.decode(RemotingSamples.frame(json: json))
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(
                    field: "e", offset: 8 + RemotingSamples.offset(of: #""one""#, in: json),
                    reason: #""one" is not an integer in -2147483648...2147483647"#))
        ) { try SendMessageRequestHeader(request) }
        #expect(throws: RemotingError.self) { try SendMessageRequestHeader(RemotingCommand(code: 11, opaque: 1)) }
    }

    @Test func propertiesWithoutANameSeparatorAreRefused() throws {
        var fields = SendMessageRequestHeader(producerGroup: "G", topic: "T", queueID: 0, bornTimestamp: 0)
            .extFields(v2: false)
        fields["properties"] = "KEYS\u{1}a\u{2}broken\u{2}"
        let json = try RemotingCommand(code: 10, opaque: 1, extFields: fields).encoded()
        let request = try RemotingCommand.decode(json)
        let valueAt = request.extFields.offset(of: "properties")
        #expect(valueAt > 8)
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(
                    field: "properties", offset: valueAt,
                    reason:
                        "invalid properties at byte 7: a pair without a name separator (counting from the value's first byte)"
                ))
        ) { try SendMessageRequestHeader(request) }
    }

    // MARK: batch body

    /// Two messages in the `encodeMessages` layout of `rocketmq-clients.md` §5.2, written out
    /// field by field: `[int totalSize][int magic=0][int bodyCRC=0][int flag][int bodyLen][body]
    /// [short propsLen][props]`.
    let batchBody: [UInt8] = {
        let first: [[UInt8]] = [
            [0, 0, 0, 42], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2], Array("m1".utf8),
            [0, 18], Array("TAGS\u{1}tagA\u{2}KEYS\u{1}k1\u{2}".utf8),
        ]
        let second: [[UInt8]] = [
            [0, 0, 0, 32], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 9], [0, 0, 0, 0],
            [0, 10], Array("TAGS\u{1}tagB\u{2}".utf8),
        ]
        return Array((first + second).joined())
    }()

    @Test func decodesABatchBodyWithoutCopyingBodies() throws {
        let messages = try BatchMessage.decode(batchBody[...], bodyOffset: 100)
        #expect(messages.count == 2)
        #expect(Array(messages[0].body) == Array("m1".utf8))
        #expect(messages[0].properties == [MessagePropertyPair("TAGS", "tagA"), MessagePropertyPair("KEYS", "k1")])
        #expect(messages[1].flag == 9 && messages[1].body.isEmpty)
        #expect(messages[1].properties == [MessagePropertyPair("TAGS", "tagB")])
        #expect(messages[0].body.startIndex == 20)  // a slice of the request body
    }

    @Test func batchBodyRoundTrips() throws {
        let messages = [
            BatchMessage(
                body: Array("m1".utf8)[...],
                properties: [MessagePropertyPair("TAGS", "tagA"), MessagePropertyPair("KEYS", "k1")]),
            BatchMessage(flag: 9, body: [], properties: [MessagePropertyPair("TAGS", "tagB")]),
        ]
        let encoded = try BatchMessage.encode(messages)
        #expect(encoded == batchBody)
        #expect(try BatchMessage.decode(encoded[...], bodyOffset: 0) == messages)
    }

    @Test func malformedBatchBodiesNameTheirOffset() {
        var wrongTotal = batchBody
        wrongTotal[45] = 33  // the second message's total size
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(
                    field: "batch message total size", offset: 100 + 42, reason: "33, but its fields take 32 bytes"))
        ) { try BatchMessage.decode(wrongTotal[...], bodyOffset: 100) }
        #expect(
            throws: RemotingError.malformed(
                .truncated(field: "batch message flag", offset: 12, needed: 4, available: 3))
        ) { try BatchMessage.decode(batchBody[..<15], bodyOffset: 0) }
        var long = batchBody
        long[19] = 200
        #expect(
            throws: RemotingError.malformed(
                .lengthOverLimit(
                    field: "batch message body length", offset: 16, length: 200, limit: batchBody.count - 20))
        ) { try BatchMessage.decode(long[...], bodyOffset: 0) }
        var badProperties = batchBody
        badProperties[28] = UInt8(ascii: "X")  // the first name separator
        #expect(
            throws: RemotingError.malformed(
                .invalidValue(field: "properties", offset: 2 + 24, reason: "a pair without a name separator"))
        ) { try BatchMessage.decode(badProperties[...], bodyOffset: 2) }
        #expect(throws: RemotingError.self) { try BatchMessage.decode(batchBody.dropLast(1)[...], bodyOffset: 0) }
    }
}
