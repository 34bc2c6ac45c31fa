import Bytes
import LedgerModel

/// A stretch of the log read ahead, so walking neighbouring records (a pull) reads the log once
/// per stretch instead of once per record. `bytes` are the log's bytes from `start`, never past
/// the end of the records applied when they were read: committed bytes, which never change
/// (read further ahead, a buffer could keep an uncommitted tail that a new leader replaced).
struct ReadBuffer {
    /// How much is read at once; a larger record is read whole.
    let readAhead: Int
    private(set) var start: Int64 = -1
    private(set) var bytes: [UInt8] = []

    init(readAhead: Int) { self.readAhead = readAhead }

    /// The record that starts at log position `position`, before `limit` (the end of the last
    /// applied record): it then lies whole in ``bytes`` from the returned index, with its size.
    /// A `DecodeError` when the bytes there are not the start of a whole record (the log ends,
    /// or holds something else). Throws when the log cannot be read.
    mutating func record(at position: Int64, in log: any MessageLog, limit: Int64) throws(CommitLogError)
        -> Result<(at: Int, size: Int), DecodeError>
    {
        let header = 8
        guard position >= 0, position + Int64(header) <= limit else {
            return .failure(
                .truncated(field: "record header", offset: 0, needed: header, available: Int(max(0, limit - position))))
        }
        try load(position, count: header, limit: limit, log)
        var at = Int(position - start)
        guard bytes.count - at >= header else {
            return .failure(.truncated(field: "record header", offset: 0, needed: header, available: bytes.count - at))
        }
        let total = Int(bytes.loadInteger(at: at) as Int32)
        let magic: Int32 = bytes.loadInteger(at: at + 4)
        guard magic == MessageRecord.magicV1 || magic == MessageRecord.magicV2 else {
            return .failure(
                .invalidValue(
                    field: "magic code", offset: 4, reason: "0x\(String(UInt32(bitPattern: magic), radix: 16))"))
        }
        guard total >= 91 else {
            return .failure(
                .invalidValue(field: "total size", offset: 0, reason: "\(total) is below the 91-byte minimum"))
        }
        if bytes.count - at < total, position + Int64(total) <= limit {
            try load(position, count: total, limit: limit, log)
            at = Int(position - start)
        }
        guard bytes.count - at >= total else {
            return .failure(.truncated(field: "record", offset: 0, needed: total, available: bytes.count - at))
        }
        return .success((at, total))
    }

    /// Makes ``bytes`` hold the log from `position` for `count` bytes, or as many as the log
    /// has there, reading ahead up to ``readAhead`` but not past `limit`.
    private mutating func load(_ position: Int64, count: Int, limit: Int64, _ log: any MessageLog)
        throws(CommitLogError)
    {
        if start >= 0 && position >= start && position + Int64(count) <= start + Int64(bytes.count) { return }
        start = -1
        bytes = try log.bytes(at: position, count: Int(min(Int64(max(count, readAhead)), limit - position)))
        start = position
    }

    /// Forgets what was read: the log may have changed there (never for committed records, but
    /// a memory-only log is rebuilt by tests), and a buffer grown by a large record shrinks.
    mutating func shrink() {
        self = ReadBuffer(readAhead: readAhead)
    }
}
