import Glibc

/// Small files replaced atomically: write `<name>.tmp`, fdatasync it, rename it over `<name>`,
/// fsync the directory. A crash at any point leaves either the old or the new file under
/// `<name>` (plus perhaps a stale `.tmp`, which ``removeTemporaryFiles(in:_:)`` deletes).
enum AtomicFile {
    static func write(_ bytes: [UInt8], name: String, in directory: String, _ fs: any FileSystem)
        throws(FileSystemError)
    {
        let temporary = "\(directory)/\(name).tmp"
        // On failure the descriptor stays open: the caller fails the whole store anyway.
        let handle = try fs.open(temporary, create: true)
        try fs.truncate(handle, to: 0)
        try fs.write(handle, at: 0, bytes)
        try fs.sync(handle)
        try fs.close(handle)
        try fs.rename(temporary, to: "\(directory)/\(name)")
        try fs.syncDirectory(directory)
    }

    /// The file's bytes, or nil if it does not exist.
    static func read(name: String, in directory: String, _ fs: any FileSystem) throws(FileSystemError) -> [UInt8]? {
        let handle: OpenFile
        do {
            handle = try fs.open("\(directory)/\(name)", create: false)
        } catch  where error.errno == ENOENT {
            return nil
        }
        let size = try fs.size(of: handle)
        let bytes = try fs.read(handle, at: 0, count: Int(size))
        try fs.close(handle)
        return bytes
    }

    /// Unlinks leftover `*.tmp` files in `directory` and returns their names.
    static func removeTemporaryFiles(in directory: String, _ fs: any FileSystem) throws(FileSystemError) -> [String] {
        let leftovers = try fs.listDirectory(directory).filter { $0.hasSuffix(".tmp") }
        for name in leftovers { try fs.unlink("\(directory)/\(name)") }
        if !leftovers.isEmpty { try fs.syncDirectory(directory) }
        return leftovers
    }
}
