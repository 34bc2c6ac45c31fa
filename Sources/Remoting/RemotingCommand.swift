/// One RocketMQ remoting command, request or response (`RemotingCommand.java`): the header's
/// fields and the body.
///
/// ```
/// int32 length                 bytes after this field: 4 + header + body
/// int32 type << 24 | headerLen serialize type (0 JSON, 1 ROCKETMQ) and the header's length
/// header                       JSON object or binary fields (PROTOCOL.md)
/// body                         the rest of the frame
/// ```
///
/// A decoded command's body is a slice of the one array its frame was copied into, so decoding
/// copies the bytes once.
public struct RemotingCommand: Sendable, Hashable {
    /// The request code, or in a response the response code (see ``requestCode`` and
    /// ``responseCode``).
    public var code: Int32
    /// The sender's language, informational.
    public var language: LanguageCode
    /// The sender's version ordinal (`MQVersion.Version`): 63 from the C++ 1.0.1 client, 333 from
    /// 2.1.0, 401 for Java 4.9.4. The NameServer's route format depends on it.
    public var version: Int32
    /// The request id, chosen by the requester and echoed in its response.
    public var opaque: Int32
    public var flags: RemotingFlags
    /// Free text; responses put the reason for a failure here. Nil when absent.
    public var remark: String?
    public var extFields: ExtFields
    /// The body. A decoded one is a slice of its frame's array and keeps that array's indices:
    /// index it from `body.startIndex`, not 0.
    public var body: ArraySlice<UInt8>

    /// A command with every field given.
    public init(
        code: Int32, language: LanguageCode = .java, version: Int32 = 0, opaque: Int32, flags: RemotingFlags = [],
        remark: String? = nil, extFields: ExtFields = ExtFields(), body: ArraySlice<UInt8> = []
    ) {
        self.code = code
        self.language = language
        self.version = version
        self.opaque = opaque
        self.flags = flags
        self.remark = remark
        self.extFields = extFields
        self.body = body
    }

    /// True for a response (flag bit 0).
    public var isResponse: Bool { flags.contains(.response) }
    /// True for a request whose sender wants no answer (flag bit 1).
    public var isOneWay: Bool { flags.contains(.oneWay) }
    /// True for a request that must be answered: not a response and not one-way.
    public var expectsResponse: Bool { !isResponse && !isOneWay }
    /// ``code`` read as a request's.
    public var requestCode: RequestCode { RequestCode(rawValue: code) }
    /// ``code`` read as a response's.
    public var responseCode: ResponseCode { ResponseCode(rawValue: code) }
}
