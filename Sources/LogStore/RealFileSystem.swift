import Glibc

/// The ``FileSystem`` backed by the operating system through Glibc. Stateless, so one
/// instance may be shared; each call maps to the C function named in its documentation.
public final class RealFileSystem: FileSystem, Sendable {
    public init() {}

    public func open(_ path: String, create: Bool) throws(FileSystemError) -> OpenFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        while true {
            let fd = Glibc.open(path, flags, mode_t(0o644))
            if fd >= 0 { return OpenFile(descriptor: fd, path: path) }
            if errno != EINTR { throw FileSystemError(.open, path: path, errno: errno) }
        }
    }

    public func close(_ file: OpenFile) throws(FileSystemError) {
        // Linux releases the descriptor even when close reports EINTR; never retry.
        if Glibc.close(file.descriptor) != 0 && errno != EINTR {
            throw FileSystemError(.close, path: file.path, errno: errno)
        }
    }

    public func write(_ file: OpenFile, at offset: Int64, bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(file.descriptor, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                throw FileSystemError(.write, path: file.path, errno: ENOSPC)
            } else if errno != EINTR {
                throw FileSystemError(.write, path: file.path, errno: errno)
            }
        }
    }

    public func read(_ file: OpenFile, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer)
        throws(FileSystemError) -> Int
    {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(file.descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw FileSystemError(.read, path: file.path, errno: errno)
            }
        }
        return done
    }

    public func sync(_ file: OpenFile) throws(FileSystemError) {
        // No EINTR loop: fdatasync is not interrupted by signals on Linux, and any failure
        // means the page cache may already have dropped the dirty pages.
        if fdatasync(file.descriptor) != 0 { throw FileSystemError(.sync, path: file.path, errno: errno) }
    }

    public func truncate(_ file: OpenFile, to size: Int64) throws(FileSystemError) {
        while ftruncate(file.descriptor, off_t(size)) != 0 {
            if errno != EINTR { throw FileSystemError(.truncate, path: file.path, errno: errno) }
        }
    }

    public func allocate(_ file: OpenFile, size: Int64) throws(FileSystemError) {
        let code = posix_fallocate(file.descriptor, 0, off_t(size))
        if code == 0 { return }
        if code == EOPNOTSUPP || code == EINVAL {
            // The file system cannot reserve blocks: a sparse extension reads the same.
            if try self.size(of: file) < size { try truncate(file, to: size) }
            return
        }
        throw FileSystemError(.allocate, path: file.path, errno: code)
    }

    public func size(of file: OpenFile) throws(FileSystemError) -> Int64 {
        var info = stat()
        if fstat(file.descriptor, &info) != 0 { throw FileSystemError(.size, path: file.path, errno: errno) }
        return Int64(info.st_size)
    }

    public func rename(_ source: String, to destination: String) throws(FileSystemError) {
        if Glibc.rename(source, destination) != 0 {
            throw FileSystemError(.rename, path: "\(source) -> \(destination)", errno: errno)
        }
    }

    public func unlink(_ path: String) throws(FileSystemError) {
        if Glibc.unlink(path) != 0 { throw FileSystemError(.unlink, path: path, errno: errno) }
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(path) else { throw FileSystemError(.listDirectory, path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw FileSystemError(.listDirectory, path: path, errno: errno) }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw FileSystemError(.syncDirectory, path: path, errno: errno) }
        defer { Glibc.close(fd) }
        if fsync(fd) != 0 { throw FileSystemError(.syncDirectory, path: path, errno: errno) }
    }

    public func makeDirectory(_ path: String) throws(FileSystemError) {
        if mkdir(path, mode_t(0o755)) != 0 && errno != EEXIST {
            throw FileSystemError(.makeDirectory, path: path, errno: errno)
        }
    }
}
