import CShim

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket file descriptor (IPv4). A plain handle: copies share the descriptor and
/// ``close()`` must be called exactly once.
public struct Socket: Sendable, Hashable {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    /// What a read produced.
    public enum ReadResult: Sendable, Equatable {
        case bytes(Int)
        /// Nothing to read now (non-blocking socket).
        case wouldBlock
        /// The peer closed its side.
        case closed
    }

    private static func makeTCP(nonBlocking: Bool) throws(SystemError) -> Socket {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        return Socket(fd: try retryingInterrupts("socket") { Glibc.socket(AF_INET, type, 0) })
    }

    /// A non-blocking socket listening on `address` (SO_REUSEADDR). Port 0 picks a free port;
    /// ask ``localPort()`` which one.
    public static func listen(on address: SocketAddress, backlog: Int32 = 256) throws(SystemError) -> Socket {
        let socket = try makeTCP(nonBlocking: true)
        do {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            _ = try retryingInterrupts("bind", subject: address.description) {
                address.withSockAddr { Glibc.bind(socket.fd, $0, $1) }
            }
            _ = try retryingInterrupts("listen", subject: address.description) { Glibc.listen(socket.fd, backlog) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Starts connecting to `address`. A non-blocking socket usually returns before the
    /// connection is made (`inProgress`): wait until it is writable, then check ``pendingError()``.
    public static func connect(to address: SocketAddress, nonBlocking: Bool) throws(SystemError) -> (
        socket: Socket, inProgress: Bool
    ) {
        let socket = try makeTCP(nonBlocking: nonBlocking)
        let result = address.withSockAddr { Glibc.connect(socket.fd, $0, $1) }
        if result == 0 { return (socket, false) }
        let code = Glibc.errno
        if code == EINPROGRESS || code == EINTR { return (socket, true) }
        socket.close()
        throw SystemError("connect", subject: address.description, errno: code)
    }

    /// Accepts one pending connection as a non-blocking socket, or nil if none is waiting.
    public func accept() throws(SystemError) -> Socket? {
        while true {
            let client = cshim_accept_nonblocking(fd)
            if client >= 0 { return Socket(fd: client) }
            switch Glibc.errno {
            case EINTR: continue
            case EAGAIN, ECONNABORTED: return nil
            case let code: throw SystemError("accept", errno: code)
            }
        }
    }

    /// Reads up to `buffer.count - offset` bytes into `buffer[offset...]`.
    public func read(into buffer: inout [UInt8], at offset: Int) throws(SystemError) -> ReadResult {
        precondition(offset < buffer.count, "no room to read into")
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch Glibc.errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            case let code: throw SystemError("read", errno: code)
            }
        }
    }

    /// Writes what it can of `bytes` without blocking; returns how many were written (0 when
    /// the socket buffer is full). Never raises SIGPIPE.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        while true {
            let n = Glibc.send(fd, base, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            switch Glibc.errno {
            case EINTR: continue
            case EAGAIN: return 0
            case let code: throw SystemError("send", errno: code)
            }
        }
    }

    /// Writes all of `bytes`, waiting as needed (for blocking sockets).
    public func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in try write(UnsafeRawBufferPointer(rebasing: raw[written...])) }
            }
            let n = try result.get()
            if n == 0 { try waitUntil(writable: true, timeoutMs: -1) }
            written += n
        }
    }

    /// Blocks until the socket is readable (or writable) or `timeoutMs` passes (-1: forever).
    /// Returns false on timeout.
    @discardableResult
    public func waitUntil(writable: Bool, timeoutMs: Int32) throws(SystemError) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(writable ? POLLOUT : POLLIN), revents: 0)
        let ready = try retryingInterrupts("poll") { Glibc.poll(&poller, 1, timeoutMs) }
        return ready > 0
    }

    /// The error of a finished non-blocking connect (SO_ERROR); 0 when it succeeded.
    public func pendingError() -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { return Glibc.errno }
        return code
    }

    /// Disables Nagle's algorithm: small frames leave at once.
    public func setNoDelay() throws(SystemError) {
        try setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "TCP_NODELAY")
    }

    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws(SystemError) {
        var value = value
        _ = try retryingInterrupts("setsockopt", subject: label) {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// The local port (after binding to port 0).
    public func localPort() throws(SystemError) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try withUnsafeMutablePointer(to: &address) { (pointer) throws(SystemError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> Int32 in
                try retryingInterrupts("getsockname") { getsockname(fd, raw, &length) }
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The IPv4 address of the other end of a connected socket (`getpeername(2)`).
    public func peerAddress() throws(SystemError) -> SocketAddress {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try withUnsafeMutablePointer(to: &address) { (pointer) throws(SystemError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> Int32 in
                try retryingInterrupts("getpeername") { getpeername(fd, raw, &length) }
            }
        }
        let ip = UInt32(bigEndian: address.sin_addr.s_addr)
        let host = "\(ip >> 24).\(ip >> 16 & 0xFF).\(ip >> 8 & 0xFF).\(ip & 0xFF)"
        return SocketAddress(host: host, port: UInt16(bigEndian: address.sin_port))
    }

    /// Closes the descriptor. The C function is `close`; its errors are not actionable here.
    public func close() { _ = Glibc.close(fd) }
}

extension Socket {
    /// Waits up to `timeout` (nanosecond resolution) until the socket is ready for `events`
    /// (`POLLIN`, `POLLOUT`); returns the events that happened (`revents`), 0 on timeout. `ppoll(2)`.
    public func wait(for events: Int16, timeout: Duration) throws(SystemError) -> Int16 {
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        var revents: Int16 = 0
        let fd = self.fd
        let ready = try retryingInterrupts("ppoll") { cshim_poll_one(fd, events, nanoseconds, &revents) }
        return ready > 0 ? revents : 0
    }
}
