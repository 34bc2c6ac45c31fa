import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// The group's shared secret, read from the file `clusterSecretFile` names. Peers prove they
/// know it (HMAC-SHA256 challenge–response) before any of their Raft messages is accepted;
/// every node of a group must read the same bytes.
///
/// The secret is the file's bytes exactly, a trailing newline included. It never appears in a
/// description, a log line or a mirror: only its length does.
public struct ClusterSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Fewer bytes than this are refused: 16 random bytes (128 bits) resist guessing.
    public static let minimumByteCount = 16
    /// More bytes than this are refused: a secret file that large is the wrong file.
    public static let maximumByteCount = 4096

    /// The secret. At least ``minimumByteCount`` and at most ``maximumByteCount`` bytes.
    public let bytes: [UInt8]

    /// A secret of `bytes`; their count must be within the limits (a programmer error otherwise:
    /// files are checked by ``load(path:)``).
    public init(bytes: [UInt8]) {
        precondition(
            (ClusterSecret.minimumByteCount...ClusterSecret.maximumByteCount).contains(bytes.count),
            "a cluster secret of \(bytes.count) bytes")
        self.bytes = bytes
    }

    /// Why a secret file cannot be used.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// There is no file at the path.
        case missing
        /// It could not be opened or read; the text is the operating system's reason.
        case unreadable(String)
        /// It is a directory, a device, a socket or a pipe.
        case notRegularFile
        /// Group or others have some access to it: these permission bits (e.g. `0o644`).
        case exposed(permissions: UInt32)
        /// It is empty.
        case empty
        /// It holds fewer than ``ClusterSecret/minimumByteCount`` bytes: this many.
        case tooShort(byteCount: Int)
        /// It holds more than ``ClusterSecret/maximumByteCount`` bytes: this many.
        case tooLong(byteCount: Int64)

        public var description: String {
            switch self {
            case .missing:
                "does not exist"
            case .unreadable(let reason):
                "cannot be read: \(reason)"
            case .notRegularFile:
                "is not a regular file"
            case .exposed(let permissions):
                "is accessible to group or others (mode 0\(String(permissions, radix: 8))); "
                    + "make it readable by its owner only (chmod 600)"
            case .empty:
                "is empty; it must hold at least \(ClusterSecret.minimumByteCount) random bytes"
            case .tooShort(let count):
                "holds \(count) bytes; it must hold at least \(ClusterSecret.minimumByteCount) random bytes"
            case .tooLong(let count):
                "holds \(count) bytes; a secret file holds at most \(ClusterSecret.maximumByteCount) (is it the right file?)"
            }
        }
    }

    /// Reads the secret file at `path`: a regular file, readable by its owner only
    /// (`mode & 0o077 == 0`, checked before a byte is read), of 16 to 4096 bytes.
    public static func load(path: String) throws(Problem) -> ClusterSecret {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.openReadOnly(path)
        } catch {
            throw error.errno == ENOENT ? .missing : .unreadable(error.reason)
        }
        // A descriptor that was only read from loses nothing when its close fails.
        defer { _ = Glibc.close(file.rawValue) }
        let status: FileStatus
        do {
            status = try file.status()
        } catch {
            throw .unreadable(error.reason)
        }
        guard status.isRegularFile else { throw .notRegularFile }
        guard status.permissions & 0o077 == 0 else { throw .exposed(permissions: status.permissions) }
        guard status.size <= Int64(maximumByteCount) else { throw .tooLong(byteCount: status.size) }
        // One byte more than allowed, so a file that grew since fstat is still caught.
        var buffer = [UInt8](repeating: 0, count: maximumByteCount + 1)
        let read: Result<Int, SystemError> = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SystemError) in try file.read(into: raw, at: 0) }
        }
        let bytes: [UInt8]
        switch read {
        case .success(let count): bytes = Array(buffer[0..<count])
        case .failure(let error): throw .unreadable(error.reason)
        }
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count >= minimumByteCount else { throw .tooShort(byteCount: bytes.count) }
        guard bytes.count <= maximumByteCount else { throw .tooLong(byteCount: Int64(bytes.count)) }
        return ClusterSecret(bytes: bytes)
    }

    /// `cluster secret (32 bytes)`: never the bytes.
    public var description: String { "cluster secret (\(bytes.count) bytes)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["byteCount": bytes.count]) }
}
