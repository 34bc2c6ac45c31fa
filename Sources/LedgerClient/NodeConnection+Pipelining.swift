import Bytes
import LedgerConfig
import Posix
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// One answer on a ``NodeConnection``: the request id it answers and the message (an error
/// response included: a pipelined caller decides what a refusal means).
public struct NodeResponse: Sendable, Hashable {
    /// The id ``NodeConnection/enqueue(_:)`` returned for the request.
    public var requestID: UInt64
    /// The answer as the node sent it.
    public var message: WireMessage
}

/// Pipelining: many requests in flight on one connection, answers matched by request id.
///
/// A round of a pipelined caller: ``enqueue(_:)`` until its window is full, ``flush()``,
/// ``waitForResponses(timeout:)``, then ``nextResponse()`` until it returns nil. Enqueued bytes
/// leave only on ``flush()`` (or ``waitForResponses(timeout:)`` once the socket has room), so
/// requests enqueued together share a `write(2)`.
extension NodeConnection {
    /// Requests enqueued and not yet answered.
    public var inFlight: Int { awaiting.count }

    /// Whether enqueued bytes wait for room in the socket.
    public var hasUnsentBytes: Bool { outboundStart < outbound.count }

    /// Encodes `message` behind the requests already enqueued, writing nothing yet; returns its
    /// request id. Throws ``NodeConnectionError/notSent(_:)`` (and enqueues nothing) when the
    /// message cannot be encoded. Precondition: not closed.
    public func enqueue(_ message: WireMessage) throws(NodeConnectionError) -> UInt64 {
        precondition(!isClosed, "enqueue on a closed connection to \(peer.name)")
        let start = outbound.count
        let requestID = nextRequestID
        do {
            try encode(message, requestID: requestID)
        } catch {
            outbound.truncate(to: start)
            throw .notSent("cannot encode the request: \(error)")
        }
        nextRequestID += 1
        awaiting.append(requestID, start: bytesWritten + start - outboundStart)
        return requestID
    }

    /// Writes as much of the enqueued bytes as the socket takes now, without waiting. A failure
    /// is ``NodeConnectionError/notSent(_:)`` while no byte of any request in flight has left,
    /// else ``NodeConnectionError/unanswered(_:)``.
    public func flush() throws(NodeConnectionError) {
        do {
            try writeQueued()
        } catch {
            throw writeFailure(NodeConnection.lowercasedReason(error.errno), messageStart: nil)
        }
    }

    /// Waits up to `timeout` until the node has sent something (or, while enqueued bytes wait,
    /// until the socket has room for them), then writes what it can and reads everything that
    /// has arrived. Take the answers with ``nextResponse()`` (all of them before waiting again).
    public func waitForResponses(timeout: Duration) throws(NodeConnectionError) {
        var events = Int16(POLLIN)
        if hasUnsentBytes { events |= Int16(POLLOUT) }
        let revents: Int16
        do {
            revents = try socket.wait(for: events, timeout: timeout)
        } catch {
            throw .unanswered(NodeConnection.lowercasedReason(error.errno))
        }
        if revents & Int16(POLLOUT) != 0 { try flush() }
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { _ = try readAvailable() }
    }

    /// The next answer already read, or nil when none is complete. Throws
    /// ``NodeConnectionError/protocolViolation(_:)`` for a malformed frame, a frame that is not a
    /// response, or an answer to no request in flight.
    public func nextResponse() throws(NodeConnectionError) -> NodeResponse? {
        let frame: Frame?
        do {
            frame = try decoder.next()
        } catch {
            throw .protocolViolation("malformed frame: \(error)")
        }
        guard let frame else { return nil }
        guard frame.flags.contains(.response), awaiting.remove(frame.requestID) else {
            throw .protocolViolation("unexpected frame \(frame.opcode) with request id \(frame.requestID)")
        }
        do {
            return NodeResponse(requestID: frame.requestID, message: try WireCodec.decode(frame))
        } catch {
            throw .protocolViolation("malformed \(frame.opcode) response: \(error)")
        }
    }

    /// Reads everything that has arrived into the decoder, without waiting; returns whether
    /// anything was read. The node closing the connection is
    /// ``NodeConnectionError/unanswered(_:)`` (reported on the next call when bytes came first).
    func readAvailable() throws(NodeConnectionError) -> Bool {
        var readSomething = false
        while true {
            let result: Socket.ReadResult
            do {
                result = try socket.read(into: &readBuffer, at: 0)
            } catch {
                throw .unanswered(NodeConnection.lowercasedReason(error.errno))
            }
            switch result {
            case .bytes(let count):
                decoder.feed(readBuffer[0..<count])
                readSomething = true
                if count < readBuffer.count { return true }
            case .wouldBlock:
                return readSomething
            case .closed:
                if readSomething { return true }
                throw .unanswered("connection closed by the node")
            }
        }
    }

    /// The offset in the connection's outbound stream just past the last byte enqueued.
    var queuedStreamOffset: Int { bytesWritten + outbound.count - outboundStart }

    /// Writes as much of the enqueued bytes as the socket takes now (`send(2)`), without waiting.
    func writeQueued() throws(SystemError) {
        while hasUnsentBytes {
            let start = outboundStart
            let written = try outbound.bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) -> Int in
                    try socket.write(UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            }.get()
            if written == 0 { return }
            outboundStart += written
            bytesWritten += written
        }
        outbound.removeAll()
        outboundStart = 0
    }

    /// The error for a write that failed with `problem`: ``NodeConnectionError/notSent(_:)``
    /// while nothing that may be answered has left (no byte from `messageStart` on, the stream
    /// offset of a one-at-a-time message; or, when nil, no byte of any request in flight), else
    /// ``NodeConnectionError/unanswered(_:)``.
    func writeFailure(_ problem: String, messageStart: Int?) -> NodeConnectionError {
        let left = (messageStart ?? awaiting.oldestStart).map { $0 < bytesWritten } ?? false
        return left ? .unanswered(problem) : .notSent(problem)
    }
}
