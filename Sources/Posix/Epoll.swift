import CShim

#if canImport(Glibc)
    import Glibc
#endif

/// Readiness a descriptor is watched for, and reported with.
public struct Interest: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = Interest(rawValue: EPOLLIN.rawValue)
    public static let writable = Interest(rawValue: EPOLLOUT.rawValue)
    /// Reported only: the peer hung up or the descriptor failed.
    public static let hangup = Interest(rawValue: EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue)
}

/// An epoll instance (level-triggered). The C functions are `epoll_create1`, `epoll_ctl` and
/// `epoll_wait`.
struct Epoll {
    let fd: Int32
    private var events: [epoll_event]

    init(capacity: Int = 256) throws(SystemError) {
        fd = try retryingInterrupts("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = Array(repeating: epoll_event(), count: capacity)
    }

    func add(_ target: Int32, _ interest: Interest) throws(SystemError) {
        try control(EPOLL_CTL_ADD, target, interest)
    }

    func modify(_ target: Int32, _ interest: Interest) throws(SystemError) {
        try control(EPOLL_CTL_MOD, target, interest)
    }

    func remove(_ target: Int32) throws(SystemError) {
        try control(EPOLL_CTL_DEL, target, [])
    }

    private func control(_ operation: Int32, _ target: Int32, _ interest: Interest) throws(SystemError) {
        var event = cshim_epoll_event(interest.rawValue | EPOLLRDHUP.rawValue, target)
        _ = try retryingInterrupts("epoll_ctl", subject: "fd \(target)") { epoll_ctl(fd, operation, target, &event) }
    }

    /// Waits up to `timeoutMs` (-1: forever) and returns the ready descriptors with what they are ready for.
    mutating func wait(timeoutMs: Int32) throws(SystemError) -> [(fd: Int32, readiness: Interest)] {
        let capacity = Int32(events.count)
        let count = try events.withUnsafeMutableBufferPointer { (buffer) throws(SystemError) -> Int32 in
            while true {
                let n = epoll_wait(fd, buffer.baseAddress, capacity, timeoutMs)
                if n >= 0 { return n }
                let code = cshim_errno()
                if code == EINTR { return 0 }
                throw SystemError("epoll_wait", errno: code)
            }
        }
        var ready: [(fd: Int32, readiness: Interest)] = []
        ready.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            var event = events[i]
            ready.append((cshim_epoll_event_fd(&event), Interest(rawValue: event.events)))
        }
        return ready
    }

    func close() { _ = Glibc.close(fd) }
}
