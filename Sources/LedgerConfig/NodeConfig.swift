import LedgerModel
import Raft

/// How one node of a SwiftLedger group runs, read from a `key=value` file such as
/// `conf/n0.conf`. Every key, its default and its rules are listed in `CONFIG.md`.
///
/// The only way to get one is ``load(path:)`` or ``parse(_:source:)``, which check every value
/// and the rules between them, so every `NodeConfig` is valid and ``raftConfig(randomSeed:)``
/// always yields settings that `RaftConfig.validate()` accepts.
public struct NodeConfig: Sendable, Hashable {
    /// When a write is durable enough to acknowledge (RocketMQ's `flushDiskType`).
    public enum FlushDiskType: String, Sendable, Hashable, CaseIterable {
        /// fsync before acknowledging; concurrent appends share one fsync.
        case sync = "SYNC_FLUSH"
        /// Acknowledge from the page cache; fsync every ``NodeConfig/flushIntervalMs``.
        case async = "ASYNC_FLUSH"
    }

    /// Every key a config file may set.
    public enum Key: String, Sendable, CaseIterable {
        case group, selfId, peers, storeBaseDir
        case flushDiskType, flushIntervalMs
        case tickMs, heartbeatIntervalMs, electionTimeoutMinMs, electionTimeoutMaxMs, proposalTimeoutMs
        case preferredLeaderId
        case dataFileSize, maxMessageSize, maxInflightBytesPerFollower, maxUncommittedBytes
        case defaultTopicQueueNums, fileReservedTime, deleteWhen
        case diskMaxUsedSpaceRatio, diskSpaceCleanForciblyRatio, diskSpaceWarningLevelRatio
        case maxUniqueKeys
        case mappedFileSizeConsumeQueue, maxIndexNum
        case messageDelayLevel, maxReconsumeTimes
        case transactionTimeOut, transactionCheckInterval, transactionCheckMax
        case sendTimeoutMs
        case adminPort, adminAddress
        case clusterSecretFile
        case maxConnections, stalledConnectionTimeoutMs, maxOutboundBytesPerConnection
        case listenPort, namesrvPort, remotingPeers
        case aclEnable, aclFile, adminMetricsOpen

        /// Keys without a default.
        public var isRequired: Bool { [.group, .selfId, .peers, .storeBaseDir].contains(self) }
    }

