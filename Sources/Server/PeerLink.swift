import Posix
import Raft
import Wire

/// This node's outbound connection to one peer: Raft messages for that peer leave through it.
/// It connects, authenticates both ways (handshake and proofs, ``OutboundPeerAuthentication``),
/// and reconnects with exponential backoff after any failure. Messages for a peer that is not
/// connected and authenticated are dropped; Raft retransmits.
final class PeerLink {
    enum State {
        case idle
        case connecting(Connection)
        case handshaking(Connection)
        case connected(Connection)
    }

    let member: Member
    private(set) var state: State = .idle
    private var backoff: Duration = .milliseconds(20)
    private static let maxBackoff: Duration = .seconds(1)
    /// Whether the last attempt failed, so "down" is logged once per outage.
    private(set) var isDown = false
    var droppedMessages = 0
    /// The challenge–response of the current connection, from its handshake until it fails.
    var authentication: OutboundPeerAuthentication?

    init(member: Member) { self.member = member }

    var connection: Connection? {
        switch state {
        case .idle: nil
        case .connecting(let c), .handshaking(let c), .connected(let c): c
        }
    }

    var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    func startConnecting(_ connection: Connection, established: Bool) {
        state = established ? .handshaking(connection) : .connecting(connection)
    }

    func handshakeSent(_ connection: Connection, _ authentication: OutboundPeerAuthentication) {
        state = .handshaking(connection)
        self.authentication = authentication
    }

    func connected(_ connection: Connection) {
        state = .connected(connection)
        backoff = .milliseconds(20)
        isDown = false
    }

    /// Forgets the connection; returns the delay before the next attempt.
    func failed() -> Duration {
        state = .idle
        authentication = nil
        isDown = true
        let delay = backoff
        backoff = min(backoff * 2, PeerLink.maxBackoff)
        return delay
    }
}
