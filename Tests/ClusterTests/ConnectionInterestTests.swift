import Posix
import Testing

@testable import Server

/// The loop watches a connection for writability exactly while bytes wait: a partial write
/// must start watching (or the rest would sit until the next send), a completed one must stop
/// (a level-triggered writable socket would wake the loop every turn), and nothing else may
/// cost an epoll call.
@Suite struct ConnectionInterestTests {
    private func connection() -> Connection {
        Connection(socket: Socket(fd: -1), id: 1, label: "test", maxFrameBytes: 1 << 20, maxOutboundBytes: 1 << 20)
    }

    @Test func writabilityIsWatchedExactlyWhileBytesWait() {
        let connection = connection()
        #expect(connection.interestChange(afterFlush: true) == nil, "idle and done: no change")
        #expect(connection.interestChange(afterFlush: false) == [.readable, .writable], "a partial write")
        #expect(connection.interestChange(afterFlush: false) == nil, "still waiting: already watched")
        #expect(connection.interestChange(afterFlush: true) == .readable, "drained: stop watching")
        #expect(connection.interestChange(afterFlush: true) == nil)
    }
}
