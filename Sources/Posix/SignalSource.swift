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
}
