import Posix

/// The ``FileSystem`` backed by the operating system. Stateless, so one instance may be shared;
/// each call is one of Posix's wrappers (`FileDescriptor`, `Directory`), named after the C
/// function in the protocol's documentation.
public final class RealFileSystem: FileSystem, Sendable {
    public init() {}

    public func open(_ path: String, create: Bool) throws(SystemError) -> OpenFile {
        let file = try FileDescriptor.open(path, create: create)
        return OpenFile(descriptor: file.rawValue, path: file.path)
    }

    public func close(_ file: OpenFile) throws(SystemError) {
        try descriptor(file).close()
    }

    public func write(_ file: OpenFile, at offset: Int64, bytes: UnsafeRawBufferPointer) throws(SystemError) {
        try descriptor(file).write(bytes, at: offset)
    }

    public func read(_ file: OpenFile, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer)
        throws(SystemError) -> Int
    {
        try descriptor(file).read(into: buffer, at: offset)
    }

    public func sync(_ file: OpenFile) throws(SystemError) {
        try descriptor(file).synchronizeData()
    }

    public func truncate(_ file: OpenFile, to size: Int64) throws(SystemError) {
        try descriptor(file).truncate(to: size)
    }

    public func allocate(_ file: OpenFile, size: Int64) throws(SystemError) {
        try descriptor(file).allocate(size: size)
    }

    public func size(of file: OpenFile) throws(SystemError) -> Int64 {
        try descriptor(file).size()
    }

    public func rename(_ source: String, to destination: String) throws(SystemError) {
        try Directory.rename(source, to: destination)
    }

    public func unlink(_ path: String) throws(SystemError) {
        try Directory.unlink(path)
    }

    public func listDirectory(_ path: String) throws(SystemError) -> [String] {
        try Directory.list(path)
    }

    public func syncDirectory(_ path: String) throws(SystemError) {
        try Directory.sync(path)
    }

    public func makeDirectory(_ path: String) throws(SystemError) {
        try Directory.make(path)
    }

    private func descriptor(_ file: OpenFile) -> FileDescriptor {
        FileDescriptor(rawValue: file.descriptor, path: file.path)
    }
}
