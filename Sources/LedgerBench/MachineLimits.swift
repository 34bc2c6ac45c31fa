import LedgerClient
import Posix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// This machine's raw limits for what a replicated log does: durable small writes, durable
/// sequential bandwidth, and a loopback round trip. `ledger bench --limits` measures them in the
/// same run as the load, so the load's figures can be read as fractions of what the hardware
/// gives (the approach of `bench-store`, on plain system calls).
struct MachineLimits: Sendable, Hashable {
    /// `pwrite` of 1 KiB at increasing offsets of a new file + `fdatasync`, per second.
    var fdatasyncPerSecond: Double
    /// `pwrite` of 1 MiB at increasing offsets + `fdatasync`, in 10^6 bytes per second.
    var sequentialWriteMBps: Double
    /// The median round trip of 64 bytes over a loopback TCP connection, in microseconds.
    var loopbackRttMicros: Double

    /// The least latency one request can have: client to leader and back (one round trip), the
    /// leader to a follower and back (another), one fdatasync (the leader's and the follower's
    /// run in parallel), in milliseconds.
    var sequentialFloorMs: Double { 2 * loopbackRttMicros / 1000 + 1000 / fdatasyncPerSecond }

    /// Measures all three, each for about `seconds`, with scratch files in `directory` (removed
    /// afterwards).
    static func measure(in directory: String, seconds: Double = 1.5) throws(SystemError) -> MachineLimits {
        let small = try syncedWrites(in: directory, blockSize: 1024, seconds: seconds)
        let large = try syncedWrites(in: directory, blockSize: 1 << 20, seconds: seconds)
        let rtt = try loopbackRoundTrip(seconds: seconds)
        return MachineLimits(
            fdatasyncPerSecond: small, sequentialWriteMBps: large * Double(1 << 20) / 1e6, loopbackRttMicros: rtt)
    }

    /// Writes of `blockSize` bytes, each followed by `fdatasync`, per second.
    static func syncedWrites(in directory: String, blockSize: Int, seconds: Double) throws(SystemError) -> Double {
        let path = "\(directory)/limits-\(getpid())-\(blockSize)"
        let fd = try retryingInterrupts("open", subject: path) {
            open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0xA5, count: blockSize)
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        var operations = 0
        while clock.now < end {
            var written = 0
            while written < blockSize {
                let count = try retryingInterrupts("pwrite", subject: path) {
                    block.withUnsafeBytes { raw in
                        pwrite(
                            fd, raw.baseAddress! + written, blockSize - written, off_t(operations * blockSize + written)
                        )
                    }
                }
                written += count
            }
            _ = try retryingInterrupts("fdatasync", subject: path) { fdatasync(fd) }
            operations += 1
        }
        return Double(operations) / start.duration(to: clock.now).seconds
    }

    /// The median round trip, in microseconds, of a 64-byte ping answered by an echo thread over
    /// a loopback TCP connection (TCP_NODELAY both ways), repeated for `seconds`.
    static func loopbackRoundTrip(seconds: Double) throws(SystemError) -> Double {
        let listener = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let port = try listener.localPort()
        let (client, inProgress) = try Socket.connect(
            to: SocketAddress(host: "127.0.0.1", port: port), nonBlocking: true)
        defer { client.close() }
        if inProgress { try client.waitUntil(writable: true, timeoutMs: 5000) }
        var accepted: Socket?
        while accepted == nil {
            guard try listener.waitUntil(writable: false, timeoutMs: 5000) else {
                throw SystemError("accept", subject: "loopback port \(port)", errno: ETIMEDOUT)
            }
            accepted = try listener.accept()
        }
        let server = accepted!
        try client.setNoDelay()
        try server.setNoDelay()
        let stop = Atomic<Bool>(false)
        let echoFailure = Mutex<SystemError?>(nil)
        let echoDone = Atomic<Bool>(false)
        spawnThread(name: "loopback echo") {
            var buffer = [UInt8](repeating: 0, count: 64)
            do throws(SystemError) {
                while !stop.load(ordering: .relaxed) {
                    guard try exchange(server, &buffer, send: false) else { break }
                    _ = try exchange(server, &buffer, send: true)
                }
            } catch {
                echoFailure.withLock { $0 = error }
            }
            echoDone.store(true, ordering: .releasing)
        }
        var histogram = LatencyHistogram()
        var ping = [UInt8](repeating: 0x42, count: 64)
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        var failure: SystemError?
        do throws(SystemError) {
            while clock.now < end {
                let sent = clock.now
                _ = try exchange(client, &ping, send: true)
                guard try exchange(client, &ping, send: false) else {
                    throw SystemError("read", subject: "loopback echo", errno: ECONNRESET)
                }
                histogram.record(UInt64(sent.duration(to: clock.now).nanoseconds))
            }
        } catch {
            failure = error
        }
        stop.store(true, ordering: .relaxed)
        // Shutting the client down wakes the echo thread's read with end of stream.
        shutdown(client.fd, Int32(SHUT_RDWR))
        while !echoDone.load(ordering: .acquiring) { pause(.milliseconds(1)) }
        server.close()
        if let failure { throw failure }
        if let echoError = echoFailure.withLock({ $0 }) { throw echoError }
        return Double(histogram.value(atPercentile: 50)) / 1000
    }

    /// Sends all of `buffer`, or reads exactly `buffer.count` bytes into it, waiting with
    /// `poll(2)` on the non-blocking socket. A read returns false at end of stream.
    private static func exchange(_ socket: Socket, _ buffer: inout [UInt8], send: Bool) throws(SystemError) -> Bool {
        var done = 0
        while done < buffer.count {
            if send {
                let count = try buffer.withUnsafeBytes { raw in
                    Result { () throws(SystemError) -> Int in
                        try socket.write(UnsafeRawBufferPointer(rebasing: raw[done...]))
                    }
                }.get()
                if count == 0 { try socket.waitUntil(writable: true, timeoutMs: 1000) }
                done += count
            } else {
                switch try socket.read(into: &buffer, at: done) {
                case .bytes(let count):
                    done += count
                case .wouldBlock:
                    try socket.waitUntil(writable: false, timeoutMs: 1000)
                case .closed:
                    return false
                }
            }
        }
        return true
    }
}
