import Bytes
import LedgerModel

/// A stretch of one commit-log file read ahead, so walking neighbouring records (a pull, a
/// rebuild) reads the file once per stretch instead of once per record. `bytes[..<valid]` are
/// the file's bytes from `start`; anything after is stale and never looked at.
struct ReadBuffer {
    /// How much is read at once; a larger record is read whole.
    let readAhead: Int
    private(set) var path = ""
    private(set) var start = 0
    private(set) var valid = 0
    private(set) var bytes: [UInt8] = []

    init(readAhead: Int) { self.readAhead = readAhead }

    /// What starts at `position` of the commit-log file at `path`, whose first `readable` bytes
    /// hold records: the blank, or a record that then lies whole in ``bytes`` from the returned
    /// index. A `DecodeError` when the bytes there are neither. Throws when the file cannot be
    /// read or ends before `readable`.
    mutating func slot(at position: Int, of path: String, readable: Int, _ files: StoreFiles) throws(CommitLogError)
        -> Result<(at: Int, slot: MessageRecord.Slot), DecodeError>
    {
        let header = MessageRecord.blankLength
        guard position >= 0, position + header <= readable else {
            return .failure(
                .truncated(field: "record header", offset: 0, needed: header, available: max(0, readable - position)))
        }
        try load(path, position: position, count: header, readable: readable, files)
        var at = position - start
        let total = Int(bytes.loadInteger(at: at) as Int32)
        if bytes.loadInteger(at: at + 4) as Int32 == MessageRecord.blankMagic { return .success((at, .blank)) }
        if total > header && position + total <= readable {
            try load(path, position: position, count: total, readable: readable, files)
            at = position - start
        }
        guard total <= valid - at else {
            return .failure(.truncated(field: "record", offset: 0, needed: total, available: valid - at))
        }
        do throws(DecodeError) {
            return .success((at, try MessageRecord.slot(in: bytes, at: at)))
        } catch {
            return .failure(error)
        }
    }

    /// Makes ``bytes`` hold `count` bytes at `position` of the file, reading ahead up to
    /// ``readAhead`` bytes but never past `readable`.
    private mutating func load(_ path: String, position: Int, count: Int, readable: Int, _ files: StoreFiles)
        throws(CommitLogError)
    {
        if path == self.path && position >= start && position + count <= start + valid { return }
        let length = min(readable - position, max(count, readAhead))
        // After a large record, go back to a buffer of the usual size.
        if bytes.count > readAhead && length <= readAhead { bytes = [] }
        self.path = ""
        valid = try files.read(path, at: Int64(position), count: length, into: &bytes)
        guard valid >= count else {
            throw .missingData(file: path, expectedBytes: Int64(position + count), foundBytes: Int64(position + valid))
        }
        self.path = path
        start = position
    }

    /// Drops a buffer grown past ``readAhead`` by a large record.
    mutating func shrink() {
        if bytes.count > readAhead { self = ReadBuffer(readAhead: readAhead) }
    }
}
