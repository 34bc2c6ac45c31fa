import Posix
import Raft

#if canImport(Glibc)
    import Glibc
#endif

/// An in-memory ``FileSystem`` for deterministic crash and fault tests.
///
/// Each file keeps two images, page-granular (``pageSize`` bytes): what reads see now and what
/// a crash would leave. ``FileSystem/sync(_:)`` copies a file's dirty pages and size to its
/// durable image; ``FileSystem/syncDirectory(_:)`` makes the directory's creates, renames,
/// unlinks and sub-directories durable. ``crash(_:)`` throws everything else away and may tear
/// each file's last unsynced write: a random prefix of its 512-byte sectors survives, some zeroed.
///
/// Fault injection: ``faults`` gives per-call error probabilities; ``failNext(_:pathContaining:errno:)``
/// arms a one-shot error; ``isFull`` makes every write that needs new space fail with `ENOSPC`. A failed sync behaves like Linux after `EIO`: the dirty pages are
/// dropped from the dirty set without reaching the durable image, so a retried sync "succeeds"
/// while the data stays volatile — exactly why callers must stop instead of retrying.
///
/// Deterministic: no clock, no system randomness; every random choice comes from the seeded
/// ``SplitMix64`` given to ``init(seed:)`` or ``crash(_:)``. Not thread-safe: one owner.
public final class SimulatedFileSystem: FileSystem {
    /// The granularity of the durable images.
    public static let pageSize = 4096
    /// The unit a crash can tear a write at.
    public static let sectorSize = 512

    /// Probabilities, in parts per million, that a call fails with `EIO`.
    public struct FaultRates: Sendable, Hashable {
        public var readErrorsPerMillion: UInt64
        public var writeErrorsPerMillion: UInt64
        public var syncErrorsPerMillion: UInt64

        public init(
            readErrorsPerMillion: UInt64 = 0, writeErrorsPerMillion: UInt64 = 0, syncErrorsPerMillion: UInt64 = 0
        ) {
            self.readErrorsPerMillion = readErrorsPerMillion
            self.writeErrorsPerMillion = writeErrorsPerMillion
            self.syncErrorsPerMillion = syncErrorsPerMillion
        }
    }

    /// Per-call error probabilities; all zero by default.
    public var faults = FaultRates()
    /// How many crashes have been simulated.
    public private(set) var crashCount = 0
    /// A full disk: while set, a write fails with `ENOSPC` at the first page it would newly
    /// allocate (the pages before it are written, as a short `pwrite` leaves them), and so does
    /// a `fallocate` that grows a file. Rewriting allocated pages, shrinking, unlinking, renaming
    /// and growing a file sparsely with `ftruncate` still work, as on a real full file system.
    public var isFull = false
    /// Descriptors opened and not yet closed (for leak assertions).
    public var openDescriptorCount: Int { descriptors.count }

    private var random: SplitMix64
    private var inodes: [Int: Inode] = [:]
    private var nextInode = 1
    /// What each directory holds now (file names to inodes, sub-directory paths), and what a
    /// crash would leave of it (changed only by ``syncDirectory(_:)``).
    private var tree = DirectoryTree()
    private var durableTree = DirectoryTree()
    private var descriptors: [Int32: Int] = [:]
    private var nextDescriptor: Int32 = 3
    private var armed: [(operation: FileOperation, pathPart: String, errno: Int32)] = []

    /// A file system holding only the root directory `/`; `seed` drives injected faults.
    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// Makes the next call of `operation` whose path contains `pathContaining` fail with `errno`.
    public func failNext(_ operation: FileOperation, pathContaining: String = "", errno: Int32 = EIO) {
        armed.append((operation, pathContaining, errno))
    }

    /// Simulates power loss: open descriptors vanish, unsynced names and data are lost, and
    /// each file's last unsynced write may survive torn (a random prefix of its pages, some
    /// possibly zeroed). Afterwards the surviving contents count as durable.
    public func crash(_ rng: inout SplitMix64) {
        crashCount += 1
        descriptors = [:]
        durableTree.dropOrphans()
        tree = durableTree
        let live = tree.inodes
        for number in inodes.keys.sorted() {
            guard live.contains(number), var inode = inodes[number] else {
                inodes[number] = nil
                continue
            }
            var survivor = inode.durable
            if let write = inode.lastWrite, rng.chance(1, in: 2) {
                Self.tear(write, onto: &survivor, rng: &rng)
            }
            inode = Inode(current: survivor, durable: survivor)
            inodes[number] = inode
        }
    }

