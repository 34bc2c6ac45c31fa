#if canImport(Glibc)
    import Glibc
#endif

/// Unbuffered writes to stdout and stderr, so each line leaves at once (a pipe reader sees every
/// committed index as it happens) and the two streams stay in order.
package enum Console {
    /// Writes `text` and a newline to stdout.
    package static func out(_ text: String) { write(Array("\(text)\n".utf8), to: 1) }

    /// Writes `bytes` as they are to stdout.
    package static func outRaw(_ bytes: [UInt8]) { write(bytes, to: 1) }

    /// Writes `text` and a newline to stderr.
    package static func error(_ text: String) { write(Array("\(text)\n".utf8), to: 2) }

    private static func write(_ bytes: [UInt8], to fd: Int32) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            // A closed or failing stdout (e.g. `| head`) leaves nobody to tell: stop writing.
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            written += count
        }
    }
}
