import Bytes
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Synchronization
import Wire

/// A stand-in for a node: a loopback listener whose requests a closure answers (nil: never
/// answer). Each connection is served on a thread of its own. Call ``stop()`` when done.
final class FakeNode: Sendable {
    let peer: Peer
    private let listener: Socket
    private let handler: @Sendable (WireMessage) -> WireMessage?
    private let stopped = Atomic<Bool>(false)
    /// How many requests arrived, by opcode raw value.
    let requests = Mutex<[UInt16: Int]>([:])

    init(id: UInt64, handler: @escaping @Sendable (WireMessage) -> WireMessage?) throws {
        listener = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        peer = Peer(name: "n\(id)", id: NodeID(id), host: "127.0.0.1", port: try listener.localPort())
        self.handler = handler
        spawnThread(name: "fake \(peer.name)") { [self] in acceptLoop() }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    func count(_ opcode: Opcode) -> Int { requests.withLock { $0[opcode.rawValue] ?? 0 } }

    private func acceptLoop() {
        defer { listener.close() }
        while !stopped.load(ordering: .relaxed) {
            do {
                guard try listener.waitUntil(writable: false, timeoutMs: 20), let socket = try listener.accept() else {
                    continue
                }
                spawnThread(name: "fake \(peer.name) connection") { [self] in serve(socket) }
            } catch {
                preconditionFailure("fake node \(peer.name) cannot accept: \(error)")
            }
        }
    }

    private func serve(_ socket: Socket) {
        defer { socket.close() }
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !stopped.load(ordering: .relaxed) {
            do {
                guard try socket.waitUntil(writable: false, timeoutMs: 20) else { continue }
                guard case .bytes(let count) = try socket.read(into: &buffer, at: 0) else { return }
                decoder.feed(buffer[0..<count])
                while let frame = try decoder.next() {
                    let request = try WireCodec.decode(frame)
                    requests.withLock { $0[frame.opcode.rawValue, default: 0] += 1 }
                    guard let answer = handler(request) else { continue }
                    var writer = ByteWriter()
                    try WireCodec.encode(answer, requestID: frame.requestID, into: &writer)
                    try socket.writeAll(writer.bytes)
                }
            } catch {
                return  // the client hung up or sent garbage: this connection is done
            }
        }
    }

    /// A status answer for node `id`.
    static func status(id: UInt64, _ role: Role, term: UInt64 = 1, leader: UInt64? = nil, lastIndex: UInt64 = 0)
        -> WireMessage
    {
        .statusResponse(
            StatusResponse(
                group: "fake", nodeID: NodeID(id), nodeName: "n\(id)", role: role, term: Term(term),
                leader: leader.map { NodeID($0) }, leaderAddress: nil, lastIndex: LogIndex(lastIndex),
                commit: LogIndex(lastIndex), applied: LogIndex(lastIndex), uptimeMs: 0,
                stateApplied: LogIndex(lastIndex), stateDigest: 0))
    }

    /// An error answer to a request with `opcode`.
    static func error(_ code: ErrorResponse.Code, _ opcode: Opcode, _ message: String = "fake") -> WireMessage {
        .errorResponse(ErrorResponse(code: code, message: message), answering: opcode)
    }
}