    /// The bytes reads of `path` see now, or nil if it does not exist (for test assertions).
    public func contents(of path: String) -> [UInt8]? {
        guard let number = tree.file(path), let inode = inodes[number] else { return nil }
        return inode.current.read(at: 0, count: inode.current.size)
    }

    // MARK: FileSystem

    public func open(_ path: String, create: Bool) throws(SystemError) -> OpenFile {
        try check(.open, path)
        let number: Int
        if let existing = tree.file(path) {
            number = existing
        } else {
            guard create else { throw Self.failure(.open, path: path, errno: ENOENT) }
            guard tree.hasDirectory(parentDirectory(of: path)) else {
                throw Self.failure(.open, path: path, errno: ENOENT)
            }
            number = nextInode
            nextInode += 1
            inodes[number] = Inode(current: Contents(), durable: Contents())
            tree.link(path, to: number)
        }
        let fd = nextDescriptor
        nextDescriptor += 1
        descriptors[fd] = number
        return OpenFile(descriptor: fd, path: path)
    }

    public func close(_ file: OpenFile) throws(SystemError) {
        try check(.close, file.path)
        guard descriptors.removeValue(forKey: file.descriptor) != nil else {
            throw Self.failure(.close, path: file.path, errno: EBADF)
        }
    }

    public func write(_ file: OpenFile, at offset: Int64, bytes: UnsafeRawBufferPointer) throws(SystemError) {
        try check(.write, file.path, chance: faults.writeErrorsPerMillion)
        let number = try inode(of: file, .write)
        var data = [UInt8](bytes)
        var inode = inodes.removeValue(forKey: number)!
        defer { inodes[number] = inode }
        var refused: SystemError?
        if isFull, let allocated = inode.current.allocatedPrefix(at: Int(offset), count: data.count) {
            data.removeSubrange(allocated...)
            refused = Self.failure(.write, path: file.path, errno: ENOSPC)
        }
        if !data.isEmpty {
            inode.current.write(data, at: Int(offset), dirty: &inode.dirtyPages)
            inode.lastWrite = (Int(offset), data)
        }
        if let refused { throw refused }
    }

    public func read(_ file: OpenFile, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer)
        throws(SystemError) -> Int
    {
        try check(.read, file.path, chance: faults.readErrorsPerMillion)
        let number = try inode(of: file, .read)
        let contents = inodes[number]!.current
        let count = max(0, min(buffer.count, contents.size - Int(offset)))
        let bytes = contents.read(at: Int(offset), count: count)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return count
    }

    public func sync(_ file: OpenFile) throws(SystemError) {
        let number = try inode(of: file, .sync)
        do throws(SystemError) {
            try check(.sync, file.path, chance: faults.syncErrorsPerMillion)
        } catch {
            inodes[number]!.dirtyPages = []
            inodes[number]!.lastWrite = nil
            throw error
        }
        var inode = inodes[number]!
        for page in inode.dirtyPages { inode.durable.pages[page] = inode.current.pages[page] }
        inode.durable.size = inode.current.size
        inode.dirtyPages = []
        inode.lastWrite = nil
        inodes[number] = inode
    }

    public func truncate(_ file: OpenFile, to size: Int64) throws(SystemError) {
        try check(.truncate, file.path)
        let number = try inode(of: file, .truncate)
        var inode = inodes.removeValue(forKey: number)!
        inode.current.resize(to: Int(size), dirty: &inode.dirtyPages)
        inode.lastWrite = nil
        inodes[number] = inode
    }

    public func allocate(_ file: OpenFile, size: Int64) throws(SystemError) {
        try check(.allocate, file.path)
        let number = try inode(of: file, .allocate)
        if isFull && inodes[number]!.current.size < Int(size) {
            throw Self.failure(.allocate, path: file.path, errno: ENOSPC)
        }
        var inode = inodes.removeValue(forKey: number)!
        if inode.current.size < Int(size) { inode.current.resize(to: Int(size), dirty: &inode.dirtyPages) }
        inodes[number] = inode
    }