    /// Required. The Raft group's name (DLedger's `group`): 1–64 letters, digits, `-`, `_`, `.`.
    /// Peers refuse connections from another group.
    public internal(set) var group: String
    /// Required (`selfId`). This node: the member of ``peers`` named by `selfId`.
    public internal(set) var selfPeer: Peer
    /// Required. Every voting member, this node included, in the order written.
    public internal(set) var peers: [Peer]
    /// Required. Directory for the log, index and state files; a relative path is resolved
    /// against the directory the node starts in.
    public internal(set) var storeBaseDir: String
    /// Default `SYNC_FLUSH`.
    public internal(set) var flushDiskType: FlushDiskType = .sync
    /// Default 10. With `ASYNC_FLUSH`, how often dirty pages are fsynced; 1–60000 ms.
    public internal(set) var flushIntervalMs: Int = 10
    /// Default 10. The length of one Raft tick; 1–1000 ms. Raft timings are multiples of it.
    public internal(set) var tickMs: Int = 10
    /// Default 50. How often a leader sends heartbeats; a multiple of `tickMs`, below
    /// `electionTimeoutMinMs`.
    public internal(set) var heartbeatIntervalMs: Int = 50
    /// Default 150. A follower that hears no leader for a random time between the election
    /// timeouts campaigns. With the defaults a dead leader is replaced within about 300 ms plus
    /// one election round trip. A multiple of `tickMs`, at least two ticks.
    public internal(set) var electionTimeoutMinMs: Int = 150
    /// Default 300. A multiple of `tickMs`, at least `electionTimeoutMinMs`.
    public internal(set) var electionTimeoutMaxMs: Int = 300
    /// Default 2000. A proposal not committed this long after the leader accepted it fails with
    /// "no quorum". A multiple of `tickMs`, at least `electionTimeoutMaxMs`; keep it below the
    /// clients' `sendTimeoutMs` so they hear why.
    public internal(set) var proposalTimeoutMs: Int = 2000
    /// Optional (DLedger's `preferredLeaderIds`, one id). A leader hands leadership to this
    /// member whenever it is caught up. An empty value means none.
    public internal(set) var preferredLeader: Peer? = nil
    /// Default 1 GiB. Size of each log data file, in bytes or with a `KiB`/`MiB`/`GiB` suffix;
    /// more than `maxMessageSize`, at most 64 GiB.
    public internal(set) var dataFileSize: Int = 1 << 30
    /// Default 4 MiB. The largest entry (one stored message) accepted, 1 byte to 15 MiB so it
    /// always fits one 16 MiB wire frame.
    public internal(set) var maxMessageSize: Int = 4 << 20
    /// Default 8 MiB. Entry bytes a leader keeps in flight to one follower before it waits for
    /// that follower's acknowledgements: what a follower that fell behind can cost the leader
    /// (reads, encoding, buffers) per round trip; 64 KiB to 256 MiB.
    public internal(set) var maxInflightBytesPerFollower: Int = 8 << 20
    /// Default 64 MiB. Bytes of writes a leader holds that a majority has not yet stored; beyond
    /// them it answers writes "busy" (back-pressure) instead of growing its log and memory;
    /// 1 MiB to 1 GiB.
    public internal(set) var maxUncommittedBytes: Int = 64 << 20
    /// Default 1024. Connections open at once on the node's own port (clients and peers), and
    /// on each RocketMQ port; a connection beyond them is closed as it is accepted; 16–65536.
    public internal(set) var maxConnections: Int = 1024
    /// `diskSpaceWarningLevelRatio` (RocketMQ's name and default): at or above this percent of
    /// its store's file system used, a node refuses writes (a leader also while a member
    /// reports so) and keeps serving reads; writes resume by themselves below it. 10–99, at least
    /// ``diskSpaceCleanForciblyRatio``.
    public internal(set) var diskSpaceWarningLevelRatio: Int = 90
    /// Default 10000. A connection that holds part of a frame, or has not sent a complete one
    /// yet (a client that never asked anything, a peer still authenticating), and sends nothing
    /// for this long is closed; 100–600000 ms. An idle connection that finished its frames stays.
    public internal(set) var stalledConnectionTimeoutMs: Int = 10_000
    /// Default 64 MiB. Answers and messages queued for one connection that does not read them;
    /// beyond this a client connection is closed and a peer's messages are dropped (Raft
    /// retransmits); 1 MiB to 1 GiB.
    public internal(set) var maxOutboundBytesPerConnection: Int = 64 << 20
    /// Default 4. Queues a topic gets when it is created by its first send; 1–1024.
    public internal(set) var defaultTopicQueueNums: Int = 4
    /// Default 20000. RocketMQ message unique keys (`UNIQ_KEY`) the store remembers, so a retried
    /// RocketMQ send is answered with its original result instead of being stored twice; the
    /// oldest is forgotten first; 1–10000000. Replicated state: the same on every member.
    public internal(set) var maxUniqueKeys: Int = 20_000
    /// Default 6000000 (300,000 entries; RocketMQ's name and default). Bytes of each consume-queue
    /// file: a multiple of 20 (one entry) from 20 × 1024 to 20 × 10,000,000. Files go with the
    /// data they point at, a whole file at a time.
    public internal(set) var mappedFileSizeConsumeQueue: Int = 300_000 * 20
    /// Default 262144 (RocketMQ's key, its own default is larger). Entries of each key-index
    /// file; 1024–67108864. Files go once every message they point at was deleted.
    public internal(set) var maxIndexNum: Int = 1 << 18
    /// `messageDelayLevel`, RocketMQ's default `1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m
    /// 30m 1h 2h`: each delay level's delay (level 1 first), space-separated, each a whole number
    /// with `s`, `m`, `h` or `d`; 1 to 64 levels, each 1 s to 30 d. Replicated state: the same on
    /// every member, and never changed for a store that holds delayed messages.
    public internal(set) var messageDelayLevelsMs: [Int64] = CommitLogConfiguration.defaultDelayLevels
    /// Default 16 (RocketMQ's subscription groups' `retryMaxTimes`). Reconsume times after which a
    /// sent-back message goes to its group's dead-letter topic, when the consumer does not say;
    /// 0–1000.
    public internal(set) var maxReconsumeTimes: Int = 16
    /// Default 6000 (RocketMQ's). Milliseconds a half message waits for its producer's decision
    /// before the leader checks back; 1000–86400000.
    public internal(set) var transactionTimeOutMs: Int = 6_000
    /// Default 60000 (RocketMQ's). Milliseconds between two check backs of one half message;
    /// 1000–86400000.
    public internal(set) var transactionCheckIntervalMs: Int = 60_000
    /// Default 15 (RocketMQ's). Check backs of an undecided half message before it is discarded
    /// (logged); 1–1000.
    public internal(set) var transactionCheckMax: Int = 15
    /// `fileReservedTime`, default 72 hours: a data file expires once its newest message is
    /// older than this; `72h`, `30m`, `90s` (or `ms`), a bare number means hours (RocketMQ's);
    /// 1 s to 87600 h, in milliseconds.
    public internal(set) var fileReservedTimeMs: Int64 = 72 * 3_600_000
    /// `deleteWhen`, default `04`: the hours of the day (0–23, local time) when expired files are
    /// deleted, RocketMQ's `04;16` form; each once, sorted ascending.
    public internal(set) var deleteWhenHours: [Int] = [4]
    /// Default 75 (RocketMQ's). At or above this percent of its store's file system used, a node
    /// deletes expired files at once instead of waiting for a `deleteWhen` hour; 10–99, at most
    /// ``diskSpaceCleanForciblyRatio``.
    public internal(set) var diskMaxUsedSpaceRatio: Int = 75
    /// Default 85 (RocketMQ's). At or above this percent used, a node deletes its oldest data file
    /// even unexpired (never past its snapshot or what a live follower still needs); 10–99, at
    /// most ``diskSpaceWarningLevelRatio``.
    public internal(set) var diskSpaceCleanForciblyRatio: Int = 85
    /// Default 3000. How long a client waits for a send to be acknowledged; 1–600000 ms.
    public internal(set) var sendTimeoutMs: Int = 3000
    /// Optional. The TCP port of the node's admin HTTP server (`/healthz`, `/metrics`, `/api`, the
    /// dashboard `/`); 1–65535, not the node's own port. Without it the node serves no admin port.
    public internal(set) var adminPort: Int? = nil
    /// Default `127.0.0.1`. The IPv4 address the admin port binds to (`0.0.0.0`: every
    /// interface). Only with `adminPort`.
    public internal(set) var adminAddress: String = "127.0.0.1"

