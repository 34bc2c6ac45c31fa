import Bytes
import LedgerModel
import Raft

// Codecs of the client operations on the plain log and the group. A request and its response
// share an opcode; the response sets the response flag. Requests with nothing to say (status)
// have an empty payload.

/// Layout: `string group, u64 nodeID, string nodeName, u8 role, u64 term, optional u64 leader,
/// optional string leaderAddress, u64 lastIndex, u64 commit, u64 applied, u64 uptimeMs,
/// u64 stateApplied, u64 stateDigest`, where an optional is a presence byte (0 or 1) followed by
/// the value when present, and `role` is 0 follower, 1 pre-candidate, 2 candidate, 3 leader.
extension StatusResponse: WirePayload {
    /// Role codes on the wire; fixed forever, unlike `Role`'s string raw values.
    static func code(of role: Role) -> UInt8 {
        switch role {
        case .follower: 0
        case .preCandidate: 1
        case .candidate: 2
        case .leader: 3
        }
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeUInt64(nodeID.rawValue)
        writer.writeString(nodeName)
        writer.writeUInt8(StatusResponse.code(of: role))
        writer.writeUInt64(term.rawValue)
        writer.writeOptional(leader) { $0.writeUInt64($1.rawValue) }
        writer.writeOptional(leaderAddress) { $0.writeString($1) }
        writer.writeUInt64(lastIndex.rawValue)
        writer.writeUInt64(commit.rawValue)
        writer.writeUInt64(applied.rawValue)
        writer.writeUInt64(uptimeMs)
        writer.writeUInt64(stateApplied.rawValue)
        writer.writeUInt64(stateDigest)
        writer.writeUInt64(firstIndex.rawValue)
        writer.writeOptional(diskUsedBasisPoints) { $0.writeUInt16($1) }
        writer.writeOptional(writable) { $0.writeUInt8($1 ? 1 : 0) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let nodeID = NodeID(try reader.readUInt64("nodeID"))
        let nodeName = try reader.readString("nodeName", limit: limits.maxStringBytes)
        let roleAt = reader.offset
        let role: Role =
            switch try reader.readUInt8("role") {
            case 0: .follower
            case 1: .preCandidate
            case 2: .candidate
            case 3: .leader
            case let other: throw .unknownEnumValue(field: "role", value: UInt64(other), offset: roleAt)
            }
        let term = Term(try reader.readUInt64("term"))
        let leader = try reader.readOptional("leader") { (reader) throws(DecodeError) in
            NodeID(try reader.readUInt64("leader"))
        }
        let leaderAddress = try reader.readOptional("leaderAddress") { (reader) throws(DecodeError) in
            try reader.readString("leaderAddress", limit: limits.maxStringBytes)
        }
        self.init(
            group: group, nodeID: nodeID, nodeName: nodeName, role: role, term: term, leader: leader,
            leaderAddress: leaderAddress, lastIndex: LogIndex(try reader.readUInt64("lastIndex")),
            commit: LogIndex(try reader.readUInt64("commit")), applied: LogIndex(try reader.readUInt64("applied")),
            uptimeMs: try reader.readUInt64("uptimeMs"), stateApplied: LogIndex(try reader.readUInt64("stateApplied")),
            stateDigest: try reader.readUInt64("stateDigest"),
            firstIndex: LogIndex(try reader.readUInt64("firstIndex")),
            diskUsedBasisPoints: try Self.readBasisPoints(&reader),
            writable: try reader.readOptional("writable") { (reader) throws(DecodeError) in
                try reader.readBool("writable")
            })
    }

    private static func readBasisPoints(_ reader: inout ByteReader) throws(DecodeError) -> UInt16? {
        let at = reader.offset
        let value = try reader.readOptional("diskUsed") { (reader) throws(DecodeError) in
            try reader.readUInt16("diskUsed")
        }
        if let value, value > 10_000 {
            throw .invalidValue(field: "diskUsed", offset: at, reason: "\(value) basis points is over 100 %")
        }
        return value
    }
}

/// Layout: `bytes data`.
extension ClientAppendRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeBytes(data) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(data: try reader.readBytes("data", limit: limits.maxEntryBytes))
    }
}

/// Layout: `u64 index`.
extension ClientAppendResponse: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(index.rawValue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(index: LogIndex(try reader.readUInt64("index")))
    }
}

/// Layout: `u64 index`.
extension GetRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(index.rawValue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(index: LogIndex(try reader.readUInt64("index")))
    }
}

