import Bytes
import LedgerModel
import Raft

/// Everything the native protocol says, typed: the top layer over ``Frame``.
///
/// The layers, bottom up: ``ByteReader``/``ByteWriter`` (fields), ``Frame`` and
/// ``FrameDecoder`` (framing), the payload codecs (``RaftMessageCodec`` and the ``WirePayload``
/// types), and ``WireCodec`` (opcode and flags to and from this enum). Another front end, such
/// as RocketMQ's remoting protocol, would bring its own framing and reuse the bottom layer.
public enum WireMessage: Sendable, Hashable {
    /// A Raft message between peers; one-way.
    case raft(Message)
    case handshakeRequest(PeerHandshake)
    case handshakeResponse(PeerHandshake)
    /// A peer's proof of the group secret, after the handshake; one-way.
    case peerProof(PeerProof)
    /// A piece of a state snapshot, from a leader to a follower; one-way.
    case snapshotChunk(SnapshotChunk)
    case statusRequest
    case statusResponse(StatusResponse)
    case appendRequest(ClientAppendRequest)
    case appendResponse(ClientAppendResponse)
    case getRequest(GetRequest)
    case getResponse(GetResponse)
    case transferLeaderRequest(TransferLeaderRequest)
    /// The transfer started.
    case transferLeaderResponse
    case faultInjectionRequest(FaultInjectionRequest)
    /// The node now drops the requested peers' traffic.
    case faultInjectionResponse
    /// Store messages and answer with where they went.
    case sendRequest(SendRequest)
    /// Store messages without an answer (frame flag `oneWay`): fire and forget.
    case sendOneWay(SendRequest)
    case sendResponse(SendResponse)
    case pullRequest(PullRequest)
    case pullResponse(PullResponse)
    case queueOffsetsRequest(QueueRequest)
    case queueOffsetsResponse(QueueOffsetsResponse)
    case searchOffsetRequest(SearchOffsetRequest)
    case searchOffsetResponse(OffsetResponse)
    case messagesByKeyRequest(KeyLookupRequest)
    case messagesByKeyResponse(MessagesResponse)
    case viewMessageRequest(ViewMessageRequest)
    /// Exactly one message.
    case viewMessageResponse(MessagesResponse)
    case topicsRequest
    case topicsResponse(TopicsResponse)
    case commitOffsetRequest(CommitOffsetRequest)
    /// The commit is applied on the leader.
    case commitOffsetResponse
    case consumerOffsetsRequest(ConsumerOffsetsRequest)
    case consumerOffsetsResponse(ConsumerOffsetsResponse)
    case updateTopicRequest(TopicUpdate)
    /// The topic's queues once the change applied on the leader.
    case updateTopicResponse(TopicInfo)
    case deleteTopicRequest(TopicDeletion)
    /// The deletion is applied on the leader.
    case deleteTopicResponse
    case sendBackRequest(SendBackRequest)
    /// Where the sent-back message went (its retry topic by way of the schedule topic, or its
    /// dead-letter topic).
    case sendBackResponse(SendResponse)
    case endTransactionRequest(EndTransactionRequest)
    /// Sent one-way (frame flag `oneWay`), as RocketMQ's clients do: no answer.
    case endTransactionOneWay(EndTransactionRequest)
    /// The outcome is recorded (applied on the leader).
    case endTransactionResponse
    case describeTopicRequest(TopicDescriptionRequest)
    case describeTopicResponse(TopicDescription)
    /// A consumer-group request (opcodes 56–61), answered by the leader's front end.
    case consumerGroupRequest(ConsumerGroupRequest)
    /// The answer to a ``consumerGroupRequest`` of the same kind.
    case consumerGroupResponse(ConsumerGroupResponse)
    /// A failed request; `answering` is the opcode of the request, which may be one this build
    /// does not know (so an unknown request can still be refused properly).
    case errorResponse(ErrorResponse, answering: Opcode)

