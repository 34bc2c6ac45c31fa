import CShim

#if canImport(Glibc)
    import Glibc
#endif

/// Delivers SIGTERM and SIGINT through a descriptor the event loop can watch (signalfd), instead
/// of an asynchronous handler. Create it on the main thread before starting other threads, so
/// they inherit the blocked mask.
public struct SignalSource: Sendable {
    /// Readable when a signal is pending.
    public let fd: Int32

    public init(signals: [Int32] = [SIGTERM, SIGINT]) throws(SystemError) {
        let fd = signals.withUnsafeBufferPointer { cshim_signalfd($0.baseAddress, Int32($0.count)) }
        if fd < 0 { throw SystemError("signalfd", subject: "signals \(signals)", errno: cshim_errno()) }
        self.fd = fd
    }

    /// The signals that arrived since the last call.
    public func drain() -> [Int32] {
        var received: [Int32] = []
        while true {
            let signal = cshim_signalfd_read(fd)
            if signal < 0 { return received }
            received.append(signal)
        }
    }

    /// Waits up to `timeout` for a signal and returns those that arrived (empty when none did),
    /// so a loop with nothing else to wait on can sleep and still stop at once. `ppoll(2)`.
    public func wait(timeout: Duration) throws(SystemError) -> [Int32] {
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        var revents: Int16 = 0
        let fd = self.fd
        _ = try retryingInterrupts("ppoll") { cshim_poll_one(fd, Int16(POLLIN), nanoseconds, &revents) }
        return drain()
    }
}
