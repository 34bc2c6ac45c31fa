import Bytes
import LedgerModel

/// The commit log as a run of fixed-size files: file `i` covers physical offsets
/// `i × fileSize ..< (i + 1) × fileSize`. A record that does not fit the rest of a file (keeping
/// 8 bytes for the blank) closes it with RocketMQ's blank `[i32 remaining][i32 BLANK_MAGIC]` and
/// starts the next file.
///
/// Only the newest bytes are held in memory: `memoryStart..<writeOffset`, as chunks that never
/// span two files. Bytes before ``memoryStart`` live only in the files, written there by a
/// completed persist. A chunk is *sealed* once handed to a persist (``seal()``): it is never
/// appended to again, so the persist thread may write it out while the owner keeps appending to
/// a new chunk and reading the sealed ones; ``release(through:)`` drops sealed chunks once their
/// persist completed. A machine without files never seals, so it keeps everything.
struct CommitLogFiles {
    /// A run of bytes of one file.
    struct Chunk {
        /// The physical offset of `bytes[0]`.
        let start: Int64
        var bytes: [UInt8]
        /// Whether the chunk ends with the blank that closes its file.
        var closesFile = false

        var end: Int64 { start + Int64(bytes.count) }
    }

    /// A chunk's capacity (a larger record gets a chunk of its own size): appending never
    /// reallocates, and memory is released a chunk at a time as persists complete.
    static let chunkCapacity = 1 << 20

    let fileSize: Int
    /// Where the next record goes.
    private(set) var writeOffset: PhysicalOffset
    /// The first byte held in memory; everything before it is in the files.
    private(set) var memoryStart: PhysicalOffset
    /// The bytes `memoryStart..<writeOffset` (less the unused end of closed files), oldest first.
    private(set) var chunks: [Chunk] = []
    /// `chunks[..<sealedCount]` are sealed: handed to a persist, never appended to again.
    private var sealedCount = 0

    /// An empty log, or one whose bytes up to `end` are all in the files (after recovery).
    init(fileSize: Int, end: PhysicalOffset = .zero) {
        self.fileSize = fileSize
        writeOffset = end
        memoryStart = end
    }

    /// The start offset of file `index`.
    func startOffset(ofFile index: Int) -> Int64 { Int64(index) * Int64(fileSize) }

    /// The file holding `offset` and the position in it.
    func locate(_ offset: PhysicalOffset) -> (file: Int, position: Int) {
        (Int(offset.rawValue / Int64(fileSize)), Int(offset.rawValue % Int64(fileSize)))
    }

    /// The chunk holding `offset` and the position in its bytes, or nil if `offset` is not in
    /// memory (before ``memoryStart``, at or past ``writeOffset``, or in the unused end of a
    /// closed file).
    func chunk(containing offset: PhysicalOffset) -> (bytes: [UInt8], position: Int)? {
        guard offset >= memoryStart, offset < writeOffset else { return nil }
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if chunks[middle].end <= offset.rawValue { low = middle + 1 } else { high = middle }
        }
        guard low < chunks.count, chunks[low].start <= offset.rawValue else { return nil }
        return (chunks[low].bytes, Int(offset.rawValue - chunks[low].start))
    }

    /// Makes room for a record of `size` bytes (`size + 8 <= fileSize`) and returns its offset.
    /// If the current file lacks room, writes the blank and moves to the next file; the blank's
    /// bytes are returned so the caller can fold them into the digest.
    mutating func reserve(_ size: Int) -> (offset: PhysicalOffset, blank: [UInt8]?) {
        precondition(size + MessageRecord.blankLength <= fileSize, "record of \(size) bytes cannot fit any file")
        let remaining = fileSize - locate(writeOffset).position
        guard size + MessageRecord.blankLength > remaining else { return (writeOffset, nil) }
        var blank = ByteWriter(capacity: MessageRecord.blankLength)
        blank.writeInt32(Int32(remaining))
        blank.writeInt32(MessageRecord.blankMagic)
        let marker = blank.bytes
        append(marker.count) { $0.append(contentsOf: marker) }
        chunks[chunks.count - 1].closesFile = true
        writeOffset = PhysicalOffset(writeOffset.rawValue + Int64(remaining - marker.count))
        return (writeOffset, marker)
    }

    /// Appends `size` bytes at ``writeOffset`` through `body`, which must append exactly the
    /// reserved record (or the blank) to the array it is given; returns what `body` returns.
    mutating func append<R>(_ size: Int, _ body: (inout [UInt8]) -> R) -> R {
        // A new chunk when the last one is sealed, closed (a blank that fills its file exactly
        // ends where the next file starts) or out of room: appending never reallocates a chunk.
        let last = chunks.count - 1
        let needsChunk =
            chunks.count == sealedCount || chunks[last].end != writeOffset.rawValue || chunks[last].closesFile
            || chunks[last].bytes.count + size > chunks[last].bytes.capacity
        if needsChunk {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(max(size, min(Self.chunkCapacity, fileSize - locate(writeOffset).position)))
            chunks.append(Chunk(start: writeOffset.rawValue, bytes: bytes))
        }
        let index = chunks.count - 1
        let before = chunks[index].bytes.count
        let result = body(&chunks[index].bytes)
        precondition(
            chunks[index].bytes.count - before == size,
            "appended \(chunks[index].bytes.count - before) of \(size) bytes")
        writeOffset = PhysicalOffset(writeOffset.rawValue + Int64(size))
        return result
    }

    /// Seals every chunk not yet sealed and returns them, oldest first: the bytes a persist must
    /// write. Later appends start a new chunk.
    mutating func seal() -> ArraySlice<Chunk> {
        let fresh = chunks[sealedCount...]
        sealedCount = chunks.count
        return fresh
    }

    /// Drops every sealed chunk: its persist completed, so its bytes are in the files.
    mutating func releaseSealed() {
        guard sealedCount > 0 else { return }
        chunks.removeFirst(sealedCount)
        sealedCount = 0
        memoryStart = chunks.first.map { PhysicalOffset($0.start) } ?? writeOffset
    }

    /// Commit-log bytes applied but not yet handed to a persist.
    var unsealedBytes: Int { chunks[sealedCount...].reduce(0) { $0 + $1.bytes.count } }

    /// Bytes allocated for the chunks held.
    var retainedBytes: Int { chunks.reduce(0) { $0 + $1.bytes.capacity } }
}