    public func size(of file: OpenFile) throws(SystemError) -> Int64 {
        try check(.size, file.path)
        return Int64(inodes[try inode(of: file, .size)]!.current.size)
    }

    public func rename(_ source: String, to destination: String) throws(SystemError) {
        try check(.rename, source)
        guard let number = tree.file(source), tree.hasDirectory(parentDirectory(of: destination)) else {
            throw Self.failure(.rename, path: "\(source) -> \(destination)", errno: ENOENT)
        }
        tree.unlink(source)
        tree.link(destination, to: number)
    }

    public func unlink(_ path: String) throws(SystemError) {
        try check(.unlink, path)
        guard tree.unlink(path) != nil else { throw Self.failure(.unlink, path: path, errno: ENOENT) }
    }

    public func listDirectory(_ path: String) throws(SystemError) -> [String] {
        try check(.listDirectory, path)
        guard let listing = tree.list(path) else { throw Self.failure(.listDirectory, path: path, errno: ENOENT) }
        return listing
    }

    public func syncDirectory(_ path: String) throws(SystemError) {
        try check(.syncDirectory, path, chance: faults.syncErrorsPerMillion)
        guard let entries = tree.directories[path] else {
            throw Self.failure(.syncDirectory, path: path, errno: ENOENT)
        }
        durableTree.directories[path] = entries
    }

    public func makeDirectory(_ path: String) throws(SystemError) {
        try check(.makeDirectory, path)
        guard tree.hasDirectory(parentDirectory(of: path)) else {
            throw Self.failure(.makeDirectory, path: path, errno: ENOENT)
        }
        tree.makeDirectory(path)
    }

    // MARK: Internals

    /// The error the real call would report.
    private static func failure(_ operation: FileOperation, path: String, errno: Int32) -> SystemError {
        SystemError(operation.rawValue, subject: path, errno: errno)
    }

    private func check(_ operation: FileOperation, _ path: String, chance perMillion: UInt64 = 0)
        throws(SystemError)
    {
        if let slot = armed.firstIndex(where: { $0.operation == operation && path.contains($0.pathPart) }) {
            let fault = armed.remove(at: slot)
            throw Self.failure(operation, path: path, errno: fault.errno)
        }
        if perMillion > 0 && random.chance(perMillion, in: 1_000_000) {
            throw Self.failure(operation, path: path, errno: EIO)
        }
    }

    private func inode(of file: OpenFile, _ operation: FileOperation) throws(SystemError) -> Int {
        guard let number = descriptors[file.descriptor] else {
            throw Self.failure(operation, path: file.path, errno: EBADF)
        }
        return number
    }

    private static func tear(
        _ write: (offset: Int, bytes: [UInt8]), onto contents: inout Contents, rng: inout SplitMix64
    ) {
        guard !write.bytes.isEmpty else { return }
        // A disk writes whole sectors atomically, not whole pages: a torn write keeps a prefix of
        // its sectors, so a record can end half-written.
        let firstSector = write.offset / sectorSize
        let lastSector = (write.offset + write.bytes.count - 1) / sectorSize
        let kept = Int(rng.below(UInt64(lastSector - firstSector + 2)))
        var ignored = Set<Int>()
        for sector in firstSector..<(firstSector + kept) {
            let low = max(write.offset, sector * sectorSize)
            let high = min(write.offset + write.bytes.count, (sector + 1) * sectorSize)
            var piece = Array(write.bytes[(low - write.offset)..<(high - write.offset)])
            if rng.chance(1, in: 8) { piece = [UInt8](repeating: 0, count: piece.count) }
            contents.write(piece, at: low, dirty: &ignored)
        }
    }
}

/// One file's bytes as a sparse map of pages; absent pages read as zero.
private struct Contents {
    var size = 0
    var pages: [Int: [UInt8]] = [:]

