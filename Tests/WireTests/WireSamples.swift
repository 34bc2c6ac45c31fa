import Raft
import Wire

/// Seeded generators of protocol values, shared by the round-trip and fuzz tests.
struct WireSamples {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// A value that is often an edge (0, 1, max) and otherwise anything.
    mutating func u64() -> UInt64 {
        switch random.below(6) {
        case 0: 0
        case 1: 1
        case 2: UInt64.max
        case 3: random.below(1000)
        default: random.next()
        }
    }

    mutating func bool() -> Bool { random.chance(1, in: 2) }

    mutating func bytes(max: Int) -> [UInt8] {
        let count = Int(random.below(UInt64(max) + 1))
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// ASCII and multi-byte characters, so UTF-8 lengths differ from character counts.
    mutating func string(max: Int) -> String {
        let alphabet: [Character] = ["a", "Z", "0", "-", ":", ".", " ", "é", "日", "🚀"]
        let count = Int(random.below(UInt64(max) + 1))
        return String((0..<count).map { _ in alphabet[Int(random.below(UInt64(alphabet.count)))] })
    }

    mutating func entry() -> Entry {
        Entry(
            index: LogIndex(u64()), term: Term(u64()), kind: bool() ? .normal : .noop, data: bytes(max: 64))
    }

    /// One message for each body case, in case order, then random ones.
    mutating func body(_ choice: Int) -> Message.Body {
        switch choice % 7 {
        case 0:
            .append(
                AppendRequest(
                    prevIndex: LogIndex(u64()), prevTerm: Term(u64()),
                    entries: (0..<Int(random.below(5))).map { _ in entry() }, commit: LogIndex(u64())))
        case 1:
            .appendResponse(
                AppendResponse(
                    index: LogIndex(u64()), reject: bool(), hintIndex: LogIndex(u64()), hintTerm: Term(u64())))
        case 2: .heartbeat(Heartbeat(commit: LogIndex(u64()), readSequence: u64()))
        case 3: .heartbeatResponse(HeartbeatResponse(readSequence: u64()))
        case 4: .vote(VoteRequest(lastIndex: LogIndex(u64()), lastTerm: Term(u64()), preVote: bool(), transfer: bool()))
        case 5: .voteResponse(VoteResponse(granted: bool(), preVote: bool()))
        default: .timeoutNow
        }
    }

    mutating func raftMessage(_ choice: Int? = nil) -> Message {
        let choice = choice ?? Int(random.below(7))
        return Message(from: NodeID(u64()), to: NodeID(u64()), term: Term(u64()), body: body(choice))
    }

    mutating func optional<T>(_ make: (inout WireSamples) -> T) -> T? {
        bool() ? make(&self) : nil
    }

    mutating func role() -> Role {
        [Role.follower, .preCandidate, .candidate, .leader][Int(random.below(4))]
    }

    mutating func errorCode() -> ErrorResponse.Code {
        switch random.below(5) {
        case 0:
            .notLeader(
                leader: optional { NodeID($0.u64()) }, leaderAddress: optional { $0.string(max: 20) })
        case 1: .noQuorum
        case 2: .timeout
        case 3: .badRequest
        default: .internal
        }
    }

    /// The number of ``WireMessage`` shapes ``wireMessage(_:)`` cycles through.
    static let wireMessageShapes = 12

    /// Every ``WireMessage`` case in turn (Raft bodies chosen at random), by `choice`.
    mutating func wireMessage(_ choice: Int? = nil) -> WireMessage {
        let choice = choice ?? Int(random.below(UInt64(WireSamples.wireMessageShapes)))
        switch choice % WireSamples.wireMessageShapes {
        case 0: return .raft(raftMessage())
        case 1:
            return .handshakeRequest(
                PeerHandshake(group: string(max: 12), nodeID: NodeID(u64()), nodeName: string(max: 6)))
        case 2:
            return .handshakeResponse(
                PeerHandshake(group: string(max: 12), nodeID: NodeID(u64()), nodeName: string(max: 6)))
        case 3: return .statusRequest
        case 4:
            return .statusResponse(
                StatusResponse(
                    group: string(max: 10), nodeID: NodeID(u64()), nodeName: string(max: 5), role: role(),
                    term: Term(u64()), leader: optional { NodeID($0.u64()) },
                    leaderAddress: optional { $0.string(max: 21) }, lastIndex: LogIndex(u64()),
                    commit: LogIndex(u64()), applied: LogIndex(u64()), uptimeMs: u64()))
        case 5: return .appendRequest(ClientAppendRequest(data: bytes(max: 100)))
        case 6: return .appendResponse(ClientAppendResponse(index: LogIndex(u64())))
        case 7: return .getRequest(GetRequest(index: LogIndex(u64())))
        case 8:
            return .getResponse(
                GetResponse(
                    index: LogIndex(u64()), term: Term(u64()), kind: bool() ? .normal : .noop, data: bytes(max: 100)))
        case 9: return .transferLeaderRequest(TransferLeaderRequest(target: NodeID(u64())))
        case 10: return .transferLeaderResponse
        default:
            let answering = Opcode.requestOpcodes[Int(random.below(UInt64(Opcode.requestOpcodes.count)))]
            return .errorResponse(ErrorResponse(code: errorCode(), message: string(max: 40)), answering: answering)
        }
    }

    /// `message` encoded as one frame.
    static func encode(_ message: WireMessage, requestID: UInt64) throws(WireError) -> [UInt8] {
        var writer = ByteWriter()
        try WireCodec.encode(message, requestID: requestID, into: &writer)
        return writer.bytes
    }
}
