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
    /// Each V1 name's position in ``v2Names``.
    private static let v1Slots = Dictionary(uniqueKeysWithValues: v1Order.enumerated().map { ($1, $0) })

    /// The position in ``v2Names`` of the V2 name `name` (`a`, `b`, ... `n`).
    private static func v2Slot(_ name: String) -> Int? {
        var utf8 = name.utf8.makeIterator()
        guard let letter = utf8.next(), utf8.next() == nil else { return nil }
        let slot = Int(letter) - Int(UInt8(ascii: "a"))
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
        let values = fields.values(slots: names.count) { v2 ? Self.v2Slot($0) : Self.v1Slots[$0] }
        producerGroup = try fields.required(values[0], names[0])
        topic = try fields.required(values[1], names[1])
        defaultTopic = try fields.required(values[2], names[2])
        defaultTopicQueueNums = try fields.requiredInteger(values[3], names[3], as: Int32.self)
        queueID = try fields.requiredInteger(values[4], names[4], as: Int32.self)
        sysFlag = try fields.requiredInteger(values[5], names[5], as: Int32.self)
        bornTimestamp = try fields.requiredInteger(values[6], names[6], as: Int64.self)
        flag = try fields.requiredInteger(values[7], names[7], as: Int32.self)
        let propertiesName = names[8]
        if let text = values[8] {
            do {
                properties = try MessageRecord.decodeProperties(Array(text.utf8), at: 0)
            } catch {
                throw .malformed(
                    .invalidValue(
                        field: propertiesName, offset: fields.offset(of: propertiesName),
                        reason: "\(error) (counting from the value's first byte)"))
            }
        } else {
            properties = []
        }
        reconsumeTimes = try fields.integer(values[9], names[9], as: Int32.self)
        unitMode = try fields.bool(values[10], names[10])
        maxReconsumeTimes = try fields.integer(values[11], names[11], as: Int32.self)
        let batchField = try fields.bool(values[12], names[12]) ?? false
        batch = request.requestCode == .sendBatchMessage || batchField
        brokerName = values[13]
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
        fields.appendNew(name: names[3], value: String(defaultTopicQueueNums))
        fields.appendNew(name: names[4], value: String(queueID))
        fields.appendNew(name: names[5], value: String(sysFlag))
        fields.appendNew(name: names[6], value: String(bornTimestamp))
        fields.appendNew(name: names[7], value: String(flag))
        fields.appendNew(name: names[8], value: String(decoding: propertyBytes, as: UTF8.self))
        if let reconsumeTimes { fields.appendNew(name: names[9], value: String(reconsumeTimes)) }
        if let unitMode { fields.appendNew(name: names[10], value: String(unitMode)) }
        if let maxReconsumeTimes { fields.appendNew(name: names[11], value: String(maxReconsumeTimes)) }
        fields.appendNew(name: names[12], value: String(batch))
        if let brokerName { fields.appendNew(name: names[13], value: brokerName) }
        return fields
    }
}
