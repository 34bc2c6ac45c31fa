import Bytes
import LedgerModel
import Raft
import Remoting
import Testing

/// The direct encoders of the send path write exactly the bytes of the general path: a send
/// request (``SendMessageRequestHeader/encodeRequest(code:v2:language:version:opaque:flags:body:into:)``)
/// as a command with ``SendMessageRequestHeader/extFields(v2:)``, and a send's answer
/// (``RemotingCommand/encodeSendResponse(_:to:into:)``) as ``RemotingCommand/sendResponse(_:to:)``.
/// Seeded headers and results, with text that needs every kind of JSON escape.
@Suite struct DirectEncodingTests {
    /// Text drawn from pieces that need no escape, quotes, backslashes, control characters
    /// (the property separators among them) and other UTF-8.
    private static func text(_ random: inout SplitMix64, maxPieces: Int = 4) -> String {
        let pieces = [
            "T", "topic-1", "%RETRY%G", "a\"b", "back\\slash", "\u{1}", "\u{2}", "\n\t\r", "é", "日本", "💥", "",
        ]
        return (0..<Int(random.next() % UInt64(maxPieces + 1))).map { _ in
            pieces[Int(random.next() % UInt64(pieces.count))]
        }.joined()
    }

    private static func integer<T: FixedWidthInteger>(_ random: inout SplitMix64, _: T.Type) -> T {
        switch random.next() % 4 {
        case 0: T.min
        case 1: T.max
        case 2: T(truncatingIfNeeded: random.next() % 1000)
        default: T(truncatingIfNeeded: random.next())
        }
    }

    private static func maybe<T>(_ random: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
        random.next() % 2 == 0 ? nil : make(&random)
    }

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func aSendRequestIsWhatTheGeneralEncoderWrites(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for round in 0..<500 {
            let properties = (0..<Int(random.next() % 4)).map { _ in
                MessagePropertyPair(Self.text(&random), Self.text(&random))
            }
            let header = SendMessageRequestHeader(
                producerGroup: Self.text(&random), topic: Self.text(&random), defaultTopic: Self.text(&random),
                defaultTopicQueueNums: Self.integer(&random, Int32.self), queueID: Self.integer(&random, Int32.self),
                sysFlag: Self.integer(&random, Int32.self), bornTimestamp: Self.integer(&random, Int64.self),
                flag: Self.integer(&random, Int32.self), properties: properties,
                reconsumeTimes: Self.maybe(&random) { Self.integer(&$0, Int32.self) },
                unitMode: Self.maybe(&random) { $0.next() % 2 == 0 },
                maxReconsumeTimes: Self.maybe(&random) { Self.integer(&$0, Int32.self) },
                batch: random.next() % 2 == 0, brokerName: Self.maybe(&random) { Self.text(&$0) })
            let v2 = random.next() % 2 == 0
            let languages: [LanguageCode] = [.java, .cpp, .python]
            let language = languages[Int(random.next() % UInt64(languages.count))]
            let flags: RemotingFlags = random.next() % 3 == 0 ? .oneWay : []
            let body = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let code = v2 ? RequestCode.sendMessageV2.rawValue : RequestCode.sendMessage.rawValue
            let opaque = Self.integer(&random, Int32.self)
            let version = Self.integer(&random, Int32.self)
            let general = try RemotingCommand(
                code: code, language: language, version: version, opaque: opaque, flags: flags,
                extFields: header.extFields(v2: v2), body: body[...]
            ).encoded()
            var direct: [UInt8] = [7, 7]
            try header.encodeRequest(
                code: code, v2: v2, language: language, version: version, opaque: opaque, flags: flags,
                body: body[...], into: &direct)
            #expect(direct == [7, 7] + general, "seed \(seed) round \(round)")
            #expect(try RemotingCommand.decode(Array(direct.dropFirst(2))).extFields == header.extFields(v2: v2))
        }
    }

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func aSendAnswerIsWhatTheGeneralEncoderWrites(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for round in 0..<500 {
            let results = (0..<Int(1 + random.next() % 3)).map { _ in
                let offset = PhysicalOffset(Self.integer(&random, Int64.self))
                return SendResult(
                    queue: MessageQueue(topic: Self.text(&random), queueID: Self.integer(&random, Int32.self)),
                    queueOffset: QueueOffset(Self.integer(&random, Int64.self)), physicalOffset: offset,
                    messageID: random.next() % 4 == 0
                        ? Self.text(&random)
                        : MessageID.make(
                            storeHost: HostAddress(ipv4: 10, 0, 0, UInt8(random.next() % 256), port: 30_911),
                            physicalOffset: offset),
                    storeTimestamp: Self.integer(&random, Int64.self))
            }
            let response = SendResponse(results: round % 3 == 0 ? results : [results[0]], duplicate: round % 5 == 0)
            let request = RemotingCommand(
                code: RequestCode.sendMessageV2.rawValue, language: .cpp, version: 7,
                opaque: Self.integer(&random, Int32.self))
            var direct: [UInt8] = [9]
            try RemotingCommand.encodeSendResponse(response, to: request, into: &direct)
            #expect(
                direct == [9] + (try RemotingCommand.sendResponse(response, to: request).encoded()),
                "seed \(seed) round \(round)")
        }
    }
}
