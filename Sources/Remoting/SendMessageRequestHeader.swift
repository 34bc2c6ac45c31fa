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

    /// The V2 name of V1 field `v1`, which must be one of ``v2Names``.
    static func v2Name(_ v1: String) -> String {
        guard let pair = v2Names.first(where: { $0.v1 == v1 }) else { preconditionFailure("no V2 name for \(v1)") }
        return pair.v2
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
        func name(_ v1: String) -> String { v2 ? SendMessageRequestHeader.v2Name(v1) : v1 }
        producerGroup = try fields.required(name("producerGroup"))
        topic = try fields.required(name("topic"))
        defaultTopic = try fields.required(name("defaultTopic"))
        defaultTopicQueueNums = try fields.requiredInt32(name("defaultTopicQueueNums"))
        queueID = try fields.requiredInt32(name("queueId"))
        sysFlag = try fields.requiredInt32(name("sysFlag"))
        bornTimestamp = try fields.requiredInt64(name("bornTimestamp"))
        flag = try fields.requiredInt32(name("flag"))
        let propertiesName = name("properties")
        if let text = fields[propertiesName] {
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
        reconsumeTimes = try fields.int32(name("reconsumeTimes"))
        unitMode = try fields.bool(name("unitMode"))
        maxReconsumeTimes = try fields.int32(name("maxReconsumeTimes"))
        let batchField = try fields.bool(name("batch")) ?? false
        batch = request.requestCode == .sendBatchMessage || batchField
        brokerName = fields[name("brokerName")]
    }

    /// The header's fields with V1 names (`v2` false) or V2 names, in the V1 declaration order;
    /// absent optionals are left out. For a raw client and tests; the server only decodes.
    public func extFields(v2: Bool) -> ExtFields {
        var fields = ExtFields()
        var propertyBytes: [UInt8] = []
        ByteWriter.append(to: &propertyBytes) { MessageRecord.appendProperties(properties, to: &$0) }
        let values: [(String, String?)] = [
            ("producerGroup", producerGroup), ("topic", topic), ("defaultTopic", defaultTopic),
            ("defaultTopicQueueNums", String(defaultTopicQueueNums)), ("queueId", String(queueID)),
            ("sysFlag", String(sysFlag)), ("bornTimestamp", String(bornTimestamp)), ("flag", String(flag)),
            ("properties", String(decoding: propertyBytes, as: UTF8.self)),
            ("reconsumeTimes", reconsumeTimes.map(String.init)),
            ("unitMode", unitMode.map(String.init)), ("maxReconsumeTimes", maxReconsumeTimes.map(String.init)),
            ("batch", String(batch)), ("brokerName", brokerName),
        ]
        for (v1, value) in values {
            guard let value else { continue }
            fields[v2 ? SendMessageRequestHeader.v2Name(v1) : v1] = value
        }
        return fields
    }
}
