import Bytes

/// The account fields of a signed client request (frame flag ``FrameFlags/signed``), which
/// come before the request's own payload:
///
/// ```
/// string accessKey   the account (plain_acl.yml's accessKey)
/// string signature   Base64(HMAC-SHA1(secretKey, content)), RocketMQ's ACL 1.0 signature
/// ...                the request payload, as unsigned
/// ```
///
/// `content` is ``content(accessKey:opcode:payload:)``: the access key as a `string` field, the
/// opcode as `u16`, then the payload bytes. The request id and flags are not covered (RocketMQ's
/// scheme does not cover `opaque` either).
public struct RequestSignature: Sendable, Hashable {
    public var accessKey: String
    public var signature: String
    /// The bytes ``signature`` must sign.
    public var content: [UInt8]

    public init(accessKey: String, signature: String, content: [UInt8]) {
        self.accessKey = accessKey
        self.signature = signature
        self.content = content
    }

    /// What the signature of a request with `opcode` and `payload` covers.
    public static func content(accessKey: String, opcode: Opcode, payload: some Collection<UInt8>) -> [UInt8] {
        var writer = ByteWriter(capacity: 4 + accessKey.utf8.count + 2 + payload.count)
        writer.writeString(accessKey)
        writer.writeUInt16(opcode.rawValue)
        writer.writeRawBytes(payload)
        return writer.bytes
    }
}

extension WireCodec {
    /// Appends `message`, a client request, as one signed frame: `sign` gets the content (see
    /// ``RequestSignature``) and returns its signature. Throws, leaving `writer` unchanged, when
    /// the frame would exceed `maxFrameBytes`.
    public static func encodeSigned(
        _ message: WireMessage, requestID: UInt64, accessKey: String, sign: ([UInt8]) -> String,
        into writer: inout ByteWriter, maxFrameBytes: Int = WireLimits.default.maxFrameBytes
    ) throws(WireError) {
        precondition(message.isSignable, "\(message.opcode) is not a client request and cannot be signed")
        let payload = frame(for: message, requestID: requestID).payload
        let signature = sign(RequestSignature.content(accessKey: accessKey, opcode: message.opcode, payload: payload))
        try writer.writeFrame(
            opcode: message.opcode, requestID: requestID, flags: message.flags.union(.signed),
            maxFrameBytes: maxFrameBytes
        ) { writer in
            writer.writeString(accessKey)
            writer.writeString(signature)
            writer.writeRawBytes(payload)
        }
    }

    /// Decodes a frame a node receives: a signed client request yields its message and
    /// signature, any other frame its message (as ``decode(_:limits:)``) and nil. A signed
    /// frame must be a client request (flags `signed`, or `signed` + `oneWay` for `send`).
    public static func decodeReceived(_ frame: Frame, limits: WireLimits = .default) throws(WireError) -> (
        message: WireMessage, signature: RequestSignature?
    ) {
        guard frame.flags.contains(.signed) else { return (try decode(frame, limits: limits), nil) }
        let unsigned = frame.flags.subtracting(.signed)
        let isRequest = unsigned == [] || (unsigned == .oneWay && frame.opcode == .send)
        guard isRequest, frame.opcode.isKnown, !frame.opcode.isOneWayOnly, frame.opcode != .handshake else {
            throw frame.opcode.isKnown
                ? .unexpectedFlags(opcode: frame.opcode, flags: frame.flags, offset: Frame.flagsOffset)
                : .unknownOpcode(frame.opcode.rawValue, offset: Frame.opcodeOffset)
        }
        var reader = ByteReader(frame.payload, baseOffset: Frame.headerSize)
        let (accessKey, signature) = try decodingFields { () throws(DecodeError) in
            (
                try reader.readString("accessKey", limit: limits.maxStringBytes),
                try reader.readString("signature", limit: limits.maxStringBytes)
            )
        }
        let payloadStart = reader.position
        let inner = Frame(opcode: frame.opcode, requestID: frame.requestID, flags: unsigned, payload: frame.payload)
        let message = try decodePayload(inner, from: &reader, limits: limits)
        try decodingFields { () throws(DecodeError) in try reader.finish() }
        let content = RequestSignature.content(
            accessKey: accessKey, opcode: frame.opcode, payload: frame.payload[payloadStart...])
        return (message, RequestSignature(accessKey: accessKey, signature: signature, content: content))
    }
}

extension WireMessage {
    /// Whether this is a client request, which an ACL account may sign: every request but the
    /// peers' (handshake, proofs, Raft messages).
    public var isSignable: Bool {
        switch self {
        case .raft, .handshakeRequest, .peerProof: false
        default: flags.isSubset(of: .oneWay) && !flags.contains(.response)
        }
    }
}
