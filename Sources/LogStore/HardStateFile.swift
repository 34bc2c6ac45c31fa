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
        var writer = ByteWriter()
        writer.u32(magic)
        writer.u32(version)
        writer.u64(state.term.rawValue)
        writer.u64(state.vote?.rawValue ?? 0)
        writer.u64(state.vote == nil ? 0 : 1)
        writer.u64(state.commit.rawValue)
        writer.sealWithCRC()
        return writer.bytes
    }

    /// The decoded state, or why the bytes are not a valid hard-state file.
    static func decode(_ bytes: [UInt8]) -> Result<HardState, RecordDefect> {
        var reader = ByteReader(bytes)
        guard bytes.count == 44, reader.crcMatches() else {
            return .failure(RecordDefect("\(bytes.count) bytes with a bad checksum (expected 44 with a valid CRC)"))
        }
        guard reader.u32() == magic, reader.u32() == version, let term = reader.u64(), let vote = reader.u64(),
            let hasVote = reader.u64(), hasVote <= 1, let commit = reader.u64()
        else { return .failure(RecordDefect("unknown magic, version or vote flag")) }
        return .success(HardState(term: Term(term), vote: hasVote == 1 ? NodeID(vote) : nil, commit: LogIndex(commit)))
    }
}
