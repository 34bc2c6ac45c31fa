import Bytes
import LedgerModel
import Testing

@Suite struct MessageRecordTests {
    let golden = StoredMessage(
        queueID: 1, flag: 7, queueOffset: QueueOffset(2), physicalOffset: PhysicalOffset(0x100), sysFlag: 0,
        bornTimestamp: 0x0102_0304_0506_0708, bornHost: HostAddress(ipv4: 10, 0, 0, 1, port: 1234),
        storeTimestamp: 0x1112_1314_1516_1718, storeHost: HostAddress(ipv4: 192, 168, 1, 2, port: 10911),
        body: Array("hi".utf8), topic: "T", properties: [MessagePropertyPair("TAGS", "A")])

    /// The bytes worked out by hand from `reference/rocketmq-formats.md` §1.1.
    let goldenBytes: [UInt8] = [
        0x00, 0x00, 0x00, 0x65,  //  0 TOTALSIZE = 91 + body 2 + topic 1 + properties 7 = 101
        0xDA, 0xA3, 0x20, 0xA7,  //  4 MAGICCODE V1
        0x58, 0x93, 0x2A, 0xAC,  //  8 BODYCRC = crc32("hi") 0xD8932AAC & 0x7FFFFFFF
        0x00, 0x00, 0x00, 0x01,  // 12 QUEUEID
        0x00, 0x00, 0x00, 0x07,  // 16 FLAG
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // 20 QUEUEOFFSET
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,  // 28 PHYSICALOFFSET
        0x00, 0x00, 0x00, 0x00,  // 36 SYSFLAG
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // 40 BORNTIMESTAMP
        0x0A, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04, 0xD2,  // 48 BORNHOST 10.0.0.1:1234
        0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,  // 56 STORETIMESTAMP
        0xC0, 0xA8, 0x01, 0x02, 0x00, 0x00, 0x2A, 0x9F,  // 64 STOREHOST 192.168.1.2:10911
        0x00, 0x00, 0x00, 0x00,  // 72 RECONSUMETIMES
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 76 PREPAREDTRANSACTIONOFFSET
        0x00, 0x00, 0x00, 0x02, 0x68, 0x69,  // 84 BODY length 2, "hi"
        0x01, 0x54,  // 90 TOPIC length 1, "T"
        0x00, 0x07, 0x54, 0x41, 0x47, 0x53, 0x01, 0x41, 0x02,  // 92 PROPERTIES length 7, "TAGS\u{1}A\u{2}"
    ]

    @Test func encodesToTheGoldenBytes() {
        let bytes = golden.encodedRecord()
        #expect(bytes.count == 101)
        #expect(golden.storeSize == 101)
        for (offset, (actual, expected)) in zip(bytes, goldenBytes).enumerated() {
            #expect(actual == expected, "byte \(offset)")
        }
        #expect(bytes == goldenBytes)
    }

    @Test func decodesTheGoldenBytes() throws {
        let decoded = try StoredMessage(decoding: goldenBytes)
        #expect(decoded == golden)
        #expect(decoded.tags == "A")
        #expect(decoded.messageID == "C0A8010200002A9F0000000000000100")
    }

    @Test func decodesAVersion2RecordWithATwoByteTopicLength() throws {
        var bytes = goldenBytes
        bytes[3] = 0x66  // one byte longer
        bytes[7] = 0xAB  // magic V2
        bytes.replaceSubrange(90..<91, with: [0x00, 0x01])
        let decoded = try StoredMessage(decoding: bytes)
        #expect(decoded == golden)
    }

    @Test func ipv6HostsSetTheSysFlagBitsAndRoundTrip() throws {
        var message = golden
        message.bornHost = HostAddress(ip: Array(repeating: 0xFE, count: 16), port: 1)!
        message.storeHost = HostAddress(ip: [0x20, 0x01] + Array(repeating: 0, count: 13) + [1], port: 2)!
        let bytes = message.encodedRecord()
        #expect(bytes.count == 101 + 24)
        let decoded = try StoredMessage(decoding: bytes)
        #expect(decoded.sysFlag == 0x30)
        #expect(decoded.bornHost == message.bornHost)
        #expect(decoded.storeHost == message.storeHost)
        #expect(decoded.messageID.count == 56)
        #expect(MessageID.parse(decoded.messageID)?.storeHost == message.storeHost)
    }

