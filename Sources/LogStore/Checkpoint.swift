import Bytes

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
        var writer = ByteWriter(capacity: 64 + runs.count * 16, endianness: .little)
        writer.writeUInt32(Self.magic)
        writer.writeUInt32(Self.version)
        writer.writeUInt64(dataFileSize)
        writer.writeUInt64(firstIndex)
        writer.writeUInt64(firstPosition)
        writer.writeUInt32(prefixChain)
        writer.writeUInt32(lastChain)
        writer.writeUInt64(lastIndex)
        writer.writeUInt64(endPosition)
        writer.writeUInt32(UInt32(runs.count))
        for run in runs {
            writer.writeUInt64(run.first)
            writer.writeUInt64(run.term)
        }
        MetadataSeal.seal(&writer)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) -> Result<Checkpoint, RecordDefect> {
        guard MetadataSeal.isIntact(bytes) else { return .failure(RecordDefect("checksum mismatch")) }
        let inconsistent = RecordDefect("unknown magic or version, or inconsistent fields")
        var reader = ByteReader(bytes, endianness: .little)
        do throws(DecodeError) {
            guard try reader.readUInt32("magic") == magic, try reader.readUInt32("version") == version else {
                return .failure(inconsistent)
            }
            let fileSize = try reader.readUInt64("dataFileSize")
            let first = try reader.readUInt64("firstIndex")
            let firstPosition = try reader.readUInt64("firstPosition")
            let prefixChain = try reader.readUInt32("prefixChain")
            let lastChain = try reader.readUInt32("lastChain")
            let last = try reader.readUInt64("lastIndex")
            let end = try reader.readUInt64("endPosition")
            let count = try reader.readUInt32("runCount")
            guard bytes.count == 64 + Int(count) * 16, first >= 1, last + 1 >= first else {
                return .failure(inconsistent)
            }
            var runs: [TermRun] = []
            for _ in 0..<count {
                let runFirst = try reader.readUInt64("run first")
                runs.append(TermRun(first: runFirst, term: try reader.readUInt64("run term")))
            }
            return .success(
                Checkpoint(
                    dataFileSize: fileSize, firstIndex: first, firstPosition: firstPosition, prefixChain: prefixChain,
                    lastChain: lastChain, lastIndex: last, endPosition: end, runs: runs))
        } catch {
            return .failure(RecordDefect("\(error)"))
        }
    }
}
