import Bytes
import LedgerModel

/// The header of a send: SEND_MESSAGE (10) with `SendMessageRequestHeader`'s field names, or
/// SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320) with `SendMessageRequestHeaderV2`'s
/// one-letter names (``v2Names``). A batch is a 320, or a 10/310 whose `batch`/`m` is true
/// (what the C++ clients send); its body is a ``BatchMessage`` list.
public struct SendMessageRequestHeader: Sendable, Hashable {
    public var producerGroup: String
    public var topic: String
    /// The topic whose settings a new topic copies, `TBW102`.
    public var defaultTopic: String
    public var defaultTopicQueueNums: Int32
    public var queueID: Int32
    /// The message's sys flag bits (0x1 compressed, 0x4 a transaction's half message, ...).
    public var sysFlag: Int32
    public var bornTimestamp: Int64
    public var flag: Int32
    /// The message's properties in sent order (`TAGS`, `KEYS`, `UNIQ_KEY`, `WAIT`, user ones, ...).
    public var properties: [MessagePropertyPair]
    public var reconsumeTimes: Int32?
    public var unitMode: Bool?
    /// V1 `maxReconsumeTimes`, V2 `l` (Java calls it `consumeRetryTimes` there).
    public var maxReconsumeTimes: Int32?
    /// The body holds several messages (``BatchMessage``).
    public var batch: Bool
    /// V2 `n`, sent by newer Java clients only.
    public var brokerName: String?

    public init(
        producerGroup: String, topic: String, defaultTopic: String = "TBW102", defaultTopicQueueNums: Int32 = 4,
        queueID: Int32, sysFlag: Int32 = 0, bornTimestamp: Int64, flag: Int32 = 0,
        properties: [MessagePropertyPair] = [], reconsumeTimes: Int32? = nil, unitMode: Bool? = nil,
        maxReconsumeTimes: Int32? = nil, batch: Bool = false, brokerName: String? = nil
    ) {
        self.producerGroup = producerGroup
        self.topic = topic
        self.defaultTopic = defaultTopic
        self.defaultTopicQueueNums = defaultTopicQueueNums
        self.queueID = queueID
        self.sysFlag = sysFlag
        self.bornTimestamp = bornTimestamp
        self.flag = flag
        self.properties = properties
        self.reconsumeTimes = reconsumeTimes
        self.unitMode = unitMode
        self.maxReconsumeTimes = maxReconsumeTimes
        self.batch = batch
        self.brokerName = brokerName
    }

    /// V1 field name → V2 name (`SendMessageRequestHeaderV2.createSendMessageRequestHeaderV1`).
    public static let v2Names: [(v1: String, v2: String)] = [
        ("producerGroup", "a"), ("topic", "b"), ("defaultTopic", "c"), ("defaultTopicQueueNums", "d"),
        ("queueId", "e"), ("sysFlag", "f"), ("bornTimestamp", "g"), ("flag", "h"), ("properties", "i"),
        ("reconsumeTimes", "j"), ("unitMode", "k"), ("maxReconsumeTimes", "l"), ("batch", "m"), ("brokerName", "n"),
    ]

    /// The fields' V1 and V2 names, in ``v2Names`` order (the V1 declaration order).
    private static let v1Order = v2Names.map(\.v1)
    private static let v2Order = v2Names.map(\.v2)
    /// The V1 names' bytes, in ``v2Names`` order.
    private static let v1Bytes = v2Names.map { Array($0.v1.utf8) }

    /// The position in ``v2Names`` of the field named by the bytes `name`: a V2 letter (`a`,
    /// `b`, ... `n`) or a V1 name.
    private static func slot(_ name: ArraySlice<UInt8>, v2: Bool) -> Int? {
        guard v2 else { return v1Bytes.firstIndex { $0[...] == name } }
        guard name.count == 1 else { return nil }
        let slot = Int(name[name.startIndex]) - Int(UInt8(ascii: "a"))
        return (0..<v2Names.count).contains(slot) ? slot : nil
    }

