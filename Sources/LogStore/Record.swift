import Bytes
import FileIO
import Raft

/// The header of one data record. All integers are little-endian; FORMAT.md has the layout:
///
///     0 magic u32 · 4 totalSize u32 · 8 index u64 · 16 term u64 · 24 position u64
///     32 syncedThrough u64 · 40 kind u8 · 41 reserved[3] · 44 bodyCRC u32 · 48 chainCRC u32
///     52 headerCRC u32 · 56 body
struct RecordHeader: Equatable {
    static let magic: UInt32 = 0x3147_4C53  // "SLG1" on disk
    static let size = 56

    /// Header plus body bytes.
    var totalSize: UInt32
    var index: UInt64
    var term: UInt64
    /// The record's own absolute log position (file start + offset in file).
    var position: UInt64
    /// The log position known durable when this record was written; recovery uses it to tell
    /// a torn tail from corruption in the synced log.
    var syncedThrough: UInt64
    var kind: UInt8
    var bodyCRC: UInt32
    /// CRC32C over the previous record's chainCRC and this record's replica-invariant fields.
    var chainCRC: UInt32

    var bodyLength: Int { Int(totalSize) - Self.size }
    var end: UInt64 { position + UInt64(totalSize) }

    /// The chained CRC: previous chain ‖ index ‖ term ‖ kind ‖ body length ‖ body CRC (29 bytes,
    /// little-endian). It leaves out position and syncedThrough, which differ between replicas,
    /// so equal (index, chainCRC) on two replicas means equal logs up to that index.
    static func chain(previous: UInt32, index: UInt64, term: UInt64, kind: UInt8, bodyLength: Int, bodyCRC: UInt32)
        -> UInt32
    {
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { raw in
            raw.storeBytes(of: previous.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: index.littleEndian, toByteOffset: 4, as: UInt64.self)
            raw.storeBytes(of: term.littleEndian, toByteOffset: 12, as: UInt64.self)
            raw.storeBytes(of: kind, toByteOffset: 20, as: UInt8.self)
            raw.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: 21, as: UInt32.self)
            raw.storeBytes(of: bodyCRC.littleEndian, toByteOffset: 25, as: UInt32.self)
            return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<29]))
        }
    }

    /// Writes the 56 header bytes, with their header CRC, at `offset`.
    func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: Self.magic.littleEndian, toByteOffset: offset, as: UInt32.self)
        buffer.storeBytes(of: totalSize.littleEndian, toByteOffset: offset + 4, as: UInt32.self)
        buffer.storeBytes(of: index.littleEndian, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: term.littleEndian, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: position.littleEndian, toByteOffset: offset + 24, as: UInt64.self)
        buffer.storeBytes(of: syncedThrough.littleEndian, toByteOffset: offset + 32, as: UInt64.self)
        buffer.storeBytes(of: UInt32(kind).littleEndian, toByteOffset: offset + 40, as: UInt32.self)
        buffer.storeBytes(of: bodyCRC.littleEndian, toByteOffset: offset + 44, as: UInt32.self)
        buffer.storeBytes(of: chainCRC.littleEndian, toByteOffset: offset + 48, as: UInt32.self)
        let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + 52)]))
        buffer.storeBytes(of: headerCRC.littleEndian, toByteOffset: offset + 52, as: UInt32.self)
    }
}

/// What sits at a record boundary in a data file.
enum RecordSlot: Equatable {
    /// A record whose header checks out (its body is not verified yet).
    case record(RecordHeader)
    /// End-of-file padding: `length` bytes from here to the end of the file.
    case blank(length: UInt32)
    /// All-zero header bytes: nothing was written here (preallocated space).
    case empty
    /// Anything else, with the reason.
    case invalid(String)
}

/// The end-of-file padding marker: magic, then the padding length (including these 8 bytes).
enum Blank {
    static let magic: UInt32 = 0x4B4C_4253  // "SBLK" on disk
    static let size = 8
}

