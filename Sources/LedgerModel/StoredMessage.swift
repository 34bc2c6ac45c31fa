import Bytes

/// One user property of a stored message, in stored order.
public struct MessagePropertyPair: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A message as stored in the commit log (RocketMQ's `MessageExt`): every field of the record of
/// `reference/rocketmq-formats.md` §1.1. ``encodedRecord()`` and ``init(decoding:at:verifyingCRC:)``
/// convert to and from those bytes exactly.
public struct StoredMessage: Hashable, Sendable {
    public var queueID: Int32
    public var flag: Int32
    public var queueOffset: QueueOffset
    public var physicalOffset: PhysicalOffset
    /// RocketMQ sys flag bits; this store sets only a compressed body's (0x1, as its producer
    /// sent it) and the IPv6 host bits (0x10, 0x20).
    public var sysFlag: Int32
    public var bornTimestamp: Int64
    public var bornHost: HostAddress
    public var storeTimestamp: Int64
    public var storeHost: HostAddress
    public var reconsumeTimes: Int32
    public var preparedTransactionOffset: Int64
    public var body: [UInt8]
    public var topic: String
    /// Properties in stored order (`k\u{1}v\u{2}` pairs).
    public var properties: [MessagePropertyPair]

    public init(
        queueID: Int32, flag: Int32, queueOffset: QueueOffset, physicalOffset: PhysicalOffset, sysFlag: Int32,
        bornTimestamp: Int64, bornHost: HostAddress, storeTimestamp: Int64, storeHost: HostAddress,
        reconsumeTimes: Int32 = 0, preparedTransactionOffset: Int64 = 0, body: [UInt8], topic: String,
        properties: [MessagePropertyPair]
    ) {
        self.queueID = queueID
        self.flag = flag
        self.queueOffset = queueOffset
        self.physicalOffset = physicalOffset
        self.sysFlag = sysFlag
        self.bornTimestamp = bornTimestamp
        self.bornHost = bornHost
        self.storeTimestamp = storeTimestamp
        self.storeHost = storeHost
        self.reconsumeTimes = reconsumeTimes
        self.preparedTransactionOffset = preparedTransactionOffset
        self.body = body
        self.topic = topic
        self.properties = properties
    }

    /// The first value of property `name`, if any.
    public func property(_ name: String) -> String? { properties.first { $0.name == name }?.value }
    /// The `TAGS` property.
    public var tags: String? { property(MessageProperty.tags) }
    /// The `KEYS` property split at spaces.
    public var keys: [String] { property(MessageProperty.keys)?.split(separator: " ").map(String.init) ?? [] }
    /// The offset message id: hex of store host, port and physical offset (32 characters for IPv4).
    public var messageID: String { MessageID.make(storeHost: storeHost, physicalOffset: physicalOffset) }
    /// The record's size in bytes (its TOTALSIZE field).
    public var storeSize: Int {
        MessageRecord.size(
            body: body.count, topic: topic.utf8.count, properties: MessageRecord.propertiesCount(properties),
            bornIPv6: bornHost.isIPv6, storeIPv6: storeHost.isIPv6)
    }
}

/// Offset message ids (`MessageDecoder.createMessageId`): uppercase hex of the store host's
/// address, its 4-byte port and the 8-byte physical offset.
public enum MessageID {
    /// The id of the record at `physicalOffset` stored by `storeHost`.
    public static func make(storeHost: HostAddress, physicalOffset: PhysicalOffset) -> String {
        let length = idLength(storeHost)
        return String(unsafeUninitializedCapacity: length) { text in
            writeDigits(storeHost: storeHost, physicalOffset: physicalOffset, into: text)
            return length
        }
    }

    /// Whether `text` is exactly the id ``make(storeHost:physicalOffset:)`` returns, without
    /// building it: it runs for every stored message. Byte equality is string equality here,
    /// since no other Unicode text is canonically equivalent to upper-case hex digits.
    public static func isID(_ text: String, storeHost: HostAddress, physicalOffset: PhysicalOffset) -> Bool {
        let length = idLength(storeHost)
        var text = text
        guard text.utf8.count == length else { return false }
        return text.withUTF8 { actual in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { expected in
                writeDigits(storeHost: storeHost, physicalOffset: physicalOffset, into: expected)
                return actual.elementsEqual(expected)
            }
        }
    }

    /// 32 characters for an IPv4 store host, 56 for IPv6.
    private static func idLength(_ storeHost: HostAddress) -> Int { (storeHost.encodedCount + 8) * 2 }

    /// Writes the id's upper-case hex digits at the start of `text` (room for ``idLength(_:)``):
    /// the host's address, its port as a 4-byte big-endian integer, the offset as 8 bytes.
    private static func writeDigits(
        storeHost: HostAddress, physicalOffset: PhysicalOffset, into text: UnsafeMutableBufferPointer<UInt8>
    ) {
        precondition(text.count >= idLength(storeHost), "no room for the id")
        var out = text.baseAddress!
        for index in 0..<storeHost.ipCount {
            writeHex(UInt64(storeHost[byte: index]), digits: 2, at: out)
            out += 2
        }
        writeHex(UInt64(storeHost.port), digits: 8, at: out)
        writeHex(UInt64(bitPattern: physicalOffset.rawValue), digits: 16, at: out + 8)
    }

    /// Writes the low `count` hex digits of `value` at `out`, most significant first.
    @inline(__always)
    private static func writeHex(_ value: UInt64, digits count: Int, at out: UnsafeMutablePointer<UInt8>) {
        for i in 0..<count {
            let nibble = UInt8(truncatingIfNeeded: value &>> UInt64(4 * (count - 1 - i))) & 0xF
            out[i] = nibble &+ (nibble < 10 ? UInt8(ascii: "0") : UInt8(ascii: "A") &- 10)
        }
    }

    /// The store host and physical offset inside an offset message id (either case of hex), or
    /// nil if `id` is not 32 (IPv4) or 56 (IPv6) hex digits.
    public static func parse(_ id: String) -> (storeHost: HostAddress, physicalOffset: PhysicalOffset)? {
        let text = Array(id.utf8)
        guard text.count == 32 || text.count == 56 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: text.count, by: 2) {
            guard let high = text[i].hexDigitValue, let low = text[i + 1].hexDigitValue else { return nil }
            bytes.append(high << 4 | low)
        }
        var reader = ByteReader(bytes)
        do {
            let host = try HostAddress.decode(
                &reader, ipv6: bytes.count == 28, address: "store host address", port: "store host port")
            return (host, PhysicalOffset(try reader.readInt64("physical offset")))
        } catch {
            return nil
        }
    }
}
