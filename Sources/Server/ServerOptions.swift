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
    /// Connections open at once on the node's own port (and on each RocketMQ port).
    public var maxConnections = 1024
    /// How long an unfinished connection may stay silent (``StallWatch``).
    public var stalledConnectionTimeout: Duration = .seconds(10)
    /// The message state machine's settings (queue count of new topics, largest body, file size).
    public var commitLog = CommitLogConfiguration()
    /// Where the admin HTTP port listens (`adminAddress:adminPort`); nil for none.
    public var admin: SocketAddress?
    /// `adminMetricsOpen`: with the ACL on, `/metrics` and `/healthz` still need no account.
    public var adminMetricsOpen = true
    /// The group secret peers must prove they know; nil for none (a loopback-only group, whose
    /// peers are then not authenticated).
    public var clusterSecret: ClusterSecret?
    /// The RocketMQ remoting front end and embedded NameServer, when `listenPort` is configured.
    public var remoting: RemotingOptions?
    /// The client ACL (`aclEnable=true`): the file it was read from and what it held at start.
    /// Nil serves every client unchecked.
    public var acl: AclOptions?
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

/// Where the RocketMQ front end listens and what its NameServer tells clients.
public struct RemotingOptions: Sendable {
    /// The broker port (`listenPort` on this node's host).
    public var broker: SocketAddress
    /// The embedded NameServer's port (`namesrvPort`), nil for none.
    public var nameServer: SocketAddress?
    /// Every member's broker address (`remotingPeers`), in id order: the NameServer names the
    /// leader's as the master.
    public var brokerAddresses: [(id: NodeID, address: String)]
    /// The most connections open at once on each of the two ports; more are refused.
    public var maxConnections = 1024
    /// Requests of one connection waiting for the node core; more are answered SYSTEM_BUSY.
    public var maxPendingPerConnection = 4096

    public init(broker: SocketAddress, nameServer: SocketAddress?, brokerAddresses: [(id: NodeID, address: String)]) {
        self.broker = broker
        self.nameServer = nameServer
        self.brokerAddresses = brokerAddresses
    }

    /// The broker address of member `id`.
    public func brokerAddress(_ id: NodeID) -> String? { brokerAddresses.first { $0.id == id }?.address }
}

/// The client ACL a node enforces (`aclEnable`, `aclFile`).
public struct AclOptions: Sendable {
    /// The ACL file; watched for changes (``checkInterval``).
    public var path: String
    /// What the file held when the node started.
    public var initial: AccessControlList
    /// The file's stamp taken just before it was read (nil when it could not be taken), so a
    /// change made while the node started is still seen by the first check.
    public var initialStamp: FileStamp?
    /// How often the node looks at the file's size, modification time and inode.
    public var checkInterval: Duration = .seconds(2)

    public init(path: String, initial: AccessControlList, initialStamp: FileStamp?) {
        self.path = path
        self.initial = initial
        self.initialStamp = initialStamp
    }
}
