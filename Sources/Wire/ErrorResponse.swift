import Bytes
import Raft

/// Why a request failed: the payload of a frame with flags `response` and `error`, answering a
/// request of the same opcode and request id.
///
/// Layout: `u16 code`, for `notLeader` then `optional u64 leader, optional string
/// leaderAddress`, then `string message`. Codes: 1 notLeader, 2 noQuorum, 3 timeout,
/// 4 badRequest, 5 internal, 6 outcomeUnknown.
public struct ErrorResponse: WirePayload, CustomStringConvertible {
    /// What went wrong, in a form a client can act on.
    public enum Code: Sendable, Hashable {
        /// This node does not lead, or what it proposed for the request was replaced by another
        /// leader's entry: the request certainly had no effect. Retry at `leaderAddress` when
        /// known, else after a short wait.
        case notLeader(leader: NodeID?, leaderAddress: String?)
        /// No leader is known (a majority is unreachable or an election is under way): nothing
        /// was proposed, the request certainly had no effect.
        case noQuorum
        /// The request did not complete in time; its outcome is unknown.
        case timeout
        /// The request was malformed or not allowed; retrying it unchanged will fail again.
        case badRequest
        /// The node failed in a way the client cannot fix.
        case `internal`
        /// The node proposed the request but cannot tell whether it will commit: the proposal
        /// timed out without a majority, the node lost its leadership, or it shut down with the
        /// entry pending. It may be committed later (by this node or the next leader) or never;
        /// the client must not treat it as failed. An idempotent send is safe to retry.
        case outcomeUnknown
        /// The number on the wire.
        public var wireCode: UInt16 {
            switch self {
            case .notLeader: 1
            case .noQuorum: 2
            case .timeout: 3
            case .badRequest: 4
            case .internal: 5
            case .outcomeUnknown: 6
            }
        }
    }

    /// The longest message kept, in UTF-8 bytes; longer ones are cut so any peer can decode them.
    public static let maxMessageBytes = 1024

    public var code: Code
    /// One line for a human.
    public private(set) var message: String

    /// An error response; `message` is cut to ``maxMessageBytes`` on a character boundary.
    public init(code: Code, message: String) {
        self.code = code
        self.message = ErrorResponse.clamp(message)
    }

    private static func clamp(_ message: String) -> String {
        guard message.utf8.count > maxMessageBytes else { return message }
        var kept = ""
        var bytes = 0
        for character in message {
            bytes += character.utf8.count
            if bytes > maxMessageBytes { break }
            kept.append(character)
        }
        return kept
    }

    public var description: String {
        switch code {
        case .notLeader(let leader, let address):
            "not leader (leader \(leader.map(String.init(describing:)) ?? "unknown")"
                + "\(address.map { " at \($0)" } ?? "")): \(message)"
        case .noQuorum: "no quorum: \(message)"
        case .timeout: "timeout: \(message)"
        case .badRequest: "bad request: \(message)"
        case .internal: "internal error: \(message)"
        case .outcomeUnknown: "outcome unknown: \(message)"
        }
    }

    public func encode(into writer: inout ByteWriter) {
        writer.writeUInt16(code.wireCode)
        if case .notLeader(let leader, let address) = code {
            writer.writeOptional(leader) { $0.writeUInt64($1.rawValue) }
            writer.writeOptional(address) { $0.writeString($1) }
        }
        writer.writeString(message)
    }

    public init(from reader: inout ByteReader, limits: WireLimits) throws(DecodeError) {
        let codeAt = reader.offset
        switch try reader.readUInt16("error code") {
        case 1:
            let leader = try reader.readOptional("leader") { (reader) throws(DecodeError) in
                NodeID(try reader.readUInt64("leader"))
            }
            let address = try reader.readOptional("leaderAddress") { (reader) throws(DecodeError) in
                try reader.readString("leaderAddress", limit: limits.maxStringBytes)
            }
            code = .notLeader(leader: leader, leaderAddress: address)
        case 2: code = .noQuorum
        case 3: code = .timeout
        case 4: code = .badRequest
        case 5: code = .internal
        case 6: code = .outcomeUnknown
        case let other: throw .unknownEnumValue(field: "error code", value: UInt64(other), offset: codeAt)
        }
        message = try reader.readString("message", limit: limits.maxStringBytes)
    }
}
