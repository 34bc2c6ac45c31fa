import Posix

#if canImport(Glibc)
    import Glibc
#endif

// Small files replaced whole (the log store's hard state and checkpoint, the message store's
// checkpoint): the one way this project writes a file that must never be seen half-written.
extension FileSystem {
    /// Replaces the file at `path` atomically: writes `<path>.tmp`, fdatasyncs it, renames it
    /// over `path`, fsyncs the directory. After a crash at any point, `path` holds either the old
    /// or the new bytes (plus perhaps a stale `.tmp`, which ``removeTemporaryFiles(in:)``
    /// deletes). Durable once it returns. A failed write or sync closes the temporary file
    /// again (a full disk may refuse the same replacement many times) and throws that failure.
    public func replaceAtomically(_ bytes: [UInt8], at path: String) throws(SystemError) {
        let temporary = "\(path).tmp"
        let handle = try open(temporary, create: true)
        do {
            try truncate(handle, to: 0)
            try write(handle, at: 0, bytes)
            try sync(handle)
        } catch {
            // The write's failure is the one to report; a close that fails too changes nothing.
            do { try close(handle) } catch {}
            throw error
        }
        try close(handle)
        try rename(temporary, to: path)
        try syncDirectory(parentDirectory(of: path))
    }

    /// The whole file at `path`, or nil if it does not exist.
    public func readIfPresent(_ path: String) throws(SystemError) -> [UInt8]? {
        let handle: OpenFile
        do {
            handle = try open(path, create: false)
        } catch  where error.errno == ENOENT {
            return nil
        }
        let size = try size(of: handle)
        let bytes = try read(handle, at: 0, count: Int(size))
        try close(handle)
        return bytes
    }

    /// Unlinks the `*.tmp` files an interrupted ``replaceAtomically(_:at:)`` left in
    /// `directory`, syncs the directory if there were any, and returns their names.
    public func removeTemporaryFiles(in directory: String) throws(SystemError) -> [String] {
        let leftovers = try listDirectory(directory).filter { $0.hasSuffix(".tmp") }
        for name in leftovers { try unlink("\(directory)/\(name)") }
        if !leftovers.isEmpty { try syncDirectory(directory) }
        return leftovers
    }
}
