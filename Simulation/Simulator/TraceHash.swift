import Raft

/// FNV-1a (64-bit) over a canonical encoding of every event a run processes. Two runs with the
/// same hash processed the same events at the same times in the same order.
public struct TraceHash: Sendable, Hashable, CustomStringConvertible {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    public private(set) var value: UInt64 = offsetBasis

    public init() {}

    /// Folds the eight little-endian bytes of `word`.
    mutating func mix(_ word: UInt64) {
        var remaining = word
        for _ in 0..<8 {
            value = (value ^ (remaining & 0xff)) &* Self.prime
            remaining >>= 8
        }
    }

    mutating func mix(_ bytes: [UInt8]) {
        mix(UInt64(bytes.count))
        for byte in bytes { value = (value ^ UInt64(byte)) &* Self.prime }
    }

    mutating func mix(_ flag: Bool) { mix(flag ? 1 : 0) }

    /// Sixteen lower-case hex digits.
    public var description: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The digest of one entry's content, as the checkers compare entries.
    static func digest(of entry: Entry) -> UInt64 {
        var hash = TraceHash()
        hash.mix(UInt64(entry.kind.rawValue))
        hash.mix(entry.data)
        return hash.value
    }

    /// Folds every field of `message`.
    mutating func mix(_ message: Message) {
        mix(message.from.rawValue)
        mix(message.to.rawValue)
        mix(message.term.rawValue)
        switch message.body {
        case .append(let request):
            mix(1)
            mix(request.prevIndex.rawValue)
            mix(request.prevTerm.rawValue)
            mix(request.commit.rawValue)
            mix(UInt64(request.entries.count))
            for entry in request.entries {
                mix(entry.index.rawValue)
                mix(entry.term.rawValue)
                mix(Self.digest(of: entry))
            }
        case .appendResponse(let response):
            mix(2)
            mix(response.index.rawValue)
            mix(response.reject)
            mix(response.hintIndex.rawValue)
            mix(response.hintTerm.rawValue)
        case .heartbeat(let heartbeat):
            mix(3)
            mix(heartbeat.commit.rawValue)
            mix(heartbeat.readSequence)
        case .heartbeatResponse(let response):
            mix(4)
            mix(response.readSequence)
        case .vote(let request):
            mix(5)
            mix(request.lastIndex.rawValue)
            mix(request.lastTerm.rawValue)
            mix(request.preVote)
            mix(request.transfer)
        case .voteResponse(let response):
            mix(6)
            mix(response.granted)
            mix(response.preVote)
        case .timeoutNow:
            mix(7)
        case .installSnapshot(let snapshot):
            mix(8)
            mix(snapshot.index.rawValue)
            mix(snapshot.term.rawValue)
        }
    }
}
