import CommitLog
import LedgerModel
import Posix
import Raft

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

/// Everything a node needs to run, derived from its configuration file.
public struct ServerOptions: Sendable {
    public var group: String
    public var selfID: NodeID
    /// Every member, this node included, in id order.
    public var members: [Member]
    /// How long one Raft tick lasts.
    public var tickMilliseconds: Int
    public var raft: RaftConfig
    /// Where the log lives.
    public var storeDirectory: String
    /// fsync before acknowledging (SYNC_FLUSH), or every `flushIntervalMilliseconds` (ASYNC_FLUSH).
    public var syncBeforeAcknowledging: Bool
    public var flushIntervalMilliseconds: Int
    public var dataFileSize: Int
    /// The largest frame accepted or sent.
    public var maxFrameBytes: Int = 64 << 20
    /// Bytes queued for one slow connection before further messages to it are dropped.
    public var maxOutboundBytesPerConnection: Int = 64 << 20
    /// The message state machine's settings (queue count of new topics, largest body, file size).
    public var commitLog = CommitLogConfiguration()
    /// How often the state machine is persisted (its checkpoint written) while entries apply.
    public var persistIntervalMilliseconds = 1000
    /// Entries applied since the last persist that force one at once, bounding the replay after
    /// a crash.
    public var persistEveryEntries = 50_000
    /// Commit-log bytes applied since the last persist began that force one at once: the state
    /// machine holds them in memory until their persist completes, so this bounds its memory.
    public var persistEveryBytes = 8 << 20
    /// Test only: accept requests to drop Raft traffic to and from chosen peers.
    public var faultInjection = false
    /// Where this options value came from, for error messages (`conf/n0.conf`).
    public var source: String

    public init(
        group: String, selfID: NodeID, members: [Member], tickMilliseconds: Int, raft: RaftConfig,
        storeDirectory: String, syncBeforeAcknowledging: Bool, flushIntervalMilliseconds: Int, dataFileSize: Int,
        source: String
    ) {
        self.group = group
        self.selfID = selfID
        self.members = members
        self.tickMilliseconds = tickMilliseconds
        self.raft = raft
        self.storeDirectory = storeDirectory
        self.syncBeforeAcknowledging = syncBeforeAcknowledging
        self.flushIntervalMilliseconds = flushIntervalMilliseconds
        self.dataFileSize = dataFileSize
        self.source = source
    }

    public var me: Member { members.first { $0.id == selfID }! }

    public func member(_ id: NodeID?) -> Member? {
        guard let id else { return nil }
        return members.first { $0.id == id }
    }
}
