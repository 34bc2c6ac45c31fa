/// The checkpoint file `<dir>/checkpoint`, replaced atomically. It promises that the log up to
/// `endPosition` (entries through `lastIndex`) and the index files up to `lastIndex` were
/// durable when it was written, so recovery verifies only what follows. It also carries what
/// the dropped prefix can no longer answer: the first index and position, the chain CRC before
/// the first entry, and the term runs.
///
///     0 magic u32 "SLCP" · 4 version u32 (1) · 8 dataFileSize u64 · 16 firstIndex u64
///     24 firstPosition u64 · 32 prefixChain u32 · 36 lastChain u32 · 40 lastIndex u64
///     48 endPosition u64 · 56 runCount u32 · 60 runs (first u64, term u64) × runCount · crc u32
struct Checkpoint: Equatable {
    static let name = "checkpoint"
    static let magic: UInt32 = 0x5043_4C53
    static let version: UInt32 = 1

    var dataFileSize: UInt64
    var firstIndex: UInt64
    var firstPosition: UInt64
    var prefixChain: UInt32
    var lastChain: UInt32
    var lastIndex: UInt64
    var endPosition: UInt64
    var runs: [TermRun]

    func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.u32(Self.magic)
        writer.u32(Self.version)
        writer.u64(dataFileSize)
        writer.u64(firstIndex)
        writer.u64(firstPosition)
        writer.u32(prefixChain)
        writer.u32(lastChain)
        writer.u64(lastIndex)
        writer.u64(endPosition)
        writer.u32(UInt32(runs.count))
        for run in runs {
            writer.u64(run.first)
            writer.u64(run.term)
        }
        writer.sealWithCRC()
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) -> Result<Checkpoint, RecordDefect> {
        var reader = ByteReader(bytes)
        guard reader.crcMatches() else { return .failure(RecordDefect("checksum mismatch")) }
        guard reader.u32() == magic, reader.u32() == version, let fileSize = reader.u64(), let first = reader.u64(),
            let firstPosition = reader.u64(), let prefixChain = reader.u32(), let lastChain = reader.u32(),
            let last = reader.u64(), let end = reader.u64(), let count = reader.u32(),
            bytes.count == 64 + Int(count) * 16, first >= 1, last + 1 >= first
        else { return .failure(RecordDefect("unknown magic or version, or inconsistent fields")) }
        var runs: [TermRun] = []
        for _ in 0..<count {
            guard let runFirst = reader.u64(), let term = reader.u64() else {
                return .failure(RecordDefect("runs cut off"))
            }
            runs.append(TermRun(first: runFirst, term: term))
        }
        return .success(
            Checkpoint(
                dataFileSize: fileSize, firstIndex: first, firstPosition: firstPosition, prefixChain: prefixChain,
                lastChain: lastChain, lastIndex: last, endPosition: end, runs: runs))
    }
}
