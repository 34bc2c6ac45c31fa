import Raft

/// Why a request failed: the answer to a request of any kind that could not be carried out, in a
/// form a client can act on (retry elsewhere, retry later, give up, or treat as unknown).
public struct ErrorResponse: Hashable, Sendable, CustomStringConvertible {
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
        /// The leader holds as many proposals awaiting commit as it allows (back-pressure):
        /// nothing was proposed, the request certainly had no effect. Retry after a short wait.
        case busy
        /// A disk of the group is too full to store more (at or above
        /// `diskSpaceWarningLevelRatio`): nothing was proposed, the request certainly had no
        /// effect. Writes resume once space is freed; reads keep working.
        case diskFull
        /// The client ACL refused the request (no account, a wrong signature, or a missing
        /// permission, which the message names): nothing was done. Retrying it unchanged fails
        /// again.
        case noPermission
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

    /// An error response as a decoder received it: `message` is kept whole (another build may
    /// send a longer one), so decoding and encoding again give the same bytes.
    package init(code: Code, receivedMessage message: String) {
        self.code = code
        self.message = message
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
        case .busy: "busy: \(message)"
        case .diskFull: "disk full: \(message)"
        case .noPermission: message
        }
    }
}
