import CommitLog
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Replica

/// One member of the group as the runtime sees it.
public struct Member: Sendable, Hashable {
    public var id: NodeID
    /// The configured name, e.g. `n0`.
    public var name: String
    public var address: SocketAddress

    public init(id: NodeID, name: String, address: SocketAddress) {
        self.id = id
        self.name = name
        self.address = address
    }
}

/// Everything a node needs to run, derived from its configuration file: the replica's
/// settings, and what the I/O shell needs around them.
public struct ServerOptions: Sendable {
    /// The node core's settings (group, Raft, flush policy, persist cadence).
    public var replica: ReplicaConfiguration
    /// Every member, this node included, in id order.
    public var members: [Member]
    /// How long one Raft tick lasts.
    public var tickMilliseconds: Int
    /// Where the log lives.
    public var storeDirectory: String
    public var dataFileSize: Int
    /// The largest frame accepted or sent.
    public var maxFrameBytes: Int = 64 << 20
    /// Bytes queued for one slow connection before further messages to it are dropped.
    public var maxOutboundBytesPerConnection: Int = 64 << 20
    /// The message state machine's settings (queue count of new topics, largest body, file size).
    public var commitLog = CommitLogConfiguration()
    /// Where the admin HTTP port listens (`adminAddress:adminPort`); nil for none.
    public var admin: SocketAddress?
    /// The group secret peers must prove they know; nil for none (a loopback-only group, whose
    /// peers are then not authenticated).
    public var clusterSecret: ClusterSecret?
    /// Test only: accept requests to drop Raft traffic to and from chosen peers.
    public var faultInjection = false
    /// Where this options value came from, for error messages (`conf/n0.conf`).
    public var source: String

    public init(
        replica: ReplicaConfiguration, members: [Member], tickMilliseconds: Int, storeDirectory: String,
        dataFileSize: Int, source: String
    ) {
        self.replica = replica
        self.members = members
        self.tickMilliseconds = tickMilliseconds
        self.storeDirectory = storeDirectory
        self.dataFileSize = dataFileSize
        self.source = source
    }

    public var group: String { replica.group }
    public var selfID: NodeID { replica.raft.id }

    public var me: Member { members.first { $0.id == selfID }! }

    /// What the peer handshake needs: this node, the group, its members and its secret.
    var peerAuthentication: PeerAuthenticationContext {
        PeerAuthenticationContext(
            group: group, selfID: selfID, selfName: me.name, members: members.map(\.id), secret: clusterSecret)
    }

    public func member(_ id: NodeID?) -> Member? {
        guard let id else { return nil }
        return members.first { $0.id == id }
    }
}
