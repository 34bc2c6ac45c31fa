/// Why a client operation failed. Each description is one line an operator can act on.
///
/// The CLI maps ``noQuorum(_:)`` to exit code 3, ``outcomeUnknown(_:)`` to 4 and every other
/// case to 1.
public enum LedgerClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No leader could be found, or the group could not commit, before the operation's deadline.
    /// For a write, no attempt reached a node that could have stored it: it certainly had no
    /// effect. The text says what was tried and the last thing each node said.
    case noQuorum(String)
    /// A write (append, send, offset commit) was not confirmed before the deadline, and at least
    /// one attempt may have been stored: a node took it and then timed out, lost its leadership
    /// or shut down before it committed, or the connection broke after it was sent. It may be
    /// stored, now or once a later leader commits it, or not at all: never treat it as failed.
    /// A send of an idempotent producer is stored at most once all the same; a raw append sent
    /// again may be stored twice. The text names the uncertain attempt.
    case outcomeUnknown(String)
    /// One node could not be reached or did not answer in time (only for requests aimed at a
    /// single node, such as ``LedgerClient/status(of:)``).
    case unreachable(node: String, address: String, reason: String)
    /// The node refused the request (`badRequest`); sending it again unchanged fails again.
    case rejected(node: String, message: String)
    /// The node reported an internal failure it cannot recover from for this request. For a
    /// write the outcome is unknown.
    case serverFailure(node: String, message: String)
    /// The node answered with something the protocol does not allow for this request. For a
    /// write the outcome is unknown.
    case protocolViolation(node: String, detail: String)
    /// A leadership transfer was asked for but leadership did not move in time; the group still
    /// has a working leader.
    case transferIncomplete(String)

    public var description: String {
        switch self {
        case .noQuorum(let detail): "no quorum: \(detail)"
        case .outcomeUnknown(let detail): "outcome unknown: \(detail)"
        case .unreachable(let node, let address, let reason): "\(node) (\(address)) is unreachable: \(reason)"
        case .rejected(let node, let message): "rejected by \(node): \(message)"
        case .serverFailure(let node, let message): "\(node) failed: \(message)"
        case .protocolViolation(let node, let detail): "\(node) broke the protocol: \(detail)"
        case .transferIncomplete(let detail): "leadership transfer incomplete: \(detail)"
        }
    }

    /// A short reason for a status table: `connection refused`, `timeout after 1000 ms`.
    public var shortReason: String {
        switch self {
        case .unreachable(_, _, let reason): reason
        case .noQuorum(let detail), .outcomeUnknown(let detail), .transferIncomplete(let detail): detail
        case .rejected(_, let message), .serverFailure(_, let message): message
        case .protocolViolation(_, let detail): detail
        }
    }
}
