import Bytes
import Raft

/// The hard-state file `<dir>/hardstate`, 44 bytes little-endian, replaced atomically:
///
///     0 magic u32 "SLHS" · 4 version u32 (1) · 8 term u64 · 16 vote u64 · 24 hasVote u64 (0/1)
///     32 commit u64 · 40 crc u32 (CRC32C of bytes 0..<40)
enum HardStateFile {
    static let name = "hardstate"
    static let magic: UInt32 = 0x5348_4C53
    static let version: UInt32 = 1

    static func encode(_ state: HardState) -> [UInt8] {
        var writer = ByteWriter(capacity: 44, endianness: .little)
        writer.writeUInt32(magic)
        writer.writeUInt32(version)
        writer.writeUInt64(state.term.rawValue)
        writer.writeUInt64(state.vote?.rawValue ?? 0)
        writer.writeUInt64(state.vote == nil ? 0 : 1)
        writer.writeUInt64(state.commit.rawValue)
        MetadataSeal.seal(&writer)
        return writer.bytes
    }

    /// The decoded state, or why the bytes are not a valid hard-state file.
    static func decode(_ bytes: [UInt8]) -> Result<HardState, RecordDefect> {
        guard bytes.count == 44, MetadataSeal.isIntact(bytes) else {
            return .failure(RecordDefect("\(bytes.count) bytes with a bad checksum (expected 44 with a valid CRC)"))
        }
        var reader = ByteReader(bytes, endianness: .little)
        do throws(DecodeError) {
            guard try reader.readUInt32("magic") == magic, try reader.readUInt32("version") == version else {
                return .failure(RecordDefect("unknown magic, version or vote flag"))
            }
            let term = try reader.readUInt64("term")
            let vote = try reader.readUInt64("vote")
            let hasVote = try reader.readUInt64("hasVote")
            let commit = try reader.readUInt64("commit")
            guard hasVote <= 1 else { return .failure(RecordDefect("unknown magic, version or vote flag")) }
            return .success(
                HardState(term: Term(term), vote: hasVote == 1 ? NodeID(vote) : nil, commit: LogIndex(commit)))
        } catch {
            return .failure(RecordDefect("\(error)"))
        }
    }
}
