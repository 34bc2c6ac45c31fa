import FileIO
import Posix
import Raft

/// Where entries lie in the log's byte space, and the bytes there: the one log's physical
/// offsets. A message stored in an entry's body has the physical offset of its byte in the log,
/// so every replica (same `dataFileSize`, same entries) gives it the same offset.
extension LogStore {
    /// Bytes a record adds before its entry's data (FORMAT.md, "Record").
    public static let recordHeaderBytes = RecordHeader.size

    /// Where a record of `bytes` bytes (header included) starts when the previous one ends at
    /// `end`: there, or at the next file's start when the rest of the file is too short for it
    /// and a blank (FORMAT.md: a record fills its file exactly or leaves at least 8 bytes).
    /// ``append(_:)`` lays records out by exactly this rule.
    public static func placement(ofRecordBytes bytes: Int, after end: UInt64, fileSize: Int) -> UInt64 {
        let size = UInt64(bytes)
        let fileSize = UInt64(fileSize)
        let remaining = end / fileSize * fileSize + fileSize - end
        if size != remaining && size + UInt64(Blank.size) > remaining { return end + remaining }
        return end
    }

    /// Where the next record goes: the end of the last one written.
    public var endPosition: UInt64 { writePosition }

    /// Where the first entry's record starts (after a prefix drop or a reset, later than 0);
    /// nothing before it is stored.
    public var startPosition: UInt64 { firstPosition }

    /// The absolute log position of entry `index`'s record (`firstIndex...lastIndex`); its data
    /// starts ``recordHeaderBytes`` later. Recent entries answer from memory, older ones from
    /// the index files.
    public func position(of index: LogIndex) throws(LogStoreError) -> UInt64 {
        try located(index).position
    }

    /// Where entry `index`'s record ends, for `firstIndex.previous...lastIndex` (the first
    /// position for the entry before the first).
    public func recordEnd(of index: LogIndex) throws(LogStoreError) -> UInt64 {
        if index == firstIndex.previous { return firstPosition }
        let (position, size) = try located(index)
        return position + UInt64(size)
    }

    private func located(_ index: LogIndex) throws(LogStoreError) -> (position: UInt64, size: UInt32) {
        try checkHealthy()
        precondition(
            index >= firstIndex && index <= lastIndex, "entry \(index) outside the log \(firstIndex)...\(lastIndex)")
        if let cached = cache.get(index.rawValue) { return (cached.position, cached.size) }
        guard
            let entry = try io(
                "reading the index record of entry \(index)",
                { () throws(SystemError) in
                    try self.index.read(index.rawValue, fs)
                })
        else {
            throw .corruptFile(path: indexDirectory, reason: "no index record for entry \(index)")
        }
        return (entry.position, entry.size)
    }

    /// Up to `count` bytes of the log from `position`, stopping at the end of the data file that
    /// holds it and at ``endPosition``; empty outside the stored log. Reads the page cache (what
    /// ``append(_:)`` wrote is readable before it is synced). No CRC is checked: the caller
    /// reads inside a record whose own checks it knows.
    public func bytes(at position: UInt64, count: Int) throws(LogStoreError) -> [UInt8] {
        try checkHealthy()
        guard position >= firstPosition, position < writePosition, count > 0,
            let file = data.file(containing: position)
        else { return [] }
        let available = min(writePosition, file.start + data.fileSize) - position
        let wanted = Int(min(UInt64(count), available))
        return try io("reading \(wanted) bytes at log position \(position)") { () throws(SystemError) in
            try fs.read(file.handle, at: Int64(position - file.start), count: wanted)
        }
    }
}