    @Test func messageIDsParseBack() throws {
        let parsed = try #require(MessageID.parse("c0a8010200002a9f0000000000000100"))
        #expect(parsed.storeHost == HostAddress(ipv4: 192, 168, 1, 2, port: 10911))
        #expect(parsed.physicalOffset == PhysicalOffset(256))
        #expect(MessageID.parse("XYZ") == nil)
        #expect(MessageID.parse(String(repeating: "G", count: 32)) == nil)
    }

    @Test func messageIDsAreUpperCaseHexOfHostPortAndOffset() {
        let v4 = HostAddress(ipv4: 192, 168, 1, 2, port: 10911)
        let id = "C0A8010200002A9F0000000000000100"
        #expect(MessageID.make(storeHost: v4, physicalOffset: PhysicalOffset(256)) == id)
        #expect(
            MessageID.make(storeHost: v4, physicalOffset: PhysicalOffset(Int64.max))
                == "C0A8010200002A9F7FFFFFFFFFFFFFFF")
        let v6 = HostAddress(ip: [0x20, 0x01] + Array(repeating: 0, count: 13) + [0xAB], port: 65535)!
        #expect(
            MessageID.make(storeHost: v6, physicalOffset: PhysicalOffset(0x0123_4567_89AB_CDEF))
                == "200100000000000000000000000000AB0000FFFF0123456789ABCDEF")
        #expect(MessageID.isID(id, storeHost: v4, physicalOffset: PhysicalOffset(256)))
        #expect(!MessageID.isID(id.lowercased(), storeHost: v4, physicalOffset: PhysicalOffset(256)))
        #expect(!MessageID.isID(id, storeHost: v4, physicalOffset: PhysicalOffset(257)))
        #expect(
            !MessageID.isID(
                id, storeHost: HostAddress(ipv4: 192, 168, 1, 2, port: 10912), physicalOffset: PhysicalOffset(256)))
        #expect(!MessageID.isID(id + "0", storeHost: v4, physicalOffset: PhysicalOffset(256)))
        #expect(!MessageID.isID(String(id.dropLast()) + "\u{212A}", storeHost: v4, physicalOffset: PhysicalOffset(256)))
        #expect(!MessageID.isID("", storeHost: v4, physicalOffset: PhysicalOffset(256)))
        let v6ID = MessageID.make(storeHost: v6, physicalOffset: PhysicalOffset(3))
        #expect(MessageID.isID(v6ID, storeHost: v6, physicalOffset: PhysicalOffset(3)))
        #expect(!MessageID.isID(v6ID, storeHost: v4, physicalOffset: PhysicalOffset(3)))
    }

    @Test func messageIDsMatchTheirBytesInHex() {
        // Fixed seed (xorshift64): hosts of both kinds and offsets over the whole Int64 range.
        let seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var state = seed
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        for round in 0..<2000 {
            let ip = (0..<(round % 2 == 0 ? 4 : 16)).map { _ in UInt8(truncatingIfNeeded: next()) }
            let host = HostAddress(ip: ip, port: UInt16(truncatingIfNeeded: next()))!
            let offset = PhysicalOffset(Int64(bitPattern: next()))
            var bytes = ip + [0, 0, UInt8(host.port >> 8), UInt8(host.port & 0xFF)]
            bytes += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: offset.rawValue) >> (56 - 8 * $0)) }
            let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
            let id = MessageID.make(storeHost: host, physicalOffset: offset)
            #expect(id == expected, "seed \(seed) round \(round)")
            #expect(MessageID.isID(expected, storeHost: host, physicalOffset: offset), "seed \(seed) round \(round)")
            #expect(MessageID.parse(id)?.storeHost == host && MessageID.parse(id)?.physicalOffset == offset)
        }
    }

    @Test func corruptRecordsThrowTypedErrors() {
        var badCRC = goldenBytes
        badCRC[88] ^= 0xFF  // flip a body byte
        #expect(throws: DecodeError.self) { try StoredMessage(decoding: badCRC) }
        var badMagic = goldenBytes
        badMagic[5] = 0
        #expect(throws: DecodeError.self) { try StoredMessage(decoding: badMagic) }
        for cut in [0, 3, 50, 100] {
            #expect(throws: DecodeError.self) { try StoredMessage(decoding: Array(goldenBytes[..<cut])) }
        }
        var longBody = goldenBytes
        longBody[87] = 0x70  // body length beyond the record
        #expect(throws: DecodeError.self) { try StoredMessage(decoding: longBody) }
    }
}
