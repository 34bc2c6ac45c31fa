import LedgerModel
import Wire

/// Why one request on a ``NodeConnection`` failed, split by what it means for the request's
/// effect: a caller that retries writes must tell "certainly not received" from "maybe acted on".
public enum NodeConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing of the request reached the node: no connection could be made, or the socket took
    /// none of its bytes. The request certainly had no effect. `reason` is short and lower-case
    /// (`connection refused`, `connect timeout after 300 ms`).
    case notSent(String)
    /// The request was sent (or partly sent) and no answer came: a timeout, the connection
    /// closed, or the caller's `abandon` gave up. The node may have acted on it.
    case unanswered(String)
    /// The node answered with an error response; what it says about the request's effect is in
    /// its code (see ``ErrorResponse/Code``). The connection stays usable.
    case refused(ErrorResponse)
    /// The node answered with bytes or a message the protocol does not allow. It may have acted
    /// on the request.
    case protocolViolation(String)

    /// Whether the node may have acted on the request: false only when it certainly did not
    /// receive it. (For ``refused(_:)`` this is true; the error code says more.)
    public var requestMayHaveArrived: Bool {
        if case .notSent = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .notSent(let reason): "not sent: \(reason)"
        case .unanswered(let reason): "no answer: \(reason)"
        case .refused(let response): response.description
        case .protocolViolation(let detail): "protocol violation: \(detail)"
        }
    }
}
