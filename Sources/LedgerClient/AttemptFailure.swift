import LedgerConfig
import Wire

/// Why one attempt of a ``LedgerClient`` retry loop failed.
enum AttemptFailure: Error {
    /// The connection failed or the node answered with an error.
    case connection(NodeConnectionError)
    /// The node cannot serve the request yet but will soon (an entry it holds but has not yet
    /// seen committed); worth retrying.
    case notYet(String)

    /// The node answered with something the protocol does not allow here.
    static func protocolViolation(_ detail: String) -> AttemptFailure { .connection(.protocolViolation(detail)) }
}

extension NodeConnection {
    /// Connects like ``open(to:deadline:)``, for the retry loops.
    static func attemptOpen(to peer: Peer, deadline: Deadline, credentials: AccessCredentials?) throws(AttemptFailure)
        -> NodeConnection
    {
        do {
            return try open(to: peer, deadline: deadline, credentials: credentials)
        } catch {
            throw .connection(error)
        }
    }

    /// ``request(_:deadline:abandon:)`` for the retry loops, whose attempts throw ``AttemptFailure``.
    func attempt(_ message: WireMessage, deadline: Deadline) throws(AttemptFailure) -> WireMessage {
        do {
            return try request(message, deadline: deadline)
        } catch {
            throw .connection(error)
        }
    }
}

extension AttemptFailure {
    /// Whether the node may have received the request (see ``NodeConnectionError/requestMayHaveArrived``).
    var requestMayHaveArrived: Bool {
        switch self {
        case .connection(let error): error.requestMayHaveArrived
        case .notYet: true
        }
    }
}