    /// The opcode of the frame that carries this message.
    public var opcode: Opcode {
        switch self {
        case .raft(let message): RaftMessageCodec.opcode(for: message.body)
        case .handshakeRequest, .handshakeResponse: .handshake
        case .peerProof: .peerProof
        case .snapshotChunk: .snapshotChunk
        case .statusRequest, .statusResponse: .status
        case .appendRequest, .appendResponse: .append
        case .getRequest, .getResponse: .get
        case .transferLeaderRequest, .transferLeaderResponse: .transferLeader
        case .faultInjectionRequest, .faultInjectionResponse: .faultInjection
        case .sendRequest, .sendOneWay, .sendResponse: .send
        case .pullRequest, .pullResponse: .pull
        case .queueOffsetsRequest, .queueOffsetsResponse: .queueOffsets
        case .searchOffsetRequest, .searchOffsetResponse: .searchOffset
        case .messagesByKeyRequest, .messagesByKeyResponse: .messagesByKey
        case .viewMessageRequest, .viewMessageResponse: .viewMessage
        case .topicsRequest, .topicsResponse: .topics
        case .commitOffsetRequest, .commitOffsetResponse: .commitOffset
        case .consumerOffsetsRequest, .consumerOffsetsResponse: .consumerOffsets
        case .updateTopicRequest, .updateTopicResponse: .updateTopic
        case .deleteTopicRequest, .deleteTopicResponse: .deleteTopic
        case .sendBackRequest, .sendBackResponse: .sendBack
        case .endTransactionRequest, .endTransactionOneWay, .endTransactionResponse: .endTransaction
        case .describeTopicRequest, .describeTopicResponse: .describeTopic
        case .consumerGroupRequest(let request): request.opcode
        case .consumerGroupResponse(let response): response.opcode
        case .errorResponse(_, let opcode): opcode
        }
    }

    /// The flags of the frame that carries this message.
    public var flags: FrameFlags {
        switch self {
        case .raft, .sendOneWay, .peerProof, .snapshotChunk, .endTransactionOneWay: .oneWay
        case .handshakeRequest, .statusRequest, .appendRequest, .getRequest, .transferLeaderRequest,
            .faultInjectionRequest, .sendRequest, .pullRequest, .queueOffsetsRequest, .searchOffsetRequest,
            .messagesByKeyRequest, .viewMessageRequest, .topicsRequest, .commitOffsetRequest, .consumerOffsetsRequest,
            .updateTopicRequest, .deleteTopicRequest, .describeTopicRequest, .sendBackRequest, .endTransactionRequest,
            .consumerGroupRequest:
            []
        case .handshakeResponse, .statusResponse, .appendResponse, .getResponse, .transferLeaderResponse,
            .faultInjectionResponse, .sendResponse, .pullResponse, .queueOffsetsResponse, .searchOffsetResponse,
            .messagesByKeyResponse, .viewMessageResponse, .topicsResponse, .commitOffsetResponse,
            .consumerOffsetsResponse, .updateTopicResponse, .deleteTopicResponse, .describeTopicResponse,
            .endTransactionResponse, .sendBackResponse, .consumerGroupResponse:
            .response
        case .errorResponse: [.response, .error]
        }
    }
}

/// Converts between ``WireMessage`` values and frames.
public enum WireCodec {
    /// Appends `message` as one frame with `requestID`. Throws (leaving `writer` unchanged) when
    /// the frame would exceed `maxFrameBytes`, e.g. an append of too many large entries.
    ///
    /// An error response may not answer a Raft or `peerProof` opcode: those are one-way.
    public static func encode(
        _ message: WireMessage, requestID: UInt64, into writer: inout ByteWriter,
        maxFrameBytes: Int = WireLimits.default.maxFrameBytes
    ) throws(WireError) {
        try writer.writeFrame(
            opcode: message.opcode, requestID: requestID, flags: message.flags, maxFrameBytes: maxFrameBytes
        ) { writer in
            writePayload(of: message, into: &writer)
        }
    }

    /// The frame that carries `message`, as a value (no size limit is applied).
    public static func frame(for message: WireMessage, requestID: UInt64) -> Frame {
        var writer = ByteWriter()
        writePayload(of: message, into: &writer)
        return Frame(opcode: message.opcode, requestID: requestID, flags: message.flags, payload: writer.bytes)
    }