/// Layout: `u64 index, u64 term, u8 kind, bytes data`, where `kind` is `EntryKind`'s raw value
/// (0 normal, 1 no-op).
extension GetResponse: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(index.rawValue)
        writer.writeUInt64(term.rawValue)
        writer.writeUInt8(kind.rawValue)
        writer.writeBytes(data)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let index = LogIndex(try reader.readUInt64("index"))
        let term = Term(try reader.readUInt64("term"))
        let kind = try reader.readEnum(EntryKind.self, "kind")
        self.init(index: index, term: term, kind: kind, data: try reader.readBytes("data", limit: limits.maxEntryBytes))
    }
}

/// Layout: `u64 target`. The response has an empty payload.
extension TransferLeaderRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(target.rawValue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(target: NodeID(try reader.readUInt64("target")))
    }
}

/// Layout: `u32 count, count × u64 node id`.
extension FaultInjectionRequest: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeCount(isolatedFrom.count)
        for id in isolatedFrom { writer.writeUInt64(id.rawValue) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let count = try reader.readCount("isolatedFrom", limit: 1024, minimumElementBytes: 8)
        var isolatedFrom: [NodeID] = []
        for _ in 0..<count { isolatedFrom.append(NodeID(try reader.readUInt64("isolatedFrom"))) }
        self.init(isolatedFrom: isolatedFrom)
    }
}

/// The first frame on a peer connection, and its answer: the connecting node sends its own
/// identity and nonce as a `handshake` request; the accepting node answers with its own in a
/// `handshake` response, or with an ``ErrorResponse`` (`badRequest`). Layout: `string group,
/// u64 nodeID, string nodeName, bytes nonce` (the nonce at most 64 bytes on the wire; the
/// handshake itself requires exactly ``PeerHandshake/nonceByteCount``).
extension PeerHandshake: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeString(group)
        writer.writeUInt64(nodeID.rawValue)
        writer.writeString(nodeName)
        writer.writeBytes(nonce)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let group = try reader.readString("group", limit: limits.maxStringBytes)
        let nodeID = NodeID(try reader.readUInt64("nodeID"))
        let nodeName = try reader.readString("nodeName", limit: limits.maxStringBytes)
        let nonce = try reader.readBytes("nonce", limit: 2 * PeerHandshake.nonceByteCount)
        self.init(group: group, nodeID: nodeID, nodeName: nodeName, nonce: nonce)
    }
}

/// A peer's proof of the group secret, one-way after the handshake. Layout: `bytes code`
/// (0 bytes: no secret configured; at most ``PeerProof/maxByteCount``).
extension PeerProof: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeBytes(code)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        self.init(code: try reader.readBytes("proof", limit: PeerProof.maxByteCount))
    }
}

/// The payload of a frame with flags `response` and `error`, answering a request of the same
/// opcode and request id. Layout: `u16 code`, for `notLeader` then `optional u64 leader,
/// optional string leaderAddress`, then `string message`. Codes: 1 notLeader, 2 noQuorum,
/// 3 timeout, 4 badRequest, 5 internal, 6 outcomeUnknown.
extension ErrorResponse: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt16(code.wireCode)
        if case .notLeader(let leader, let address) = code {
            writer.writeOptional(leader) { $0.writeUInt64($1.rawValue) }
            writer.writeOptional(address) { $0.writeString($1) }
        }
        writer.writeString(message)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let codeAt = reader.offset
        let code: Code
        switch try reader.readUInt16("error code") {
        case 1:
            let leader = try reader.readOptional("leader") { (reader) throws(DecodeError) in
                NodeID(try reader.readUInt64("leader"))
            }
            let address = try reader.readOptional("leaderAddress") { (reader) throws(DecodeError) in
                try reader.readString("leaderAddress", limit: limits.maxStringBytes)
            }
            code = .notLeader(leader: leader, leaderAddress: address)
        case 2: code = .noQuorum
        case 3: code = .timeout
        case 4: code = .badRequest
        case 5: code = .internal
        case 6: code = .outcomeUnknown
        case 7: code = .busy
        case 8: code = .noPermission
        case 9: code = .diskFull
        case let other: throw .unknownEnumValue(field: "error code", value: UInt64(other), offset: codeAt)
        }
        self.init(code: code, receivedMessage: try reader.readString("message", limit: limits.maxStringBytes))
    }
}

extension ErrorResponse.Code {
    /// The number on the wire.
    var wireCode: UInt16 {
        switch self {
        case .notLeader: 1
        case .noQuorum: 2
        case .timeout: 3
        case .badRequest: 4
        case .internal: 5
        case .outcomeUnknown: 6
        case .busy: 7
        case .noPermission: 8
        case .diskFull: 9
        }
    }
}
