/// The commit log as a run of fixed-size files, held in memory: file `i` covers physical
/// offsets `i × fileSize ..< (i + 1) × fileSize` and holds the bytes written so far. A record
/// that does not fit the rest of a file (keeping 8 bytes for the blank) closes it with RocketMQ's
/// blank `[i32 remaining][i32 BLANK_MAGIC]` and starts the next file.
struct CommitLogFiles: Hashable {
    let fileSize: Int
    /// The written prefix of each file, oldest first.
    private(set) var files: [[UInt8]] = []

    init(fileSize: Int) { self.fileSize = fileSize }

    /// Where the next record goes.
    var writeOffset: PhysicalOffset {
        guard let last = files.last else { return .zero }
        return PhysicalOffset(Int64(files.count - 1) * Int64(fileSize) + Int64(last.count))
    }

    /// The start offset of file `index`.
    func startOffset(ofFile index: Int) -> Int64 { Int64(index) * Int64(fileSize) }

    /// The file and position of `offset`, or nil outside the written bytes.
    func locate(_ offset: PhysicalOffset) -> (file: Int, position: Int)? {
        guard offset.rawValue >= 0 else { return nil }
        let file = Int(offset.rawValue / Int64(fileSize))
        let position = Int(offset.rawValue % Int64(fileSize))
        guard file < files.count, position < files[file].count else { return nil }
        return (file, position)
    }

    /// Makes room for a record of `size` bytes (`size + 8 <= fileSize`) and returns its offset.
    /// If the current file lacks room, writes the blank and starts a new file; the blank's
    /// bytes are returned so the caller can fold them into the digest.
    mutating func reserve(_ size: Int) -> (offset: PhysicalOffset, blank: [UInt8]?) {
        precondition(size + MessageRecord.blankLength <= fileSize, "record of \(size) bytes cannot fit any file")
        if files.isEmpty { files.append([]) }
        var blank: [UInt8]?
        let remaining = fileSize - files[files.count - 1].count
        if size + MessageRecord.blankLength > remaining {
            var marker: [UInt8] = []
            marker.appendBigEndian(Int32(remaining))
            marker.appendBigEndian(MessageRecord.blankMagic)
            files[files.count - 1].append(contentsOf: marker)
            files.append([])
            blank = marker
        }
        return (writeOffset, blank)
    }

    /// Appends to the current file through `body`, which must append exactly the reserved record.
    mutating func appendToCurrentFile<R>(_ body: (inout [UInt8]) -> R) -> R {
        body(&files[files.count - 1])
    }

    /// Replaces the files (when loading from disk).
    mutating func load(_ files: [[UInt8]]) { self.files = files }
}
