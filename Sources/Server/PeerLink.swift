import LedgerModel
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
    /// Why the link is down, as last logged: nil while up (or before the first attempt). An
    /// outage is logged once, and again only when its cause changes (a peer that stops
    /// refusing connections but fails authentication says so).
    private(set) var downReason: String?
    var droppedMessages = 0
    /// The challenge–response of the current connection, from its handshake until it fails.
    var authentication: OutboundPeerAuthentication?
    /// The peer's last answer to this node's status poll, and when it came.
    private(set) var lastStatus: (status: StatusResponse, receivedAt: ContinuousClock.Instant)?

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
        downReason = nil
    }

    /// Whether the link's last attempt or connection failed (and none succeeded since).
    var isDown: Bool { downReason != nil }

    /// Keeps the peer's answer to a status poll.
    func statusReceived(_ status: StatusResponse, at now: ContinuousClock.Instant) { lastStatus = (status, now) }

    /// Forgets the connection after a failure for `reason`; returns the delay before the next
    /// attempt and whether the failure should be logged (the link was up, or the cause changed).
    func failed(reason: String) -> (delay: Duration, log: Bool) {
        let log = isConnected || reason != downReason
        state = .idle
        authentication = nil
        downReason = reason
        let delay = backoff
        backoff = min(backoff * 2, PeerLink.maxBackoff)
        return (delay, log)
    }
}
