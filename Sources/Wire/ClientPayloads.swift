import Bytes
import Raft

// Payloads of the client operations. A request and its response share an opcode; the response
// sets the response flag. Requests with nothing to say (status) have an empty payload.

/// The answer to a `status` request: what this node is and how far its log has come.
///
/// Layout: `string group, u64 nodeID, string nodeName, u8 role, u64 term, optional u64 leader,
/// optional string leaderAddress, u64 lastIndex, u64 commit, u64 applied, u64 uptimeMs,
/// u64 stateApplied, u64 stateDigest`, where an optional is a presence byte (0 or 1) followed by
/// the value when present, and `role` is 0 follower, 1 pre-candidate, 2 candidate, 3 leader.
public struct StatusResponse: WirePayload {
    public var group: String
    public var nodeID: NodeID
    public var nodeName: String
    public var role: Role
    public var term: Term
    /// The leader this node knows, if any.
    public var leader: NodeID?
    /// The leader's `host:port`, when known.
    public var leaderAddress: String?
    public var lastIndex: LogIndex
    public var commit: LogIndex
    public var applied: LogIndex
    /// Milliseconds since the node started.
    public var uptimeMs: UInt64
    /// The last entry the replicated state machine (the message store) has applied.
    public var stateApplied: LogIndex
    /// The state machine's running digest at ``stateApplied`` (`CommitLogStateMachine.digest`):
    /// two replicas at the same ``stateApplied`` hold the same state exactly when their digests
    /// are equal.
    public var stateDigest: UInt64

    public init(
        group: String, nodeID: NodeID, nodeName: String, role: Role, term: Term, leader: NodeID?,
        leaderAddress: String?, lastIndex: LogIndex, commit: LogIndex, applied: LogIndex, uptimeMs: UInt64,
        stateApplied: LogIndex, stateDigest: UInt64
    ) {
        self.group = group
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.role = role
        self.term = term
        self.leader = leader
        self.leaderAddress = leaderAddress
        self.lastIndex = lastIndex
        self.commit = commit
        self.applied = applied
        self.uptimeMs = uptimeMs
        self.stateApplied = stateApplied
        self.stateDigest = stateDigest
    }

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
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        group = try reader.readString("group", limit: limits.maxStringBytes)
        nodeID = NodeID(try reader.readUInt64("nodeID"))
        nodeName = try reader.readString("nodeName", limit: limits.maxStringBytes)
        let roleAt = reader.offset
        role =
            switch try reader.readUInt8("role") {
            case 0: .follower
            case 1: .preCandidate
            case 2: .candidate
            case 3: .leader
            case let other: throw .unknownEnumValue(field: "role", value: UInt64(other), offset: roleAt)
            }
        term = Term(try reader.readUInt64("term"))
        leader = try reader.readOptional("leader") { (reader) throws(DecodeError) in
            NodeID(try reader.readUInt64("leader"))
        }
        leaderAddress = try reader.readOptional("leaderAddress") { (reader) throws(DecodeError) in
            try reader.readString("leaderAddress", limit: limits.maxStringBytes)
        }
        lastIndex = LogIndex(try reader.readUInt64("lastIndex"))
        commit = LogIndex(try reader.readUInt64("commit"))
        applied = LogIndex(try reader.readUInt64("applied"))
        uptimeMs = try reader.readUInt64("uptimeMs")
        stateApplied = LogIndex(try reader.readUInt64("stateApplied"))
        stateDigest = try reader.readUInt64("stateDigest")
    }
}

/// Append one entry with opaque `data` to the replicated log (leader only). Layout: `bytes data`.
public struct ClientAppendRequest: WirePayload {
    public var data: [UInt8]

    public init(data: [UInt8]) { self.data = data }

    public func encode(into writer: inout ByteWriter) { writer.writeBytes(data) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        data = try reader.readBytes("data", limit: limits.maxEntryBytes)
    }
}

/// The answer to a ``ClientAppendRequest``, sent once the entry is committed and applied.
/// Layout: `u64 index`.
public struct ClientAppendResponse: WirePayload {
    /// Where the entry sits in the log.
    public var index: LogIndex

    public init(index: LogIndex) { self.index = index }

    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(index.rawValue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        index = LogIndex(try reader.readUInt64("index"))
    }
}

/// Read the committed entry at `index`. Layout: `u64 index`.
public struct GetRequest: WirePayload {
    public var index: LogIndex

    public init(index: LogIndex) { self.index = index }

    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(index.rawValue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        index = LogIndex(try reader.readUInt64("index"))
    }
}

/// The entry a ``GetRequest`` asked for. Layout: `u64 index, u64 term, u8 kind, bytes data`,
/// where `kind` is `EntryKind`'s raw value (0 normal, 1 no-op).
public struct GetResponse: WirePayload {
    public var index: LogIndex
    public var term: Term
    /// A leader's no-op entry has kind `.noop` and no data.
    public var kind: EntryKind
    public var data: [UInt8]

    public init(index: LogIndex, term: Term, kind: EntryKind = .normal, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(index.rawValue)
        writer.writeUInt64(term.rawValue)
        writer.writeUInt8(kind.rawValue)
        writer.writeBytes(data)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        index = LogIndex(try reader.readUInt64("index"))
        term = Term(try reader.readUInt64("term"))
        kind = try reader.readEnum(EntryKind.self, "kind")
        data = try reader.readBytes("data", limit: limits.maxEntryBytes)
    }
}

/// Ask the leader to hand leadership to `target`. Layout: `u64 target`. The response has an
/// empty payload and means the transfer started; watch `status` to see it complete.
public struct TransferLeaderRequest: WirePayload {
    public var target: NodeID

    public init(target: NodeID) { self.target = target }

    public func encode(into writer: inout ByteWriter) { writer.writeUInt64(target.rawValue) }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        target = NodeID(try reader.readUInt64("target"))
    }
}

/// Test only: the peers whose Raft traffic the node must drop, both ways, until the next
/// request (an empty list heals). Layout: `u32 count, count × u64 node id`.
public struct FaultInjectionRequest: WirePayload {
    public var isolatedFrom: [NodeID]

    public init(isolatedFrom: [NodeID]) { self.isolatedFrom = isolatedFrom }

    public func encode(into writer: inout ByteWriter) {
        writer.writeCount(isolatedFrom.count)
        for id in isolatedFrom { writer.writeUInt64(id.rawValue) }
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let count = try reader.readCount("isolatedFrom", limit: 1024, minimumElementBytes: 8)
        isolatedFrom = []
        for _ in 0..<count { isolatedFrom.append(NodeID(try reader.readUInt64("isolatedFrom"))) }
    }
}
