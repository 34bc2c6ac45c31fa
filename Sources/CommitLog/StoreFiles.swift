import FileIO
import Posix

/// The ``FileSystem`` calls the state machine makes, with errors already turned into
/// ``CommitLogError/fileSystem(_:)`` so persistence and recovery code can mix them with its own.
struct StoreFiles {
    let fs: any FileSystem

    func open(_ path: String, create: Bool) throws(CommitLogError) -> OpenFile {
        try wrap { () throws(SystemError) in try fs.open(path, create: create) }
    }
    func close(_ file: OpenFile) throws(CommitLogError) {
        try wrap { () throws(SystemError) in try fs.close(file) }
    }
    func write(_ file: OpenFile, at offset: Int64, _ bytes: ArraySlice<UInt8>) throws(CommitLogError) {
        let outcome: Result<Void, SystemError> = bytes.withUnsafeBytes { raw in
            do throws(SystemError) {
                return .success(try fs.write(file, at: offset, bytes: raw))
            } catch {
                return .failure(error)
            }
        }
        try wrap { () throws(SystemError) in try outcome.get() }
    }
    func read(_ file: OpenFile, at offset: Int64, count: Int) throws(CommitLogError) -> [UInt8] {
        try wrap { () throws(SystemError) in try fs.read(file, at: offset, count: count) }
    }
    func sync(_ file: OpenFile) throws(CommitLogError) { try wrap { () throws(SystemError) in try fs.sync(file) } }
    func truncate(_ file: OpenFile, to size: Int64) throws(CommitLogError) {
        try wrap { () throws(SystemError) in try fs.truncate(file, to: size) }
    }
    func size(of file: OpenFile) throws(CommitLogError) -> Int64 {
        try wrap { () throws(SystemError) in try fs.size(of: file) }
    }
    func rename(_ source: String, to destination: String) throws(CommitLogError) {
        try wrap { () throws(SystemError) in try fs.rename(source, to: destination) }
    }
    func unlink(_ path: String) throws(CommitLogError) {
        try wrap { () throws(SystemError) in try fs.unlink(path) }
    }
    func list(_ directory: String) throws(CommitLogError) -> [String] {
        try wrap { () throws(SystemError) in try fs.listDirectory(directory) }
    }
    func syncDirectory(_ path: String) throws(CommitLogError) {
        try wrap { () throws(SystemError) in try fs.syncDirectory(path) }
    }
    func exists(_ name: String, in directory: String) throws(CommitLogError) -> Bool {
        try wrap { () throws(SystemError) in try fs.exists(name, in: directory) }
    }

    /// Whether `path` (with a directory part) exists.
    func exists(path: String) throws(CommitLogError) -> Bool {
        guard let slash = path.lastIndex(of: "/") else { return try exists(path, in: ".") }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return try exists(String(path[path.index(after: slash)...]), in: directory)
    }

    /// Opens the file at `path`, runs `body` on it and closes it, also when `body` throws (then
    /// `body`'s error is the one reported).
    func withFile<R>(_ path: String, create: Bool = false, _ body: (OpenFile) throws(CommitLogError) -> R)
        throws(CommitLogError) -> R
    {
        let file = try open(path, create: create)
        let result: Result<R, CommitLogError>
        do {
            result = .success(try body(file))
        } catch {
            result = .failure(error)
        }
        do {
            try close(file)
        } catch {
            // A failed body's error says more than the close that followed it.
            if case .failure(let first) = result { throw first }
            throw error
        }
        return try result.get()
    }

    /// Reads `count` bytes at `offset` of the file at `path` into the start of `buffer` (grown
    /// to `count` if shorter) with `pread(2)`; returns how many were read, fewer only where the
    /// file ends.
    func read(_ path: String, at offset: Int64, count: Int, into buffer: inout [UInt8]) throws(CommitLogError) -> Int {
        if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
        return try withFile(path) { (file) throws(CommitLogError) in
            let outcome: Result<Int, SystemError> = buffer.withUnsafeMutableBytes { raw in
                do throws(SystemError) {
                    return .success(
                        try fs.read(file, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<count])))
                } catch {
                    return .failure(error)
                }
            }
            return try wrap { () throws(SystemError) in try outcome.get() }
        }
    }

    /// Exactly `count` bytes at `offset` of the file at `path`; a file that ends first is
    /// ``CommitLogError/missingData(file:expectedBytes:foundBytes:)``.
    func readExactly(_ path: String, at offset: Int64, count: Int) throws(CommitLogError) -> [UInt8] {
        var bytes: [UInt8] = []
        let got = try read(path, at: offset, count: count, into: &bytes)
        guard got == count else {
            throw .missingData(file: path, expectedBytes: offset + Int64(count), foundBytes: offset + Int64(got))
        }
        return bytes
    }

    /// The whole file at `path`.
    func readAll(_ path: String) throws(CommitLogError) -> [UInt8] {
        let file = try open(path, create: false)
        let bytes = try read(file, at: 0, count: Int(try size(of: file)))
        try close(file)
        return bytes
    }

    /// The size of the file at `path`.
    func size(ofPath path: String) throws(CommitLogError) -> Int64 {
        let file = try open(path, create: false)
        let bytes = try size(of: file)
        try close(file)
        return bytes
    }

    /// `mkdir -p`, syncing each parent that gained an entry.
    func makeDirectories(_ path: String) throws(CommitLogError) {
        // An absolute path grows from "/", a relative one from the working directory.
        let absolute = path.hasPrefix("/")
        var prefix = absolute ? "" : "."
        for part in path.split(separator: "/") where part != "." {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/\(part)"
            if try exists(String(part), in: parent) { continue }
            try wrap { () throws(SystemError) in try fs.makeDirectory(prefix) }
            try syncDirectory(parent)
        }
    }

    /// Replaces the file at `path` atomically (``FileSystem/replaceAtomically(_:at:)``).
    func replaceAtomically(_ bytes: [UInt8], path: String) throws(CommitLogError) {
        try wrap { () throws(SystemError) in try fs.replaceAtomically(bytes, at: path) }
    }

    /// Removes the temporary files an interrupted replace left in `directory`.
    func removeTemporaryFiles(in directory: String) throws(CommitLogError) {
        _ = try wrap { () throws(SystemError) in try fs.removeTemporaryFiles(in: directory) }
    }

    /// Removes every file in `directory` and syncs it.
    func removeFiles(in directory: String) throws(CommitLogError) {
        let names = try list(directory)
        for name in names { try unlink("\(directory)/\(name)") }
        if !names.isEmpty { try syncDirectory(directory) }
    }

    private func wrap<R>(_ body: () throws(SystemError) -> R) throws(CommitLogError) -> R {
        do {
            return try body()
        } catch {
            throw .fileSystem(error)
        }
    }
}
