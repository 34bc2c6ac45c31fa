import Bytes
import LedgerModel

/// One message of a batch send's body (`MessageDecoder.encodeMessages`), big-endian:
///
///     int32 total size (this field included: 22 + body + properties)
///     int32 magic (0)   int32 body CRC (0)   int32 flag
///     int32 body length, body   int16 properties length, properties (`k\u{1}v\u{2}...`)
///
/// The clients write 0 for the magic and the CRC; the broker reads neither, and neither does
/// ``decode(_:bodyOffset:)``.
public struct BatchMessage: Sendable, Hashable {
    public var flag: Int32
    /// The message body; a decoded one is a slice of the request's body, not a copy.
    public var body: ArraySlice<UInt8>
    /// Its own properties (each message of a batch carries its own `KEYS`, `TAGS`, `UNIQ_KEY`).
    public var properties: [MessagePropertyPair]

    public init(flag: Int32 = 0, body: ArraySlice<UInt8>, properties: [MessagePropertyPair]) {
        self.flag = flag
        self.body = body
        self.properties = properties
    }

    /// Bytes before the body, total size included.
    static let fixedSize = 20

    /// The messages of a batch body whose first byte is at stream offset `bodyOffset`. Each
    /// message's total size must match its fields, and the messages must fill the body exactly.
    public static func decode(_ body: ArraySlice<UInt8>, bodyOffset: Int) throws(RemotingError) -> [BatchMessage] {
        var messages: [BatchMessage] = []
        var index = body.startIndex
        func offset(_ at: Int) -> Int { bodyOffset + at - body.startIndex }
        func load<T: FixedWidthInteger>(_: T.Type, at: Int, _ field: String) throws(RemotingError) -> T {
            let size = MemoryLayout<T>.size
            guard body.endIndex - at >= size else {
                throw .malformed(
                    .truncated(field: field, offset: offset(at), needed: size, available: body.endIndex - at))
            }
            return body.withUnsafeBytes { $0.loadInteger(at: at - body.startIndex, as: T.self) }
        }
        while index < body.endIndex {
            let start = index
            let total = try load(Int32.self, at: start, "batch message total size")
            let flag = try load(Int32.self, at: start + 12, "batch message flag")
            let bodyLength = try load(Int32.self, at: start + 16, "batch message body length")
            guard bodyLength >= 0, Int(bodyLength) <= body.endIndex - (start + fixedSize) else {
                throw .malformed(
                    .lengthOverLimit(
                        field: "batch message body length", offset: offset(start + 16),
                        length: UInt64(UInt32(bitPattern: bodyLength)), limit: body.endIndex - (start + fixedSize)))
            }
            let bodyStart = start + fixedSize
            let bodyEnd = bodyStart + Int(bodyLength)
            let propertiesLength = Int(try load(UInt16.self, at: bodyEnd, "batch message properties length"))
            let propertiesStart = bodyEnd + 2
            guard propertiesLength <= body.endIndex - propertiesStart else {
                throw .malformed(
                    .truncated(
                        field: "batch message properties", offset: offset(propertiesStart), needed: propertiesLength,
                        available: body.endIndex - propertiesStart))
            }
            let end = propertiesStart + propertiesLength
            guard Int(total) == end - start else {
                throw .malformed(
                    .invalidValue(
                        field: "batch message total size", offset: offset(start),
                        reason: "\(total), but its fields take \(end - start) bytes"))
            }
            let properties: [MessagePropertyPair]
            do {
                properties = try MessageRecord.decodeProperties(
                    Array(body[propertiesStart..<end]), at: offset(propertiesStart))
            } catch {
                throw .malformed(error)
            }
            messages.append(BatchMessage(flag: flag, body: body[bodyStart..<bodyEnd], properties: properties))
            index = end
        }
        return messages
    }

    /// The batch body holding `messages`, as the clients encode it. Throws if a body exceeds an
    /// int32 or properties 32,767 bytes (RocketMQ's short length).
    public static func encode(_ messages: [BatchMessage]) throws(EncodeError) -> [UInt8] {
        var writer = ByteWriter()
        for message in messages {
            let propertiesLength = MessageRecord.propertiesCount(message.properties)
            guard propertiesLength <= Int(Int16.max) else {
                throw EncodeError(field: "batch message properties", count: propertiesLength, limit: Int(Int16.max))
            }
            let total = fixedSize + message.body.count + 2 + propertiesLength
            guard total <= Int32.max else {
                throw EncodeError(field: "batch message", count: total, limit: Int(Int32.max))
            }
            writer.writeInt32(Int32(total))
            writer.writeInt32(0)
            writer.writeInt32(0)
            writer.writeInt32(message.flag)
            writer.writeInt32(Int32(message.body.count))
            writer.writeRawBytes(message.body)
            writer.writeUInt16(UInt16(propertiesLength))
            MessageRecord.appendProperties(message.properties, to: &writer)
        }
        return writer.bytes
    }
}
