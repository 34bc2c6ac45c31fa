import Bytes
import LedgerModel
import Raft

/// A piece of a state snapshot between peers (opcode ``Opcode/snapshotChunk``, one-way). Layout:
/// `u64 from, u64 to, u64 term, u64 snapshot index, u64 snapshot term, u64 total bytes,
/// u32 CRC-32C of the whole snapshot, u64 offset, bytes data` (at most
/// ``SnapshotChunk/maxDataBytes``, and never past the total; none in a follower's receipt,
/// whose offset is how many bytes it holds).
extension SnapshotChunk: WirePayload {
    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(from.rawValue)
        writer.writeUInt64(to.rawValue)
        writer.writeUInt64(term.rawValue)
        writer.writeUInt64(snapshot.index.rawValue)
        writer.writeUInt64(snapshot.term.rawValue)
        writer.writeUInt64(totalBytes)
        writer.writeUInt32(checksum)
        writer.writeUInt64(offset)
        writer.writeBytes(data)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let from = NodeID(try reader.readUInt64("from"))
        let to = NodeID(try reader.readUInt64("to"))
        let term = Term(try reader.readUInt64("term"))
        let index = LogIndex(try reader.readUInt64("snapshot index"))
        let snapshotTerm = Term(try reader.readUInt64("snapshot term"))
        let totalAt = reader.offset
        let total = try reader.readUInt64("total bytes")
        let checksum = try reader.readUInt32("checksum")
        let offset = try reader.readUInt64("offset")
        let data = try reader.readBytes("data", limit: SnapshotChunk.maxDataBytes)
        guard offset <= total, UInt64(data.count) <= total - offset, total > 0 else {
            throw .invalidValue(
                field: "total bytes", offset: totalAt,
                reason: "\(data.count) bytes at \(offset) do not lie within a snapshot of \(total) bytes")
        }
        self.init(
            from: from, to: to, term: term, snapshot: SnapshotMetadata(index: index, term: snapshotTerm),
            totalBytes: total, checksum: checksum, offset: offset, data: data)
    }
}