extension RecordSlot {
    /// Classifies the bytes at `offset` in `buffer`, which holds `available` or more bytes of
    /// the file from there (fewer only at end of file).
    static func parse(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> RecordSlot {
        let available = buffer.count - offset
        guard available >= Blank.size else {
            return buffer[offset...].allSatisfy { $0 == 0 }
                ? .empty : .invalid("\(available) stray bytes at end of file")
        }
        let magic = buffer.loadInteger(at: offset, as: UInt32.self, .little)
        if magic == Blank.magic { return .blank(length: buffer.loadInteger(at: offset + 4, as: UInt32.self, .little)) }
        let headerBytes = min(available, RecordHeader.size)
        if magic == 0 && buffer[offset..<(offset + headerBytes)].allSatisfy({ $0 == 0 }) { return .empty }
        guard magic == RecordHeader.magic else { return .invalid("bad magic 0x\(String(magic, radix: 16))") }
        guard available >= RecordHeader.size else { return .invalid("header cut off at end of file") }
        let stored = buffer.loadInteger(at: offset + 52, as: UInt32.self, .little)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + 52)]))
        guard stored == computed else { return .invalid("header checksum mismatch") }
        let header = RecordHeader(
            totalSize: buffer.loadInteger(at: offset + 4, as: UInt32.self, .little),
            index: buffer.loadInteger(at: offset + 8, as: UInt64.self, .little),
            term: buffer.loadInteger(at: offset + 16, as: UInt64.self, .little),
            position: buffer.loadInteger(at: offset + 24, as: UInt64.self, .little),
            syncedThrough: buffer.loadInteger(at: offset + 32, as: UInt64.self, .little),
            kind: UInt8(truncatingIfNeeded: buffer.loadInteger(at: offset + 40, as: UInt32.self, .little)),
            bodyCRC: buffer.loadInteger(at: offset + 44, as: UInt32.self, .little),
            chainCRC: buffer.loadInteger(at: offset + 48, as: UInt32.self, .little))
        guard Int(header.totalSize) >= RecordHeader.size else {
            return .invalid("record size \(header.totalSize) too small")
        }
        guard EntryKind(rawValue: header.kind) != nil else { return .invalid("unknown entry kind \(header.kind)") }
        return .record(header)
    }
}

enum RecordCodec {
    /// Encodes `entry` at `offset` in `buffer` (which must have room for
    /// `RecordHeader.size + entry.data.count` bytes) and returns its chain CRC.
    static func encode(
        _ entry: Entry, position: UInt64, syncedThrough: UInt64, previousChain: UInt32,
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int
    ) -> UInt32 {
        let bodyCRC = entry.data.withUnsafeBytes { body in
            if let base = body.baseAddress, body.count > 0 {
                (buffer.baseAddress! + offset + RecordHeader.size).copyMemory(from: base, byteCount: body.count)
            }
            return CRC32C.checksum(body)
        }
        let chain = RecordHeader.chain(
            previous: previousChain, index: entry.index.rawValue, term: entry.term.rawValue, kind: entry.kind.rawValue,
            bodyLength: entry.data.count, bodyCRC: bodyCRC)
        let header = RecordHeader(
            totalSize: UInt32(RecordHeader.size + entry.data.count), index: entry.index.rawValue,
            term: entry.term.rawValue, position: position, syncedThrough: syncedThrough, kind: entry.kind.rawValue,
            bodyCRC: bodyCRC, chainCRC: chain)
        header.store(into: buffer, at: offset)
        return chain
    }

    /// Decodes the record at `offset` in `buffer`, expected at log `position`, verifying its
    /// header CRC, position and body CRC. Returns the header and entry or the defect.
    static func decode(_ buffer: UnsafeRawBufferPointer, at offset: Int, position: UInt64)
        -> Result<(RecordHeader, Entry), RecordDefect>
    {
        guard case .record(let header) = RecordSlot.parse(buffer, at: offset) else {
            if case .invalid(let reason) = RecordSlot.parse(buffer, at: offset) {
                return .failure(RecordDefect(reason))
            }
            return .failure(RecordDefect("no record here (blank or empty space)"))
        }
        guard header.position == position else {
            return .failure(RecordDefect("record claims position \(header.position)"))
        }
        guard offset + Int(header.totalSize) <= buffer.count else { return .failure(RecordDefect("body cut off")) }
        let body = UnsafeRawBufferPointer(
            rebasing: buffer[(offset + RecordHeader.size)..<(offset + Int(header.totalSize))])
        guard CRC32C.checksum(body) == header.bodyCRC else { return .failure(RecordDefect("body checksum mismatch")) }
        let entry = Entry(
            index: LogIndex(header.index), term: Term(header.term), kind: EntryKind(rawValue: header.kind)!,
            data: [UInt8](body))
        return .success((header, entry))
    }
}

/// Why a record failed verification.
struct RecordDefect: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
