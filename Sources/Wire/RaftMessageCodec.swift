import Bytes
import Raft

/// Encodes `Raft.Message` values as frame payloads and back, exactly: decoding what was encoded
/// gives an equal message.
///
/// Payload (big-endian): `u64 from, u64 to, u64 term`, then the body's fields; the body's case
/// is the frame's opcode (see ``opcode(for:)``). Booleans are one byte, 0 or 1.
public enum RaftMessageCodec {
    /// Bytes of an entry besides its data: index, term, kind, data length.
    static let entryOverhead = 8 + 8 + 1 + 4

    /// The opcode that carries `body`.
    public static func opcode(for body: Message.Body) -> Opcode {
        switch body {
        case .append: .raftAppend
        case .appendResponse: .raftAppendResponse
        case .heartbeat: .raftHeartbeat
        case .heartbeatResponse: .raftHeartbeatResponse
        case .vote: .raftVote
        case .voteResponse: .raftVoteResponse
        case .timeoutNow: .raftTimeoutNow
        case .installSnapshot: .raftInstallSnapshot
        }
    }

    /// Appends `message`'s payload (not the frame header) to `writer`.
    public static func encode(_ message: Message, into writer: inout ByteWriter) {
        writer.writeUInt64(message.from.rawValue)
        writer.writeUInt64(message.to.rawValue)
        writer.writeUInt64(message.term.rawValue)
        switch message.body {
        case .append(let request):
            writer.writeUInt64(request.prevIndex.rawValue)
            writer.writeUInt64(request.prevTerm.rawValue)
            writer.writeUInt64(request.commit.rawValue)
            writer.writeCount(request.entries.count)
            for entry in request.entries {
                writer.writeUInt64(entry.index.rawValue)
                writer.writeUInt64(entry.term.rawValue)
                writer.writeUInt8(entry.kind.rawValue)
                writer.writeBytes(entry.data)
            }
        case .appendResponse(let response):
            writer.writeUInt64(response.index.rawValue)
            writer.writeBool(response.reject)
            writer.writeUInt64(response.hintIndex.rawValue)
            writer.writeUInt64(response.hintTerm.rawValue)
        case .heartbeat(let heartbeat):
            writer.writeUInt64(heartbeat.commit.rawValue)
            writer.writeUInt64(heartbeat.readSequence)
        case .heartbeatResponse(let response):
            writer.writeUInt64(response.readSequence)
        case .vote(let request):
            writer.writeUInt64(request.lastIndex.rawValue)
            writer.writeUInt64(request.lastTerm.rawValue)
            writer.writeBool(request.preVote)
            writer.writeBool(request.transfer)
        case .voteResponse(let response):
            writer.writeBool(response.granted)
            writer.writeBool(response.preVote)
        case .timeoutNow:
            break
        case .installSnapshot(let snapshot):
            writer.writeUInt64(snapshot.index.rawValue)
            writer.writeUInt64(snapshot.term.rawValue)
        }
    }

    /// Decodes a message whose body `opcode` names, reading from `reader`'s position. Leaves the
    /// reader after the message; the caller checks for trailing bytes.
    public static func decode(opcode: Opcode, from reader: inout ByteReader, limits: WireLimits = .default)
        throws(WireError) -> Message
    {
        // Checked first so nothing is read for an opcode that is not a Raft message; the offset is
        // the payload's, as the opcode itself lies outside this reader.
        guard opcode.isRaft else { throw .unknownOpcode(opcode.rawValue, offset: reader.offset) }
        return try decodingFields { () throws(DecodeError) in try decodeFields(opcode: opcode, from: &reader, limits) }
    }

    /// The fields of a Raft message whose body `opcode` (a Raft opcode) names.
    private static func decodeFields(opcode: Opcode, from reader: inout ByteReader, _ limits: WireLimits)
        throws(DecodeError) -> Message
    {
        let from = NodeID(try reader.readUInt64("from"))
        let to = NodeID(try reader.readUInt64("to"))
        let term = Term(try reader.readUInt64("term"))
        let body: Message.Body
        switch opcode {
        case .raftAppend:
            let prevIndex = LogIndex(try reader.readUInt64("prevIndex"))
            let prevTerm = Term(try reader.readUInt64("prevTerm"))
            let commit = LogIndex(try reader.readUInt64("commit"))
            let count = try reader.readCount(
                "entry count", limit: limits.maxEntriesPerMessage, minimumElementBytes: entryOverhead)
            var entries: [Entry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let index = LogIndex(try reader.readUInt64("entry index"))
                let entryTerm = Term(try reader.readUInt64("entry term"))
                let kind = try reader.readEnum(EntryKind.self, "entry kind")
                let data = try reader.readBytes("entry data", limit: limits.maxEntryBytes)
                entries.append(Entry(index: index, term: entryTerm, kind: kind, data: data))
            }
            body = .append(AppendRequest(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit))
        case .raftAppendResponse:
            let index = LogIndex(try reader.readUInt64("index"))
            let reject = try reader.readBool("reject")
            let hintIndex = LogIndex(try reader.readUInt64("hintIndex"))
            let hintTerm = Term(try reader.readUInt64("hintTerm"))
            body = .appendResponse(
                AppendResponse(index: index, reject: reject, hintIndex: hintIndex, hintTerm: hintTerm))
        case .raftHeartbeat:
            let commit = LogIndex(try reader.readUInt64("commit"))
            let readSequence = try reader.readUInt64("readSequence")
            body = .heartbeat(Heartbeat(commit: commit, readSequence: readSequence))
        case .raftHeartbeatResponse:
            body = .heartbeatResponse(HeartbeatResponse(readSequence: try reader.readUInt64("readSequence")))
        case .raftVote:
            let lastIndex = LogIndex(try reader.readUInt64("lastIndex"))
            let lastTerm = Term(try reader.readUInt64("lastTerm"))
            let preVote = try reader.readBool("preVote")
            let transfer = try reader.readBool("transfer")
            body = .vote(VoteRequest(lastIndex: lastIndex, lastTerm: lastTerm, preVote: preVote, transfer: transfer))
        case .raftVoteResponse:
            let granted = try reader.readBool("granted")
            let preVote = try reader.readBool("preVote")
            body = .voteResponse(VoteResponse(granted: granted, preVote: preVote))
        case .raftTimeoutNow:
            body = .timeoutNow
        case .raftInstallSnapshot:
            let index = LogIndex(try reader.readUInt64("snapshot index"))
            let snapshotTerm = Term(try reader.readUInt64("snapshot term"))
            body = .installSnapshot(SnapshotMetadata(index: index, term: snapshotTerm))
        default:
            preconditionFailure("opcode \(opcode) passed isRaft but has no case")
        }
        return Message(from: from, to: to, term: term, body: body)
    }

    /// Decodes a whole payload; bytes left over are an error.
    public static func decode(opcode: Opcode, payload: [UInt8], baseOffset: Int = 0, limits: WireLimits = .default)
        throws(WireError) -> Message
    {
        var reader = ByteReader(payload, baseOffset: baseOffset)
        let message = try decode(opcode: opcode, from: &reader, limits: limits)
        try decodingFields { () throws(DecodeError) in try reader.finish() }
        return message
    }
}
