#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads configuration files: small UTF-8 text files.
enum ConfigFile {
    /// A config file larger than this is certainly a mistake (a log or a data file).
    static let maxBytes = 1 << 20

    /// The whole file as text. Throws when it cannot be opened or read, is over ``maxBytes``,
    /// or is not UTF-8.
    static func readText(path: String) throws(ConfigError) -> String {
        func failure(_ problem: ConfigError.Problem) -> ConfigError {
            ConfigError(source: path, line: nil, problem: problem)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(.unreadable(String(cString: strerror(errno)))) }
        // Closing a descriptor that was only read from cannot lose data, so its result is not needed.
        defer { _ = close(fd) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(.unreadable(String(cString: strerror(errno))))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxBytes {
                throw failure(.unreadable("larger than \(maxBytes >> 20) MiB; is this a config file?"))
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure(.notUTF8) }
        return text
    }
}
