import Bytes
import Testing

@Suite struct ByteReaderWriterTests {
    @Test func integersAreBigEndian() throws {
        var writer = ByteWriter()
        writer.writeUInt8(0xAB)
        writer.writeUInt16(0x0102)
        writer.writeUInt32(0x0304_0506)
        writer.writeUInt64(0x0708_090A_0B0C_0D0E)
        writer.writeBool(true)
        #expect(writer.bytes == [0xAB, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 1])

        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUInt8("a") == 0xAB)
        #expect(try reader.readUInt16("b") == 0x0102)
        #expect(try reader.readUInt32("c") == 0x0304_0506)
        #expect(try reader.readUInt64("d") == 0x0708_090A_0B0C_0D0E)
        #expect(try reader.readBool("e"))
        try reader.finish()
    }

    @Test func stringsAndBytesCarryALengthPrefix() throws {
        var writer = ByteWriter()
        writer.writeString("hé")
        writer.writeBytes([9, 8])
        #expect(writer.bytes == [0, 0, 0, 3, 0x68, 0xC3, 0xA9, 0, 0, 0, 2, 9, 8])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readString("s", limit: 3) == "hé")
        #expect(try reader.readBytes("b", limit: 2) == [9, 8])
        try reader.finish()
    }

    @Test func optionalsCarryAPresenceByte() throws {
        var writer = ByteWriter()
        writer.writeOptional(UInt64(7)) { $0.writeUInt64($1) }
        writer.writeOptional(UInt64?.none) { $0.writeUInt64($1) }
        #expect(writer.bytes == [1, 0, 0, 0, 0, 0, 0, 0, 7, 0])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readOptional("x") { (r) throws(DecodeError) in try r.readUInt64("x") } == 7)
        #expect(try reader.readOptional("y") { (r) throws(DecodeError) in try r.readUInt64("y") } == nil)
    }

    @Test func truncationNamesFieldAndOffset() {
        var reader = ByteReader([0, 0, 0], baseOffset: 16)
        #expect(throws: DecodeError.truncated(field: "term", offset: 16, needed: 8, available: 3)) {
            try reader.readUInt64("term")
        }
        #expect(
            DecodeError.truncated(field: "term", offset: 16, needed: 8, available: 3).description
                == "truncated term at byte 16: needs 8 bytes, 3 remain")
    }

    @Test func lengthOverLimitIsCheckedBeforeReading() {
        var reader = ByteReader([0xFF, 0xFF, 0xFF, 0xFF])
        let error = DecodeError.lengthOverLimit(field: "data", offset: 0, length: 0xFFFF_FFFF, limit: 100)
        #expect(throws: error) { try reader.readBytes("data", limit: 100) }
        #expect(error.description == "data at byte 0 is 4294967295, over the limit of 100")
    }

    @Test func lengthWithinLimitButBeyondTheBufferIsTruncation() {
        var reader = ByteReader([0, 0, 0, 10, 1, 2])
        #expect(throws: DecodeError.truncated(field: "data", offset: 4, needed: 10, available: 2)) {
            try reader.readBytes("data", limit: 100)
        }
    }

    @Test func countsMustFitTheRemainingBytes() {
        // 1,000 elements of at least 21 bytes cannot fit in 2 bytes: refuse before reserving.
        var reader = ByteReader([0, 0, 0x03, 0xE8, 1, 2])
        #expect(throws: DecodeError.truncated(field: "entry count", offset: 4, needed: 21_000, available: 2)) {
            try reader.readCount("entry count", limit: 65_536, minimumElementBytes: 21)
        }
        var overLimit = ByteReader([0, 1, 0, 1])
        #expect(throws: DecodeError.lengthOverLimit(field: "entry count", offset: 0, length: 65_537, limit: 65_536)) {
            try overLimit.readCount("entry count", limit: 65_536, minimumElementBytes: 0)
        }
    }

    @Test func invalidUTF8IsRejected() {
        var reader = ByteReader([0, 0, 0, 2, 0xC3, 0x28])
        let error = DecodeError.invalidUTF8(field: "group", offset: 4)
        #expect(throws: error) { try reader.readString("group", limit: 10) }
        #expect(error.description == "group at byte 4 is not valid UTF-8")
    }

    @Test func booleansAreZeroOrOne() {
        var reader = ByteReader([2], baseOffset: 30)
        let error = DecodeError.unknownEnumValue(field: "granted", value: 2, offset: 30)
        #expect(throws: error) { try reader.readBool("granted") }
        #expect(error.description == "unknown granted value 2 at byte 30")
    }

    @Test func trailingBytesAreReported() throws {
        var reader = ByteReader([0, 1, 2, 3], baseOffset: 16)
        _ = try reader.readUInt16("x")
        #expect(throws: DecodeError.trailingBytes(offset: 18, count: 2)) { try reader.finish() }
        #expect(
            DecodeError.trailingBytes(offset: 18, count: 2).description
                == "2 unexpected bytes after the payload at byte 18")
    }

    @Test func writerReusesStorageAndPatches() {
        var writer = ByteWriter(capacity: 64)
        writer.writeUInt32(0)
        writer.writeUInt8(5)
        writer.patchUInt32(0xDEAD_BEEF, at: 0)
        #expect(writer.bytes == [0xDE, 0xAD, 0xBE, 0xEF, 5])
        writer.truncate(to: 1)
        #expect(writer.bytes == [0xDE])
        writer.removeAll()
        #expect(writer.count == 0)
        #expect(writer.bytes.capacity >= 64)
    }
}