    /// Decodes the header of a send request: V1 names for code 10, V2 names for 310 and 320
    /// (320 is a batch whatever `m` says). Required, as in Java: the group, topic, default
    /// topic and its queue count, queue id, sys flag, born timestamp and flag.
    public init(_ request: RemotingCommand) throws(RemotingError) {
        let v2: Bool
        switch request.requestCode {
        case .sendMessage: v2 = false
        case .sendMessageV2, .sendBatchMessage: v2 = true
        default:
            throw .malformed(
                .invalidValue(
                    field: "code", offset: request.extFields.headerOffset,
                    reason: "\(request.requestCode) is not a send"))
        }
        let fields = request.extFields
        let names = v2 ? Self.v2Order : Self.v1Order
        // Each slot's field position, found in one pass over the fields.
        var found = InlineArray<14, Int>(repeating: -1)
        for index in 0..<fields.count {
            if let slot = Self.slot(fields.name(at: index), v2: v2) { found[slot] = index }
        }
        func at(_ slot: Int) -> Int? { found[slot] < 0 ? nil : found[slot] }
        producerGroup = try fields.requiredString(at: at(0), names[0])
        topic = try fields.requiredString(at: at(1), names[1])
        defaultTopic = try fields.requiredString(at: at(2), names[2])
        defaultTopicQueueNums = try fields.requiredInteger(at: at(3), names[3], as: Int32.self)
        queueID = try fields.requiredInteger(at: at(4), names[4], as: Int32.self)
        sysFlag = try fields.requiredInteger(at: at(5), names[5], as: Int32.self)
        bornTimestamp = try fields.requiredInteger(at: at(6), names[6], as: Int64.self)
        flag = try fields.requiredInteger(at: at(7), names[7], as: Int32.self)
        if let index = at(8) {
            do {
                properties = try MessageRecord.decodeProperties(fields.value(at: index), at: 0)
            } catch {
                throw .malformed(
                    .invalidValue(
                        field: names[8], offset: fields.offset(at: index),
                        reason: "\(error) (counting from the value's first byte)"))
            }
        } else {
            properties = []
        }
        reconsumeTimes = try fields.integer(at: at(9), names[9], as: Int32.self)
        unitMode = try fields.bool(at: at(10), names[10])
        maxReconsumeTimes = try fields.integer(at: at(11), names[11], as: Int32.self)
        let batchField = try fields.bool(at: at(12), names[12]) ?? false
        batch = request.requestCode == .sendBatchMessage || batchField
        brokerName = at(13).map { String(decoding: fields.value(at: $0), as: UTF8.self) }
    }

    /// The header's fields with V1 names (`v2` false) or V2 names, in the V1 declaration order;
    /// absent optionals are left out. For a raw client and tests; the server only decodes.
    public func extFields(v2: Bool) -> ExtFields {
        let names = v2 ? Self.v2Order : Self.v1Order
        var fields = ExtFields()
        fields.reserveCapacity(names.count)
        var propertyBytes: [UInt8] = []
        ByteWriter.append(to: &propertyBytes) { MessageRecord.appendProperties(properties, to: &$0) }
        // In v2Names order; the names differ, so each goes at the end without a search.
        fields.appendNew(name: names[0], value: producerGroup)
        fields.appendNew(name: names[1], value: topic)
        fields.appendNew(name: names[2], value: defaultTopic)
        fields.appendNew(name: names[3], integer: defaultTopicQueueNums)
        fields.appendNew(name: names[4], integer: queueID)
        fields.appendNew(name: names[5], integer: sysFlag)
        fields.appendNew(name: names[6], integer: bornTimestamp)
        fields.appendNew(name: names[7], integer: flag)
        fields.appendNew(name: names[8], value: String(decoding: propertyBytes, as: UTF8.self))
        if let reconsumeTimes { fields.appendNew(name: names[9], integer: reconsumeTimes) }
        if let unitMode { fields.appendNew(name: names[10], value: String(unitMode)) }
        if let maxReconsumeTimes { fields.appendNew(name: names[11], integer: maxReconsumeTimes) }
        fields.appendNew(name: names[12], value: String(batch))
        if let brokerName { fields.appendNew(name: names[13], value: brokerName) }
        return fields
    }
}

