#if canImport(Glibc)
    import Glibc
#endif

/// The operating system's cryptographically secure random bytes, read from `/dev/urandom`.
///
/// For secrets and nonces only (peer authentication challenges, generated cluster secrets).
/// Never for anything that must replay: the Raft core, the replica and the simulator draw from
/// seeded generators and never call this.
public enum SystemRandom {
    /// The device read; on Linux it never blocks once the kernel's pool is initialised at boot.
    static let devicePath = "/dev/urandom"

    /// `count` random bytes. Throws when `/dev/urandom` cannot be opened or read, or ends early.
    public static func bytes(count: Int) throws(SystemError) -> [UInt8] {
        precondition(count >= 0, "a negative number of random bytes")
        let file = try FileDescriptor.openReadOnly(devicePath)
        defer {
            // A descriptor that was only read from loses nothing when its close fails.
            _ = Glibc.close(file.rawValue)
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try retryingInterrupts("read", subject: devicePath) {
                bytes.withUnsafeMutableBytes { read(file.rawValue, $0.baseAddress! + filled, count - filled) }
            }
            guard n > 0 else { throw SystemError("read", subject: devicePath, errno: EIO) }
            filled += n
        }
        return bytes
    }
}
