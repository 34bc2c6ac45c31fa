import Raft
import Wire

/// A client request waiting for the log: answered when its entry is applied (or fails).
struct PendingRequest {
    var connection: UInt64
    var requestID: UInt64
    var opcode: Opcode
    /// The entry is this request's only if it is applied with this term.
    var term: Term
}