    private static func writePayload(of message: WireMessage, into writer: inout ByteWriter) {
        if case .errorResponse(_, let opcode) = message {
            precondition(!opcode.isOneWayOnly, "an error response cannot answer one-way opcode \(opcode)")
        }
        switch message {
        case .raft(let message): RaftMessageCodec.encode(message, into: &writer)
        case .handshakeRequest(let payload), .handshakeResponse(let payload): payload.encode(into: &writer)
        case .peerProof(let payload): payload.encode(into: &writer)
        case .snapshotChunk(let payload): payload.encode(into: &writer)
        case .statusRequest, .transferLeaderResponse, .faultInjectionResponse, .topicsRequest, .commitOffsetResponse,
            .deleteTopicResponse, .endTransactionResponse:
            break
        case .sendBackRequest(let payload): payload.encode(into: &writer)
        case .sendBackResponse(let payload): payload.encode(into: &writer)
        case .endTransactionRequest(let payload), .endTransactionOneWay(let payload): payload.encode(into: &writer)
        case .faultInjectionRequest(let payload): payload.encode(into: &writer)
        case .statusResponse(let payload): payload.encode(into: &writer)
        case .appendRequest(let payload): payload.encode(into: &writer)
        case .appendResponse(let payload): payload.encode(into: &writer)
        case .getRequest(let payload): payload.encode(into: &writer)
        case .getResponse(let payload): payload.encode(into: &writer)
        case .transferLeaderRequest(let payload): payload.encode(into: &writer)
        case .errorResponse(let payload, _): payload.encode(into: &writer)
        case .sendRequest(let payload), .sendOneWay(let payload): payload.encode(into: &writer)
        case .sendResponse(let payload): payload.encode(into: &writer)
        case .pullRequest(let payload): payload.encode(into: &writer)
        case .pullResponse(let payload): payload.encode(into: &writer)
        case .queueOffsetsRequest(let payload): payload.encode(into: &writer)
        case .queueOffsetsResponse(let payload): payload.encode(into: &writer)
        case .searchOffsetRequest(let payload): payload.encode(into: &writer)
        case .searchOffsetResponse(let payload): payload.encode(into: &writer)
        case .messagesByKeyRequest(let payload): payload.encode(into: &writer)
        case .messagesByKeyResponse(let payload), .viewMessageResponse(let payload): payload.encode(into: &writer)
        case .viewMessageRequest(let payload): payload.encode(into: &writer)
        case .topicsResponse(let payload): payload.encode(into: &writer)
        case .commitOffsetRequest(let payload): payload.encode(into: &writer)
        case .consumerOffsetsRequest(let payload): payload.encode(into: &writer)
        case .consumerOffsetsResponse(let payload): payload.encode(into: &writer)
        case .updateTopicRequest(let payload): payload.encode(into: &writer)
        case .updateTopicResponse(let payload): payload.encode(into: &writer)
        case .deleteTopicRequest(let payload): payload.encode(into: &writer)
        case .describeTopicRequest(let payload): payload.encode(into: &writer)
        case .describeTopicResponse(let payload): payload.encode(into: &writer)
        case .consumerGroupRequest(let payload): payload.encode(into: &writer)
        case .consumerGroupResponse(let payload): payload.encode(into: &writer)
        }
    }

    /// Decodes the message `frame` carries. Checks that the flags suit the opcode and that the
    /// payload is consumed exactly; error offsets count from the start of the frame.
    public static func decode(_ frame: Frame, limits: WireLimits = .default) throws(WireError) -> WireMessage {
        var reader = ByteReader(frame.payload, baseOffset: Frame.headerSize)
        let message = try decodePayload(frame, from: &reader, limits: limits)
        try decodingFields { () throws(DecodeError) in try reader.finish() }
        return message
    }

    /// The message of `frame`'s payload, read from `reader` (positioned at it), whose flags
    /// must suit its opcode; the caller checks that nothing follows.
    static func decodePayload(_ frame: Frame, from reader: inout ByteReader, limits: WireLimits)
        throws(WireError) -> WireMessage
    {
        let opcode = frame.opcode
        let flags = frame.flags
        let unexpectedFlags = WireError.unexpectedFlags(opcode: opcode, flags: flags, offset: Frame.flagsOffset)
        if opcode.isRaft {
            guard flags == .oneWay else { throw unexpectedFlags }
            return .raft(try RaftMessageCodec.decode(opcode: opcode, from: &reader, limits: limits))
        }
        if opcode == .peerProof {
            guard flags == .oneWay else { throw unexpectedFlags }
            return try decodingFields { () throws(DecodeError) in
                .peerProof(try PeerProof(from: &reader, limits: limits))
            }
        }
        if opcode == .snapshotChunk {
            guard flags == .oneWay else { throw unexpectedFlags }
            return try decodingFields { () throws(DecodeError) in
                .snapshotChunk(try SnapshotChunk(from: &reader, limits: limits))
            }
        }
        switch flags {
        case [.response, .error]:
            return try decodingFields { () throws(DecodeError) in
                .errorResponse(try ErrorResponse(from: &reader, limits: limits), answering: opcode)
            }
        case .oneWay where opcode == .send:
            return try decodingFields { () throws(DecodeError) in
                .sendOneWay(try SendRequest(from: &reader, limits: limits))
            }
        case .oneWay where opcode == .endTransaction:
            return try decodingFields { () throws(DecodeError) in
                .endTransactionOneWay(try EndTransactionRequest(from: &reader, limits: limits))
            }
        case [] where opcode.isKnown, .response where opcode.isKnown:
            return try decodingFields { () throws(DecodeError) in
                try decodeFields(opcode, isResponse: flags == .response, from: &reader, limits: limits)
            }
        default:
            throw opcode.isKnown ? unexpectedFlags : .unknownOpcode(opcode.rawValue, offset: Frame.opcodeOffset)
        }
    }

