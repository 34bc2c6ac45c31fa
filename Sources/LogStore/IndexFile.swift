import Bytes
import FileIO
import Posix

/// One index record: where entry `index` lives. 32 bytes, little-endian:
///
///     0 position u64 · 8 term u64 · 16 index u64 · 24 size u32 · 28 crc u32 (CRC32C of bytes 0..<28)
///
/// An all-zero or CRC-failing slot means "unknown"; the data files stay the source of truth.
struct IndexEntry: Equatable {
    static let size = 32

    var position: UInt64
    var term: UInt64
    var index: UInt64
    var size: UInt32

    var end: UInt64 { position + UInt64(size) }

    func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: position.littleEndian, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: term.littleEndian, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: index.littleEndian, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: size.littleEndian, toByteOffset: offset + 24, as: UInt32.self)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + 28)]))
        buffer.storeBytes(of: crc.littleEndian, toByteOffset: offset + 28, as: UInt32.self)
    }

    /// The entry at `offset`, or nil if the slot is empty or damaged.
    static func parse(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> IndexEntry? {
        guard offset + size <= buffer.count else { return nil }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + 28)]))
        guard crc == buffer.loadInteger(at: offset + 28, as: UInt32.self, .little),
            buffer.loadInteger(at: offset + 16, as: UInt64.self, .little) != 0
        else { return nil }
        return IndexEntry(
            position: buffer.loadInteger(at: offset, as: UInt64.self, .little),
            term: buffer.loadInteger(at: offset + 8, as: UInt64.self, .little),
            index: buffer.loadInteger(at: offset + 16, as: UInt64.self, .little),
            size: buffer.loadInteger(at: offset + 24, as: UInt32.self, .little))
    }
}

/// The index files: `<dir>/index/<first index, 20 digits>`, each holding `entriesPerFile`
/// fixed-width slots, slot k of the file named B for entry B + k. Index files are written with
/// each append but synced only before a checkpoint; recovery rewrites them past it.
struct IndexFiles {
    let directory: String
    let entriesPerFile: UInt64
    private(set) var files: [(base: UInt64, handle: OpenFile)] = []
    private var unsynced: [UInt64] = []
    private var directoryDirty = false
    /// Records a full disk kept recovery from writing; reads see them in place of the files.
    private(set) var deferred = DeferredIndexRecords()

    init(directory: String, entriesPerFile: Int) {
        self.directory = directory
        self.entriesPerFile = UInt64(entriesPerFile)
    }

    /// The first index covered by the file holding `index` (≥ 1).
    func base(for index: UInt64) -> UInt64 { (index - 1) / entriesPerFile * entriesPerFile + 1 }

    private func handle(base: UInt64) -> OpenFile? {
        var low = 0
        var high = files.count
        while low < high {
            let mid = (low + high) / 2
            if files[mid].base < base { low = mid + 1 } else { high = mid }
        }
        return low < files.count && files[low].base == base ? files[low].handle : nil
    }

    /// Opens every index file. Returns false, opening none, when the files were written with
    /// another number of entries per file (their names do not fit): the caller removes them
    /// and rebuilds the index from the data files.
    mutating func load(_ fs: any FileSystem) throws(LogStoreError) -> Bool {
        let names = try io("listing index files") { () throws(SystemError) in try fs.listDirectory(directory) }
        for name in names {
            guard let base = SegmentedFileName.start(of: name) else {
                throw .inconsistentLayout(path: "\(directory)/\(name)", reason: "not an index file name (20 digits)")
            }
            guard base >= 1, (base - 1) % entriesPerFile == 0 else { return false }
        }
        for name in names {
            let base = SegmentedFileName.start(of: name)!
            let handle = try io("opening an index file") { () throws(SystemError) in
                try fs.open("\(directory)/\(name)", create: false)
            }
            files.append((base, handle))
        }
        return true
    }