@Suite struct ByteOrderAndRangeTests {
    @Test func littleEndianReadersAndWritersMirrorBigEndianOnes() throws {
        var writer = ByteWriter(endianness: .little)
        writer.writeUInt16(0x0102)
        writer.writeUInt32(0x0304_0506)
        writer.writeInt64(-2)
        #expect(writer.bytes == [2, 1, 6, 5, 4, 3, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        var reader = ByteReader(writer.bytes, endianness: .little)
        #expect(try reader.readUInt16("a") == 0x0102)
        #expect(try reader.readUInt32("b") == 0x0304_0506)
        #expect(try reader.readInt64("c") == -2)
        try reader.finish()
        #expect(writer.bytes.loadInteger(at: 2, as: UInt32.self, .little) == 0x0304_0506)
        #expect(writer.bytes.loadInteger(at: 2, as: UInt32.self) == 0x0605_0403)
    }

    @Test func aReaderOverARangeReportsOffsetsFromItsStart() throws {
        let bytes: [UInt8] = [9, 9, 0, 2, 0x68, 0x69, 7, 9]
        var reader = ByteReader(bytes, from: 2, to: 7)
        #expect(try reader.readShortString("topic") == "hi")
        #expect(reader.offset == 4)
        #expect(throws: DecodeError.trailingBytes(offset: 4, count: 1)) { try reader.finish() }
        #expect(throws: DecodeError.truncated(field: "flag", offset: 4, needed: 4, available: 1)) {
            try reader.readInt32("flag")
        }
        #expect(throws: DecodeError.truncated(field: "body", offset: 4, needed: -1, available: 1)) {
            try reader.readRawBytes(-1, "body")
        }
    }

    @Test func shortStringsNameTheirLengthField() {
        var reader = ByteReader([0])
        #expect(throws: DecodeError.truncated(field: "topic length", offset: 0, needed: 2, available: 1)) {
            try reader.readShortString("topic")
        }
    }

    @Test func lengthsThatDoNotFitTheirFieldAreEncodeErrors() throws {
        var writer = ByteWriter()
        #expect(throws: EncodeError(field: "key count", count: 70_000, limit: 65_535)) {
            try writer.writeLength(70_000, as: UInt16.self, "key count")
        }
        try writer.writeShortString("ok", "tag")
        #expect(writer.bytes == [0, 2, 0x6F, 0x6B])
    }

    @Test func appendingInPlaceKeepsTheArraysStorage() {
        var buffer: [UInt8] = [1]
        buffer.reserveCapacity(128)
        let capacity = buffer.capacity
        ByteWriter.append(to: &buffer) { writer in
            writer.writeUInt32(0x0203_0405)
            writer.writeInt32(-1)
        }
        #expect(buffer == [1, 2, 3, 4, 5, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(buffer.capacity == capacity)
    }
}
