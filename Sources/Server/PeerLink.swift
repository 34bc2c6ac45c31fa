import LedgerModel
import Posix
import Raft
import Wire

/// This node's outbound connection to one peer: Raft messages for that peer leave through it.
/// It connects, introduces itself (handshake), and reconnects with exponential backoff after any
/// failure. Messages for a peer that is not connected are dropped; Raft retransmits.
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
    /// The peer's last answer to this node's status poll, and when it came.
    private(set) var lastStatus: (status: StatusResponse, receivedAt: ContinuousClock.Instant)?
    /// Why the last connection attempt or connection failed, while the link is down.
    private(set) var lastFailure: String?

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

    func handshakeSent(_ connection: Connection) { state = .handshaking(connection) }

    func connected(_ connection: Connection) {
        state = .connected(connection)
        backoff = .milliseconds(20)
        isDown = false
        lastFailure = nil
    }

    /// Keeps the peer's answer to a status poll.
    func statusReceived(_ status: StatusResponse, at now: ContinuousClock.Instant) { lastStatus = (status, now) }

    /// Forgets the connection (it failed for `reason`); returns the delay before the next attempt.
    func failed(reason: String) -> Duration {
        state = .idle
        isDown = true
        lastFailure = reason
        let delay = backoff
        backoff = min(backoff * 2, PeerLink.maxBackoff)
        return delay
    }
}