    /// Writes `count` encoded entries from `bytes`, the first for `index`, creating files as needed.
    mutating func write(_ bytes: UnsafeRawBufferPointer, count: Int, firstIndex index: UInt64, _ fs: any FileSystem)
        throws(SystemError)
    {
        var done = 0
        while done < count {
            let current = index + UInt64(done)
            let base = base(for: current)
            let inFile = min(count - done, Int(base + entriesPerFile - current))
            let handle: OpenFile
            if let existing = self.handle(base: base) { handle = existing } else { handle = try create(base: base, fs) }
            let slice = UnsafeRawBufferPointer(
                rebasing: bytes[(done * IndexEntry.size)..<((done + inFile) * IndexEntry.size)])
            try fs.write(handle, at: Int64(current - base) * Int64(IndexEntry.size), bytes: slice)
            if unsynced.last != base && !unsynced.contains(base) { unsynced.append(base) }
            done += inFile
        }
    }

    private mutating func create(base: UInt64, _ fs: any FileSystem) throws(SystemError) -> OpenFile {
        let handle = try fs.open("\(directory)/\(SegmentedFileName.name(start: base))", create: true)
        let slot = files.firstIndex { $0.base > base } ?? files.count
        files.insert((base, handle), at: slot)
        directoryDirty = true
        return handle
    }

    /// The entries for `index ..< index + count` (nil where unknown).
    func read(from index: UInt64, count: Int, _ fs: any FileSystem) throws(SystemError) -> [IndexEntry?] {
        var result: [IndexEntry?] = []
        result.reserveCapacity(count)
        while result.count < count {
            let current = index + UInt64(result.count)
            let base = base(for: current)
            let inFile = min(count - result.count, Int(base + entriesPerFile - current))
            guard let handle = handle(base: base) else {
                result.append(contentsOf: [IndexEntry?](repeating: nil, count: inFile))
                continue
            }
            let bytes = try fs.read(
                handle, at: Int64(current - base) * Int64(IndexEntry.size), count: inFile * IndexEntry.size)
            bytes.withUnsafeBytes { raw in
                for k in 0..<inFile {
                    let entry = IndexEntry.parse(raw, at: k * IndexEntry.size)
                    result.append(entry?.index == current + UInt64(k) ? entry : nil)
                }
            }
        }
        if !deferred.isEmpty {
            for k in 0..<count {
                if let held = deferred.entry(index + UInt64(k)) { result[k] = held }
            }
        }
        return result
    }

    /// Keeps `count` encoded records from `bytes` (the first for `index`) in memory, for a disk
    /// too full to write them; ``writeDeferred(_:)`` writes them later.
    mutating func deferWrite(_ bytes: [UInt8], count: Int, firstIndex index: UInt64) {
        deferred.add(bytes, count: count, first: index)
    }

    /// Writes the records kept by ``deferWrite(_:count:firstIndex:)``, run by run; those written
    /// are forgotten, so a failure (a disk still full) can be retried.
    mutating func writeDeferred(_ fs: any FileSystem) throws(SystemError) {
        while let run = deferred.runs.first {
            try withRawBytes(run.bytes) { (raw) throws(SystemError) in
                try write(raw, count: run.bytes.count / IndexEntry.size, firstIndex: run.first, fs)
            }
            deferred.removeFirst()
        }
    }

    /// Forgets deferred records of entries after `index` (a truncated log).
    mutating func dropDeferred(after index: UInt64) { deferred.drop(after: index) }

    /// The entry for `index`, or nil if unknown.
    func read(_ index: UInt64, _ fs: any FileSystem) throws(SystemError) -> IndexEntry? {
        try read(from: index, count: 1, fs)[0]
    }

    /// Syncs every index file written since the last sync, then the directory if needed.
    mutating func sync(_ fs: any FileSystem) throws(SystemError) {
        for base in unsynced {
            if let handle = handle(base: base) { try fs.sync(handle) }
        }
        unsynced = []
        if directoryDirty {
            try fs.syncDirectory(directory)
            directoryDirty = false
        }
    }

    /// Unlinks the files holding only entries before `index` (the directory still needs a sync).
    mutating func removeFiles(before index: UInt64, _ fs: any FileSystem) throws(SystemError) {
        deferred.drop(before: index)
        while let first = files.first, first.base + entriesPerFile <= index {
            try fs.close(first.handle)
            try fs.unlink(first.handle.path)
            files.removeFirst()
            unsynced.removeAll { $0 == first.base }
            directoryDirty = true
        }
    }

    mutating func closeAll(_ fs: any FileSystem) throws(SystemError) {
        while let file = files.popLast() { try fs.close(file.handle) }
    }
}
