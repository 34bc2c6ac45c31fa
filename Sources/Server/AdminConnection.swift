import Admin
import Posix

/// One nonblocking connection to the admin HTTP port: bytes read feed an HTTP request parser;
/// answers wait in one buffer until the socket takes them. Pipelined requests are answered in
/// order. While more than ``maxPendingBytes`` wait, the connection stops parsing and reading,
/// and it never holds more than ``maxBufferedBytes`` of requests unread by the parser (a client
/// that sends requests but never reads answers cannot grow the node's memory).
final class AdminConnection {
    let socket: Socket
    /// Unique for the life of the process.
    let id: UInt64
    var parser = HTTPRequestParser()
    private var pending: [UInt8] = []
    private var written = 0
    /// Set once the answer that ends the connection is queued: close when it is written.
    var closeWhenFlushed = false
    /// What the loop watches this socket for now.
    var interest: Interest = .readable
    /// False once closed: nothing may be written to or closed on it again.
    var isOpen = true
    /// When it last had something to do, in the server's count of admin events: the connection
    /// idle longest is the one a new connection replaces when the port is full.
    var lastActive: UInt64 = 0

    /// Answer bytes beyond which requests already read wait before being parsed.
    static let maxPendingBytes = 256 << 10

    init(socket: Socket, id: UInt64) {
        self.socket = socket
        self.id = id
    }

    /// Bytes queued and not yet written.
    var pendingBytes: Int { pending.count - written }

    /// Whether answers wait beyond ``maxPendingBytes``: read and parse nothing more until they drain.
    var isBackedUp: Bool { pendingBytes >= Self.maxPendingBytes }

    /// Unparsed bytes beyond which reading waits until the parser's requests are answered.
    static let maxBufferedBytes = 64 << 10

    /// Reads what is available (up to ``maxBufferedBytes`` unparsed) into the parser, through
    /// `scratch`, the event loop's one read buffer. Returns false when the client closed its side.
    func read(using scratch: inout [UInt8]) throws(SystemError) -> Bool {
        while !parser.isFinished && parser.bufferedByteCount < Self.maxBufferedBytes {
            switch try socket.read(into: &scratch, at: 0) {
            case .bytes(let count):
                parser.feed(scratch[..<count])
                if count < scratch.count { return true }
            case .wouldBlock:
                return true
            case .closed:
                return false
            }
        }
        return true
    }

    /// Queues one encoded answer.
    func queue(_ bytes: [UInt8]) {
        if written == pending.count {
            pending.removeAll(keepingCapacity: true)
            written = 0
        }
        pending += bytes
    }

    /// Writes what the socket takes. Returns true when nothing is left.
    func flush() throws(SystemError) -> Bool {
        while written < pending.count {
            let start = written
            let count = try pending.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            }.get()
            if count == 0 { return false }
            written += count
        }
        return true
    }
}