    /// Optional on loopback, required otherwise. The file holding the group's secret (16 to
    /// 4096 bytes, readable by its owner only), which peers prove they know before their Raft
    /// messages are accepted; a relative path is resolved against the directory the node starts
    /// in. The file is read by ``loadClusterSecret(source:)`` when the node starts.
    public internal(set) var clusterSecretFile: String? = nil
    /// The line that set `clusterSecretFile`, for errors about the file.
    var clusterSecretFileLine: Int? = nil
    /// Optional (RocketMQ's broker key). The TCP port of the node's RocketMQ remoting front end,
    /// bound on this node's host from `peers`; 1–65535, distinct from the node's other ports.
    /// Requires ``remotingPeers``. Without it the node speaks only its own protocol.
    public internal(set) var listenPort: Int? = nil
    /// Optional. The TCP port of the node's embedded RocketMQ NameServer, bound like
    /// ``listenPort``; 1–65535, distinct from the node's other ports. Only with `listenPort`.
    public internal(set) var namesrvPort: Int? = nil
    /// Required with `listenPort`. Every member's remoting address (`id-host:port`, the ids of
    /// `peers`, each once), so any node's NameServer can name the leader's; this node's entry
    /// must carry `listenPort`.
    public internal(set) var remotingPeers: [Peer] = []

    /// Default false (RocketMQ's `aclEnable`). When true, client requests on both protocols must
    /// be signed by an account of ``aclFile`` that holds the permission they need.
    public internal(set) var aclEnable: Bool = false
    /// Default `conf/plain_acl.yml` (RocketMQ's `plain_acl.yml` format); a relative path is
    /// resolved against the directory the node starts in. Read only when ``aclEnable`` is true:
    /// at start by ``loadAccessControlList(source:)``, and again by the node whenever it changes.
    public internal(set) var aclFile: String = "conf/plain_acl.yml"
    /// Default true. With ``aclEnable``, whether `/metrics` and `/healthz` of the admin port stay
    /// open (false: they need an admin account too, like every other admin route). Only with
    /// ``adminPort``; false only with ``aclEnable``.
    public internal(set) var adminMetricsOpen: Bool = true
    /// The line that set `aclFile` (or `aclEnable`), for errors about the file.
    var aclFileLine: Int? = nil

    /// The remoting address of member `id`, if configured.
    public func remotingPeer(_ id: NodeID) -> Peer? { remotingPeers.first { $0.id == id } }

    /// The required values and every default; the parser then applies and checks the rest.
    init(group: String, selfPeer: Peer, peers: [Peer], storeBaseDir: String) {
        self.group = group
        self.selfPeer = selfPeer
        self.peers = peers
        self.storeBaseDir = storeBaseDir
    }

    /// The member with `id`, if any.
    public func peer(_ id: NodeID) -> Peer? { peers.first { $0.id == id } }

    /// The members other than this node.
    public var otherPeers: [Peer] { peers.filter { $0.id != selfPeer.id } }

    /// The ACL from ``aclFile`` when ``aclEnable`` is true, else nil. Throws, naming `source`,
    /// the line of `aclFile` and the problem in the ACL file (its own file and line), when the
    /// file cannot be read or does not parse.
    public func loadAccessControlList(source: String) throws(ConfigError) -> AccessControlList? {
        guard aclEnable else { return nil }
        do {
            return try AccessControlList.load(path: aclFile)
        } catch {
            throw ConfigError(source: source, line: aclFileLine, problem: .unusableAclFile(error))
        }
    }

    /// The group secret from ``clusterSecretFile``, or nil when none is configured (allowed only
    /// when every peer is on loopback: then peers are not authenticated).
    ///
    /// Throws, naming `source`, the line and the secret file, when the file is missing,
    /// unreadable, not a regular file, accessible to group or others, empty, or shorter than
    /// 16 bytes.
    public func loadClusterSecret(source: String) throws(ConfigError) -> ClusterSecret? {
        guard let path = clusterSecretFile else { return nil }
        do {
            return try ClusterSecret.load(path: path)
        } catch {
            throw ConfigError(
                source: source, line: clusterSecretFileLine, problem: .unusableSecretFile(path: path, error))
        }
    }
}
