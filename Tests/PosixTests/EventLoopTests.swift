import Posix
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct EventLoopTests {
    @Test func echoesOverLoopbackThroughTheLoop() throws {
        let loop = try EventLoop()
        let listener = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let port = try listener.localPort()
        var accepted: [Socket] = []
        defer { accepted.forEach { $0.close() } }
        try loop.register(listener.fd, for: .readable) { _ in
            do {
                while let client = try listener.accept() {
                    accepted.append(client)
                    try loop.register(client.fd, for: .readable) { _ in
                        do {
                            var buffer = [UInt8](repeating: 0, count: 64)
                            if case .bytes(let n) = try client.read(into: &buffer, at: 0) {
                                try client.writeAll(Array(buffer[..<n]))
                            } else {
                                loop.deregister(client.fd)
                            }
                        } catch {
                            Issue.record("echo failed: \(error)")
                        }
                    }
                }
            } catch {
                Issue.record("accept failed: \(error)")
            }
        }
        let (client, _) = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), nonBlocking: false)
        defer { client.close() }
        try client.writeAll(Array("ping".utf8))
        var reply = [UInt8](repeating: 0, count: 4)
        var received = 0
        loop.schedule(after: .seconds(5)) { loop.stop() }
        var readError: (any Error)?
        try loop.run {
            do {
                if try client.waitUntil(writable: false, timeoutMs: 0),
                    case .bytes(let n) = try client.read(into: &reply, at: received)
                {
                    received += n
                }
            } catch {
                readError = error
            }
            return received == 4 || readError != nil
        }
        #expect(readError == nil)
        #expect(String(decoding: reply, as: UTF8.self) == "ping")
    }

    @Test func timersFireInDeadlineOrderAndCanBeCancelled() throws {
        let loop = try EventLoop()
        var fired: [Int] = []
        loop.schedule(after: .milliseconds(30)) { fired.append(3) }
        loop.schedule(after: .milliseconds(10)) { fired.append(1) }
        let cancelled = loop.schedule(after: .milliseconds(20)) { fired.append(2) }
        loop.cancel(cancelled)
        loop.schedule(after: .milliseconds(40)) { loop.stop() }
        try loop.run()
        #expect(fired == [1, 3])
    }

    @Test func aMailboxWakesTheLoopFromAnotherThread() throws {
        let loop = try EventLoop()
        let mailbox = try Mailbox<Int>()
        var received: [Int] = []
        try loop.register(mailbox.fd, for: .readable) { _ in received += mailbox.drain() }
        let poster = Thread { for i in 1...100 { mailbox.post(i) } }
        loop.schedule(after: .seconds(10)) { loop.stop() }
        try loop.run { received.count == 100 }
        poster.join()
        #expect(received == Array(1...100))
    }

    @Test func connectingToAClosedPortFailsWithTheAddress() throws {
        let listener = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        let port = try listener.localPort()
        listener.close()
        do {
            let (socket, _) = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), nonBlocking: false)
            socket.close()
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.description == "connect 127.0.0.1:\(port): Connection refused")
        }
    }

    @Test func addressesParseOnlyWhenWellFormed() {
        #expect(SocketAddress("127.0.0.1:40911") == SocketAddress(host: "127.0.0.1", port: 40911))
        #expect(SocketAddress("127.0.0.1") == nil)
        #expect(SocketAddress("127.0.0.1:0") == nil)
        #expect(SocketAddress("127.0.0.1:70000") == nil)
        #expect(SocketAddress("example.org:80") == nil)
    }
}

/// A joinable thread for tests (pthread), so no Foundation is needed.
final class Thread: @unchecked Sendable {
    private var handle = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let box = Unmanaged.passRetained(self)
        pthread_create(
            &handle, nil,
            { raw in
                let thread = Unmanaged<Thread>.fromOpaque(raw!).takeRetainedValue()
                thread.body()
                return nil
            }, box.toOpaque())
    }

    func join() { pthread_join(handle, nil) }
}