    /// The request or response payload of `opcode`, a known request/response opcode.
    private static func decodeFields(
        _ opcode: Opcode, isResponse: Bool, from reader: inout ByteReader, limits: WireLimits
    ) throws(DecodeError) -> WireMessage {
        switch opcode {
        case .handshake:
            let handshake = try PeerHandshake(from: &reader, limits: limits)
            return isResponse ? .handshakeResponse(handshake) : .handshakeRequest(handshake)
        case .status:
            return isResponse ? .statusResponse(try StatusResponse(from: &reader, limits: limits)) : .statusRequest
        case .append:
            return isResponse
                ? .appendResponse(try ClientAppendResponse(from: &reader, limits: limits))
                : .appendRequest(try ClientAppendRequest(from: &reader, limits: limits))
        case .get:
            return isResponse
                ? .getResponse(try GetResponse(from: &reader, limits: limits))
                : .getRequest(try GetRequest(from: &reader, limits: limits))
        case .transferLeader:
            return isResponse
                ? .transferLeaderResponse
                : .transferLeaderRequest(try TransferLeaderRequest(from: &reader, limits: limits))
        case .faultInjection:
            return isResponse
                ? .faultInjectionResponse
                : .faultInjectionRequest(try FaultInjectionRequest(from: &reader, limits: limits))
        case .send:
            return isResponse
                ? .sendResponse(try SendResponse(from: &reader, limits: limits))
                : .sendRequest(try SendRequest(from: &reader, limits: limits))
        case .pull:
            return isResponse
                ? .pullResponse(try PullResponse(from: &reader, limits: limits))
                : .pullRequest(try PullRequest(from: &reader, limits: limits))
        case .queueOffsets:
            return isResponse
                ? .queueOffsetsResponse(try QueueOffsetsResponse(from: &reader, limits: limits))
                : .queueOffsetsRequest(try QueueRequest(from: &reader, limits: limits))
        case .searchOffset:
            return isResponse
                ? .searchOffsetResponse(try OffsetResponse(from: &reader, limits: limits))
                : .searchOffsetRequest(try SearchOffsetRequest(from: &reader, limits: limits))
        case .messagesByKey:
            return isResponse
                ? .messagesByKeyResponse(try MessagesResponse(from: &reader, limits: limits))
                : .messagesByKeyRequest(try KeyLookupRequest(from: &reader, limits: limits))
        case .viewMessage:
            guard isResponse else { return .viewMessageRequest(try ViewMessageRequest(from: &reader, limits: limits)) }
            let at = reader.offset
            let response = try MessagesResponse(from: &reader, limits: limits)
            guard response.messages.count == 1 else {
                throw .invalidValue(
                    field: "records", offset: at, reason: "\(response.messages.count) messages, expected exactly 1")
            }
            return .viewMessageResponse(response)
        case .topics:
            return isResponse ? .topicsResponse(try TopicsResponse(from: &reader, limits: limits)) : .topicsRequest
        case .commitOffset:
            return isResponse
                ? .commitOffsetResponse
                : .commitOffsetRequest(try CommitOffsetRequest(from: &reader, limits: limits))
        case .consumerOffsets:
            return isResponse
                ? .consumerOffsetsResponse(try ConsumerOffsetsResponse(from: &reader, limits: limits))
                : .consumerOffsetsRequest(try ConsumerOffsetsRequest(from: &reader, limits: limits))
        case .updateTopic:
            return isResponse
                ? .updateTopicResponse(try TopicInfo(from: &reader, limits: limits))
                : .updateTopicRequest(try TopicUpdate(from: &reader, limits: limits))
        case .deleteTopic:
            return isResponse
                ? .deleteTopicResponse : .deleteTopicRequest(try TopicDeletion(from: &reader, limits: limits))
        case .describeTopic:
            return isResponse
                ? .describeTopicResponse(try TopicDescription(from: &reader, limits: limits))
                : .describeTopicRequest(try TopicDescriptionRequest(from: &reader, limits: limits))
        case .sendBack:
            return isResponse
                ? .sendBackResponse(try SendResponse(from: &reader, limits: limits))
                : .sendBackRequest(try SendBackRequest(from: &reader, limits: limits))
        case .endTransaction:
            return isResponse
                ? .endTransactionResponse
                : .endTransactionRequest(try EndTransactionRequest(from: &reader, limits: limits))
        case _ where Opcode.consumerGroupOpcodes.contains(opcode):
            return isResponse
                ? .consumerGroupResponse(try ConsumerGroupResponse.decode(opcode, from: &reader, limits: limits))
                : .consumerGroupRequest(try ConsumerGroupRequest.decode(opcode, from: &reader, limits: limits))
        default:
            preconditionFailure("opcode \(opcode) is known but has no payload decoder")
        }
    }
}