extension SendMessageRequestHeader {
    /// Appends a request with this header as one frame with a JSON header, byte for byte what
    /// encoding `RemotingCommand(code:language:version:opaque:flags:extFields:body:)` with
    /// ``extFields(v2:)`` writes, without building the fields or the properties' text: for a
    /// producer that sends many messages (`ledger bench --remoting`). Throws as
    /// ``RemotingCommand/encode(into:as:)`` does.
    public func encodeRequest(
        code: Int32, v2: Bool, language: LanguageCode = .java, version: Int32, opaque: Int32,
        flags: RemotingFlags = [], body: ArraySlice<UInt8>, into bytes: inout [UInt8]
    ) throws(EncodeError) {
        let names = v2 ? Self.v2Order : Self.v1Order
        let quoted = UnsafeByteCursor.jsonQuotedLimit
        let decimal = UnsafeByteCursor.decimalLimit + 2
        let propertiesBytes = properties.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
        let limit =
            RemotingCommand.jsonHeaderLimit(language: language, remark: nil) + 64
            + names.reduce(0) { $0 + quoted($1.utf8.count) } + quoted(producerGroup.utf8.count)
            + quoted(topic.utf8.count) + quoted(defaultTopic.utf8.count) + quoted(propertiesBytes)
            + quoted(brokerName?.utf8.count ?? 0) + 8 * decimal
        try RemotingCommand.appendFrame(to: &bytes, serializeType: .json, body: body) { bytes in
            bytes.appendBytes(upTo: limit) { out in
                var first = true
                func name(_ slot: Int) {
                    out.write(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
                    first = false
                    var name = names[slot]
                    name.withUTF8 { out.writeJSONString($0) }
                    out.write(UInt8(ascii: ":"))
                }
                func text(_ slot: Int, _ value: String) {
                    name(slot)
                    var value = value
                    value.withUTF8 { out.writeJSONString($0) }
                }
                func integer(_ slot: Int, _ value: some FixedWidthInteger) {
                    name(slot)
                    out.write(UInt8(ascii: "\""))
                    out.writeDecimal(Int64(value))
                    out.write(UInt8(ascii: "\""))
                }
                // What a command with extFields(v2:) holds, as appendJSONHeader writes it.
                RemotingCommand.writeJSONHeaderStart(code: code, to: &out)
                out.write(#","extFields":"#)
                text(0, producerGroup)
                text(1, topic)
                text(2, defaultTopic)
                integer(3, defaultTopicQueueNums)
                integer(4, queueID)
                integer(5, sysFlag)
                integer(6, bornTimestamp)
                integer(7, flag)
                name(8)
                out.write(UInt8(ascii: "\""))
                for pair in properties {
                    var (key, value) = (pair.name, pair.value)
                    key.withUTF8 { out.writeJSONEscaped($0) }
                    out.write(#"\u0001"#)
                    value.withUTF8 { out.writeJSONEscaped($0) }
                    out.write(#"\u0002"#)
                }
                out.write(UInt8(ascii: "\""))
                if let reconsumeTimes { integer(9, reconsumeTimes) }
                if let unitMode { text(10, String(unitMode)) }
                if let maxReconsumeTimes { integer(11, maxReconsumeTimes) }
                text(12, String(batch))
                if let brokerName { text(13, brokerName) }
                out.write(UInt8(ascii: "}"))
                RemotingCommand.writeJSONHeaderEnd(
                    flags: flags, language: language, opaque: opaque, remark: nil, version: version, to: &out)
            }
        }
    }
}
