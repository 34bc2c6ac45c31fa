import Bytes

/// The ROCKETMQ binary header (serialize type 1, `RocketMQSerializable`), big-endian:
///
///     int16 code   int8 language   int16 version   int32 opaque   int32 flag
///     int32 remark length, remark (UTF-8; 0 = none)
///     int32 extFields length, then until it is used up: int16 key length, key, int32 value length, value
extension RemotingCommand {
    /// Decodes a binary header whose first byte is at stream offset `headerOffset`. The header
    /// must be used up exactly; lengths are checked against what remains before anything is read.
    static func decodeBinaryHeader(_ header: ArraySlice<UInt8>, headerOffset: Int) throws(RemotingError)
        -> RemotingCommand
    {
        var reader = ByteReader(Array(header), baseOffset: headerOffset)
        do throws(DecodeError) {
            let code = Int32(try reader.readInteger("code", as: Int16.self))
            let language = try reader.readEnum(LanguageCode.self, "language")
            let version = Int32(try reader.readInteger("version", as: Int16.self))
            let opaque = try reader.readInt32("opaque")
            let flags = RemotingFlags(rawValue: try reader.readInt32("flag"))
            let remarkLength = try length(&reader, "remark length")
            let remark = remarkLength == 0 ? nil : try reader.readString(count: remarkLength, "remark")
            let extLength = try length(&reader, "extFields length")
            var extFields = ExtFields(headerOffset: reader.offset)
            let extEnd = reader.position + extLength
            while reader.position < extEnd {
                var entry = ByteReader(reader.bytes, from: reader.position, to: extEnd, baseOffset: reader.offset)
                let keyLength = Int(try entry.readUInt16("extFields key length"))
                let keyAt = entry.offset
                let key = try entry.readUTF8(count: keyLength, "extFields key")
                if key.withUnsafeBufferPointer({ extFields.index(ofUTF8: $0) }) != nil {
                    throw DecodeError.invalidValue(
                        field: "extFields key", offset: keyAt,
                        reason: "\(String(decoding: key, as: UTF8.self)) repeated")
                }
                let valueLength = try length(&entry, "extFields value length")
                let valueAt = entry.offset
                let value = try entry.readUTF8(
                    count: valueLength, "extFields value \(String(decoding: key, as: UTF8.self))")
                extFields.append(name: key, value: value, offset: Int32(clamping: valueAt))
                try reader.skip(entry.position - reader.position, "extFields entry")
            }
            try reader.finish()
            return RemotingCommand(
                code: code, language: language, version: version, opaque: opaque, flags: flags, remark: remark,
                extFields: extFields, body: [])
        } catch {
            throw .malformed(error)
        }
    }

    /// Appends the binary header. Throws if the code or version does not fit 16 bits, a key
    /// 65,535 bytes, or a field's length an int32.
    func appendBinaryHeader(to bytes: inout [UInt8]) throws(EncodeError) {
        guard let code16 = Int16(exactly: code) else {
            throw EncodeError(field: "code", count: Int(code), limit: 32767)
        }
        guard let version16 = Int16(exactly: version) else {
            throw EncodeError(field: "version", count: Int(version), limit: 32767)
        }
        try ByteWriter.append(to: &bytes) { (writer) throws(EncodeError) in
            writer.writeInteger(code16)
            writer.writeUInt8(language.rawValue)
            writer.writeInteger(version16)
            writer.writeInt32(opaque)
            writer.writeInt32(flags.rawValue)
            let remarkBytes = remark?.utf8 ?? "".utf8
            try writer.writeLength(remarkBytes.count, as: UInt32.self, "remark")
            writer.writeRawBytes(remarkBytes)
            let extLengthAt = writer.count
            writer.writeUInt32(0)
            for index in 0..<extFields.count {
                let name = extFields.name(at: index)
                let value = extFields.value(at: index)
                try writer.writeLength(name.count, as: UInt16.self, "extFields key")
                writer.writeRawBytes(name)
                try writer.writeLength(
                    value.count, as: UInt32.self, "extFields value \(String(decoding: name, as: UTF8.self))")
                writer.writeRawBytes(value)
            }
            let extLength = writer.count - extLengthAt - 4
            guard extLength <= Int32.max else {
                throw EncodeError(field: "extFields", count: extLength, limit: Int(Int32.max))
            }
            writer.patchUInt32(UInt32(extLength), at: extLengthAt)
        }
    }

    /// An int32 length that must be non-negative and fit what remains.
    private static func length(_ reader: inout ByteReader, _ field: String) throws(DecodeError) -> Int {
        let at = reader.offset
        let value = try reader.readInt32(field)
        guard value >= 0 else { throw .invalidValue(field: field, offset: at, reason: "\(value) is negative") }
        if Int(value) > reader.remaining {
            throw .truncated(field: field, offset: reader.offset, needed: Int(value), available: reader.remaining)
        }
        return Int(value)
    }
}
