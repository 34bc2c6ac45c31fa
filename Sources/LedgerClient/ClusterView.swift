import LedgerConfig
import LedgerModel
import Raft
import Wire

/// What one node said when asked for its status, or why it could not say.
public struct NodeStatus: Sendable {
    /// The member as the client's peer list names it.
    public var peer: Peer
    /// The node's answer, or why there was none (DOWN in the status view).
    public var result: Result<StatusResponse, LedgerClientError>

    public init(peer: Peer, result: Result<StatusResponse, LedgerClientError>) {
        self.peer = peer
        self.result = result
    }

    /// The answer, when the node gave one.
    public var response: StatusResponse? {
        if case .success(let response) = result { return response }
        return nil
    }

    /// The role as `ledger status` shows it: LEADER, FOLLOWER, CANDIDATE (pre-candidates too),
    /// or DOWN when the node did not answer.
    public var roleName: String {
        guard let response else { return "DOWN" }
        switch response.role {
        case .leader: return "LEADER"
        case .follower: return "FOLLOWER"
        case .candidate, .preCandidate: return "CANDIDATE"
        }
    }
}

/// The leader as some node reported itself.
public struct LeaderInfo: Sendable, Hashable {
    public var peer: Peer
    public var term: Term

    public init(peer: Peer, term: Term) {
        self.peer = peer
        self.term = term
    }
}

/// One moment's view of the whole group: every member's status, in peer-list order.
public struct ClusterView: Sendable {
    public var nodes: [NodeStatus]

    public init(nodes: [NodeStatus]) { self.nodes = nodes }

    /// The node that reports itself leader at the highest term, if any. A node is only believed
    /// about itself: a follower's idea of the leader may be stale.
    public var leader: LeaderInfo? {
        var best: LeaderInfo?
        for node in nodes {
            guard let status = node.response, status.role == .leader else { continue }
            if best == nil || status.term > best!.term { best = LeaderInfo(peer: node.peer, term: status.term) }
        }
        return best
    }

    /// The leader's term, or the highest term any node reports when none leads; nil when no node
    /// answered.
    public var term: Term? {
        if let leader { return leader.term }
        return nodes.compactMap { $0.response?.term }.max()
    }

    /// The group name the nodes report (the first answer's), or nil when none answered.
    public var group: String? { nodes.lazy.compactMap { $0.response?.group }.first }

    /// How many entries `node` is behind the leader: leader's last index minus the node's, never
    /// negative. Nil when there is no leader or the node did not answer.
    public func lag(of node: NodeStatus) -> UInt64? {
        guard let leader, let status = node.response,
            let leaderStatus = nodes.first(where: { $0.peer == leader.peer })?.response
        else { return nil }
        let leaderLast = leaderStatus.lastIndex.rawValue
        return leaderLast > status.lastIndex.rawValue ? leaderLast - status.lastIndex.rawValue : 0
    }

    /// Whether `node` is a follower ``StatusResponse/catchingUpLag`` or more entries behind the
    /// leader (`ledger status` shows it as CATCHING UP).
    public func isCatchingUp(_ node: NodeStatus) -> Bool {
        guard node.response?.role == .follower, let lag = lag(of: node) else { return false }
        return lag >= StatusResponse.catchingUpLag
    }

    /// The configured name of node `id`, or its number when it is not in the peer list.
    public func name(of id: NodeID) -> String {
        nodes.first { $0.peer.id == id }?.peer.name ?? String(id.rawValue)
    }

    /// One line that says what each node answered, for "no leader" errors:
    /// `n0: connection refused; n1: FOLLOWER at term 3, no leader known`.
    public var summary: String {
        nodes.map { node in
            switch node.result {
            case .success(let status):
                let leader = status.leader.map { "leader \(name(of: $0))" } ?? "no leader known"
                return "\(node.peer.name): \(status.role) at term \(status.term), \(leader)"
            case .failure(let error):
                return "\(node.peer.name): \(error.shortReason)"
            }
        }.joined(separator: "; ")
    }
}
