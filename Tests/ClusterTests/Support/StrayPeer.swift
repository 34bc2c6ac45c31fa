import Bytes
import LedgerConfig
import Posix
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// A process that is not a member, speaking raw Wire frames to a node's port: what an attacker
/// who read the config files (group and node names) could send. Blocking socket, test code only.
final class StrayPeer {
    let socket: Socket
    private var decoder = FrameDecoder()
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(connectingTo peer: Peer) throws {
        let address = SocketAddress(host: peer.host, port: peer.port)
        socket = try Socket.connect(to: address, nonBlocking: false).socket
    }

    deinit { socket.close() }

    /// Writes `messages` as frames in one write, so the node reads them in one turn.
    func send(_ messages: [WireMessage]) throws {
        var writer = ByteWriter()
        for message in messages {
            try WireCodec.encode(message, requestID: 1, into: &writer)
        }
        try socket.writeAll(writer.bytes)
    }

    /// The next message from the node, or nil when it closes the connection or `timeout` passes.
    func receive(timeout: Duration = .seconds(5)) throws -> WireMessage? {
        let deadline = ContinuousClock().now + timeout
        while true {
            if let frame = try decoder.next() { return try WireCodec.decode(frame) }
            guard try readSome(until: deadline) else { return nil }
        }
    }

    /// Whether the node closes the connection within `timeout`, discarding whatever it sends first.
    func closedByNode(within timeout: Duration = .seconds(5)) throws -> Bool {
        let deadline = ContinuousClock().now + timeout
        while ContinuousClock().now < deadline {
            let remaining = deadline - ContinuousClock().now
            let ready: Int16 = try socket.wait(for: Int16(POLLIN), timeout: remaining)
            if ready == 0 { return false }
            do {
                switch try socket.read(into: &buffer, at: 0) {
                case .closed: return true
                case .bytes, .wouldBlock: continue
                }
            } catch  where error.errno == ECONNRESET {
                return true
            }
        }
        return false
    }

    /// Reads what arrives before `deadline` into the decoder; false on close or timeout.
    private func readSome(until deadline: ContinuousClock.Instant) throws -> Bool {
        let remaining = deadline - ContinuousClock().now
        let ready: Int16 = try socket.wait(for: Int16(POLLIN), timeout: remaining)
        if ready == 0 { return false }
        switch try socket.read(into: &buffer, at: 0) {
        case .bytes(let count):
            decoder.feed(buffer[0..<count])
            return true
        case .closed, .wouldBlock:
            return false
        }
    }
}
