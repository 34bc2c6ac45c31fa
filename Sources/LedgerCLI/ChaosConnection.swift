import LedgerConfig
import Posix
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Why one request to one node got no answer, split the way the chaos checker needs it: was the
/// request possibly received?
enum ChaosTransportFailure: Error, CustomStringConvertible {
    /// Nothing was sent (no connection could be made): the request certainly had no effect.
    case notSent(String)
    /// The request was sent, or may have been, but no answer came: it may have taken effect.
    case unanswered(String)
    /// The node answered with an error response.
    case refused(ErrorResponse)

    var description: String {
        switch self {
        case .notSent(let reason): "not sent: \(reason)"
        case .unanswered(let reason): "no answer: \(reason)"
        case .refused(let response): "\(response)"
        }
    }
}

/// One blocking connection to one node, one request at a time, with no retries and no leader
/// search: the chaos workload decides itself what a failed attempt means, and reads each
/// node's own committed log. (`LedgerClient` retries internally and reads only from the leader,
/// which hides exactly what the checker must see.)
final class ChaosConnection {
    let peer: Peer
    private var socket: Socket?
    private var decoder = FrameDecoder()
    private var nextRequestID: UInt64 = 1
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(peer: Peer) { self.peer = peer }

    deinit { close() }

    func close() {
        socket?.close()
        socket = nil
        decoder = FrameDecoder()
    }

    /// Sends `message` and waits up to `timeout` for the answer, or until `abandon` (asked every
    /// 20 ms while waiting) returns true. Any failure closes the connection (the next request
    /// reconnects).
    func request(_ message: WireMessage, timeout: Duration, abandon: () -> Bool = { false })
        throws(ChaosTransportFailure) -> WireMessage
    {
        let deadline = ContinuousClock().now + timeout
        do throws(ChaosTransportFailure) {
            let socket = try connected(deadline: deadline)
            let requestID = nextRequestID
            nextRequestID += 1
            var writer = ByteWriter()
            do {
                try WireCodec.encode(message, requestID: requestID, into: &writer)
            } catch {
                throw .notSent("cannot encode \(message.opcode): \(error)")
            }
            try send(writer.bytes, on: socket, deadline: deadline)
            return try receive(requestID, on: socket, deadline: deadline, abandon: abandon)
        } catch {
            if case .refused = error {} else { close() }
            throw error
        }
    }

    private func connected(deadline: ContinuousClock.Instant) throws(ChaosTransportFailure) -> Socket {
        if let socket { return socket }
        guard let address = SocketAddress("\(peer.host == "localhost" ? "127.0.0.1" : peer.host):\(peer.port)") else {
            throw .notSent("\(peer.host) is not an IPv4 address")
        }
        let socket: Socket
        do {
            let (made, inProgress) = try Socket.connect(to: address, nonBlocking: true)
            socket = made
            if inProgress {
                guard try socket.waitUntil(writable: true, timeoutMs: remaining(deadline)) else {
                    socket.close()
                    throw ChaosTransportFailure.notSent("connect timed out")
                }
                let code = socket.pendingError()
                if code != 0 {
                    socket.close()
                    throw ChaosTransportFailure.notSent(String(cString: strerror(code)))
                }
            }
        } catch let error as ChaosTransportFailure {
            throw error
        } catch {
            throw .notSent("\(error)")
        }
        self.socket = socket
        return socket
    }

    private func send(_ bytes: [UInt8], on socket: Socket, deadline: ContinuousClock.Instant)
        throws(ChaosTransportFailure)
    {
        var written = 0
        while written < bytes.count {
            do {
                let count = try bytes.withUnsafeBytes { raw throws(SystemError) in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[written...]))
                }
                if count > 0 {
                    written += count
                } else if try !socket.waitUntil(writable: true, timeoutMs: remaining(deadline)) {
                    throw ChaosTransportFailure.unanswered("send timed out")
                }
            } catch let error as ChaosTransportFailure {
                throw error
            } catch {
                // Part of the request may have left: the node may act on it.
                throw written == 0 ? .notSent("\(error)") : .unanswered("\(error)")
            }
        }
    }

    private func receive(
        _ requestID: UInt64, on socket: Socket, deadline: ContinuousClock.Instant, abandon: () -> Bool
    ) throws(ChaosTransportFailure) -> WireMessage {
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                throw .unanswered("malformed frame from \(peer.name): \(error)")
            }
            if let frame {
                guard frame.requestID == requestID else {
                    throw .unanswered("\(peer.name) answered request \(frame.requestID), expected \(requestID)")
                }
                let answer: WireMessage
                do {
                    answer = try WireCodec.decode(frame)
                } catch {
                    throw .unanswered("malformed \(frame.opcode) answer from \(peer.name): \(error)")
                }
                if case .errorResponse(let response, _) = answer { throw .refused(response) }
                return answer
            }
            let result: Socket.ReadResult
            do {
                result = try socket.read(into: &buffer, at: 0)
            } catch {
                throw .unanswered("\(error)")
            }
            switch result {
            case .bytes(let count):
                decoder.feed(buffer[0..<count])
            case .closed:
                throw .unanswered("connection closed by \(peer.name)")
            case .wouldBlock:
                let ready: Bool
                do {
                    ready = try socket.waitUntil(writable: false, timeoutMs: min(20, remaining(deadline)))
                } catch {
                    throw .unanswered("\(error)")
                }
                if ready { continue }
                if ContinuousClock().now >= deadline { throw .unanswered("timed out waiting for \(peer.name)") }
                if abandon() { throw .unanswered("gave up waiting for \(peer.name): another node leads now") }
            }
        }
    }

    private func remaining(_ deadline: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock().now.duration(to: deadline)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
