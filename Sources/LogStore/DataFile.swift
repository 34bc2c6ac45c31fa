import FileIO
import Posix

/// One data file: `<dir>/data/<start position, 20 digits>`, holding records from `start`.
struct DataFile {
    let start: UInt64
    let handle: OpenFile
}

/// The data files of a store, contiguous in log position, and the position ↔ file arithmetic.
/// File k covers positions `k * fileSize ..< (k + 1) * fileSize`.
struct DataFiles {
    let directory: String
    let fileSize: UInt64
    private(set) var files: [DataFile] = []
    /// Starts of files written since the last sync.
    private(set) var unsynced: [UInt64] = []
    /// True when a file was created or removed since the directory was last synced.
    private(set) var directoryDirty = false

    init(directory: String, fileSize: Int) {
        self.directory = directory
        self.fileSize = UInt64(fileSize)
    }

    func path(start: UInt64) -> String { "\(directory)/\(SegmentedFileName.name(start: start))" }

    /// The start of the file that holds `position`.
    func fileStart(for position: UInt64) -> UInt64 { position / fileSize * fileSize }

    /// The open file holding `position`, if it exists.
    func file(containing position: UInt64) -> DataFile? {
        guard let first = files.first, position >= first.start else { return nil }
        let slot = Int((position - first.start) / fileSize)
        return slot < files.count ? files[slot] : nil
    }

    /// Opens every data file, checking names, contiguity and sizes; extends files a crash left
    /// short (their missing bytes read as zero either way).
    mutating func load(_ fs: any FileSystem) throws(LogStoreError) {
        let names = try io("listing data files") { () throws(SystemError) in try fs.listDirectory(directory) }
        for name in names {
            guard let start = SegmentedFileName.start(of: name), start % fileSize == 0 else {
                throw .inconsistentLayout(
                    path: "\(directory)/\(name)",
                    reason: "not a data file name (20 digits, a multiple of the file size \(fileSize))")
            }
            if let last = files.last, start != last.start + fileSize {
                throw .inconsistentLayout(
                    path: path(start: last.start + fileSize),
                    reason: "data file missing between \(last.start) and \(start)")
            }
            let handle = try io("opening a data file") { () throws(SystemError) in
                try fs.open(path(start: start), create: false)
            }
            let size = try io("reading a data file's size") { () throws(SystemError) in try fs.size(of: handle) }
            guard UInt64(size) <= fileSize else {
                throw .inconsistentLayout(
                    path: handle.path,
                    reason: "file is \(size) bytes but dataFileSize is \(fileSize); restore the old setting")
            }
            if UInt64(size) < fileSize {
                try io("extending a short data file") { () throws(SystemError) in
                    try fs.truncate(handle, to: Int64(fileSize))
                }
                markUnsynced(start)
            }
            files.append(DataFile(start: start, handle: handle))
        }
    }

    /// Creates the file starting at `start`, which must follow the last one.
    mutating func create(start: UInt64, _ fs: any FileSystem, preallocate: Bool) throws(SystemError) -> DataFile {
        precondition(start % fileSize == 0 && (files.last.map { $0.start + fileSize == start } ?? true))
        let handle = try fs.open(path(start: start), create: true)
        do {
            if preallocate {
                try fs.allocate(handle, size: Int64(fileSize))
            } else {
                try fs.truncate(handle, to: Int64(fileSize))
            }
        } catch {
            // A disk too full for the file: close it; a later append opens and sizes it again,
            // and recovery extends a data file left short.
            do { try fs.close(handle) } catch {}
            throw error
        }
        let file = DataFile(start: start, handle: handle)
        files.append(file)
        directoryDirty = true
        markUnsynced(start)
        return file
    }

    mutating func markUnsynced(_ start: UInt64) {
        if unsynced.last != start && !unsynced.contains(start) { unsynced.append(start) }
    }

    /// fdatasyncs every written file, then the directory if files came or went.
    mutating func sync(_ fs: any FileSystem) throws(SystemError) {
        let work = takeSyncWork()
        for file in work.files { try fs.sync(file) }
        if let directory = work.directory { try fs.syncDirectory(directory) }
    }

    /// Hands over what a sync must cover: every file written since the last sync, and the
    /// directory if files came or went. The caller syncs them (or fails the store).
    mutating func takeSyncWork() -> (files: [OpenFile], directory: String?) {
        let handles = unsynced.compactMap { file(containing: $0)?.handle }
        let dirtyDirectory = directoryDirty ? directory : nil
        unsynced = []
        directoryDirty = false
        return (handles, dirtyDirectory)
    }

    /// Closes and unlinks every file from `start` on (the directory still needs a sync).
    mutating func removeFiles(from start: UInt64, _ fs: any FileSystem) throws(SystemError) {
        while let last = files.last, last.start >= start {
            try fs.close(last.handle)
            try fs.unlink(last.handle.path)
            files.removeLast()
            unsynced.removeAll { $0 == last.start }
            directoryDirty = true
        }
    }

    /// Closes and unlinks every file before `start` (the directory still needs a sync).
    mutating func removeFiles(before start: UInt64, _ fs: any FileSystem) throws(SystemError) {
        while let first = files.first, first.start < start {
            try fs.close(first.handle)
            try fs.unlink(first.handle.path)
            files.removeFirst()
            unsynced.removeAll { $0 == first.start }
            directoryDirty = true
        }
    }

    /// Zeroes `file` from `offset` to its end (truncate, then extend again) and syncs it, so
    /// no stale record can reappear after a crash.
    mutating func cut(_ file: DataFile, at offset: UInt64, _ fs: any FileSystem, preallocate: Bool)
        throws(SystemError)
    {
        try fs.truncate(file.handle, to: Int64(offset))
        if preallocate {
            try fs.allocate(file.handle, size: Int64(fileSize))
        } else {
            try fs.truncate(file.handle, to: Int64(fileSize))
        }
        try fs.sync(file.handle)
        unsynced.removeAll { $0 == file.start }
    }

    /// Closes every file.
    mutating func closeAll(_ fs: any FileSystem) throws(SystemError) {
        while let file = files.popLast() { try fs.close(file.handle) }
    }
}

/// Runs `body`, wrapping a file-system error with what the store was doing.
@inline(__always)
func io<R>(_ action: @autoclosure () -> String, _ body: () throws(SystemError) -> R) throws(LogStoreError) -> R {
    do {
        return try body()
    } catch {
        throw LogStoreError.io(error, action: action())
    }
}