    func read(at offset: Int, count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let position = offset + done
            let page = position / SimulatedFileSystem.pageSize
            let within = position % SimulatedFileSystem.pageSize
            let length = min(count - done, SimulatedFileSystem.pageSize - within)
            if let bytes = pages[page] {
                result.replaceSubrange(done..<(done + length), with: bytes[within..<(within + length)])
            }
            done += length
        }
        return result
    }

    /// How many of the `count` bytes from `offset` land on pages already allocated before the
    /// first page that is not (nil when every page they touch is allocated).
    func allocatedPrefix(at offset: Int, count: Int) -> Int? {
        guard count > 0 else { return nil }
        let first = offset / SimulatedFileSystem.pageSize
        let last = (offset + count - 1) / SimulatedFileSystem.pageSize
        for page in first...last where pages[page] == nil {
            return max(0, page * SimulatedFileSystem.pageSize - offset)
        }
        return nil
    }

    mutating func write(_ bytes: [UInt8], at offset: Int, dirty: inout Set<Int>) {
        var done = 0
        while done < bytes.count {
            let position = offset + done
            let page = position / SimulatedFileSystem.pageSize
            let within = position % SimulatedFileSystem.pageSize
            let length = min(bytes.count - done, SimulatedFileSystem.pageSize - within)
            var content = pages[page] ?? [UInt8](repeating: 0, count: SimulatedFileSystem.pageSize)
            content.replaceSubrange(within..<(within + length), with: bytes[done..<(done + length)])
            pages[page] = content
            dirty.insert(page)
            done += length
        }
        size = max(size, offset + bytes.count)
    }

    mutating func resize(to newSize: Int, dirty: inout Set<Int>) {
        if newSize < size {
            let keepPages = (newSize + SimulatedFileSystem.pageSize - 1) / SimulatedFileSystem.pageSize
            for page in pages.keys where page >= keepPages {
                pages[page] = nil
                dirty.insert(page)
            }
            let within = newSize % SimulatedFileSystem.pageSize
            if within != 0, var content = pages[newSize / SimulatedFileSystem.pageSize] {
                for i in within..<SimulatedFileSystem.pageSize { content[i] = 0 }
                pages[newSize / SimulatedFileSystem.pageSize] = content
                dirty.insert(newSize / SimulatedFileSystem.pageSize)
            }
        }
        size = newSize
    }
}

private struct Inode {
    var current: Contents
    var durable: Contents
    var dirtyPages: Set<Int> = []
    var lastWrite: (offset: Int, bytes: [UInt8])? = nil
}

/// The names of a simulated file system, by directory: each directory's files (name to inode)
/// and sub-directories, so syncing or listing one directory costs what it holds, not what the
/// whole file system holds.
private struct DirectoryTree {
    struct Entries {
        var files: [String: Int] = [:]
        var subdirectories: Set<String> = []
    }

    /// Every directory by its path (`/` always).
    var directories: [String: Entries] = ["/": Entries()]

    func hasDirectory(_ path: String) -> Bool { directories[path] != nil }

    /// The inode `path` names, if it names a file.
    func file(_ path: String) -> Int? {
        directories[parentDirectory(of: path)]?.files[Self.name(of: path)]
    }

    mutating func link(_ path: String, to inode: Int) {
        directories[parentDirectory(of: path)]?.files[Self.name(of: path)] = inode
    }

    /// Removes the name `path`; returns the inode it named.
    @discardableResult
    mutating func unlink(_ path: String) -> Int? {
        directories[parentDirectory(of: path)]?.files.removeValue(forKey: Self.name(of: path))
    }

    mutating func makeDirectory(_ path: String) {
        guard directories[path] == nil else { return }
        directories[path] = Entries()
        directories[parentDirectory(of: path)]?.subdirectories.insert(Self.name(of: path))
    }

    /// The names in directory `path`, sorted; nil if it does not exist.
    func list(_ path: String) -> [String]? {
        guard let entries = directories[path] else { return nil }
        return (Array(entries.files.keys) + entries.subdirectories).sorted()
    }

    /// Every inode some name refers to.
    var inodes: Set<Int> { Set(directories.values.flatMap(\.files.values)) }

    /// Keeps only the directories reachable from `/` through sub-directory entries: a crash loses
    /// a directory (and what it holds) whose creation was never synced in its parent.
    mutating func dropOrphans() {
        var reachable: [String: Entries] = [:]
        var pending = ["/"]
        while let path = pending.popLast() {
            // A directory whose creation its parent made durable survives, empty if its own
            // entries were never synced.
            let entries = directories[path] ?? Entries()
            reachable[path] = entries
            for name in entries.subdirectories { pending.append(path == "/" ? "/\(name)" : "\(path)/\(name)") }
        }
        directories = reachable
    }

    private static func name(of path: String) -> String {
        let utf8 = path.utf8
        guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[utf8.index(after: slash)...])
    }
}
