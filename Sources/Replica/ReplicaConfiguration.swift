import CommitLog
import LedgerModel
import Raft

/// One member of the group as a replica names it in answers and log lines.
public struct ReplicaMember: Sendable, Hashable {
    public var id: NodeID
    /// The configured name, e.g. `n0`.
    public var name: String
    /// Where clients reach it (`127.0.0.1:40911`), told to clients redirected to it.
    public var address: String

    public init(id: NodeID, name: String, address: String) {
        self.id = id
        self.name = name
        self.address = address
    }
}

/// How one replica behaves: its group, its Raft settings, when it syncs and persists.
public struct ReplicaConfiguration: Sendable {
    public var group: String
    /// This node's Raft settings (`raft.id` is this node; `raft.applied` is set by the replica
    /// from the state machine it is given).
    public var raft: RaftConfig
    /// Every member, this node included.
    public var members: [ReplicaMember]
    /// The address stamped as the store host of the messages this node proposes as leader.
    public var storeHost: HostAddress
    /// SYNC_FLUSH: acknowledge and vote only once the covering sync completed. Otherwise
    /// (ASYNC_FLUSH) sync every ``flushIntervalMilliseconds`` and acknowledge at once.
    public var syncBeforeAcknowledging = true
    public var flushIntervalMilliseconds: Int64 = 10
    /// How often the state machine is persisted (its checkpoint written) while entries apply.
    public var persistIntervalMilliseconds: Int64 = 1000
    /// Entries applied since the last persist that force one at once, bounding the replay
    /// after a crash.
    public var persistEveryEntries = 50_000
    /// Index bytes applied since the last persist that force one at once: the state machine
    /// holds them in memory until their persist completes, so this bounds its memory.
    public var persistEveryBytes = 8 << 20
    /// At or above this share of its disk used (percent), a node refuses writes (RocketMQ's
    /// `diskSpaceWarningLevelRatio`); a leader also refuses them while no majority of the
    /// members reports a disk below it, and hands leadership on while its own disk is that full.
    public var diskSpaceWarningLevelRatio = 90
    /// When the oldest data files of the log are deleted.
    public var retention = RetentionPolicy()
    /// The most record bytes one pull answer carries (at least one message is always returned).
    public var maxPullResponseBytes = 8 << 20
    /// Reconsume times after which a sent-back message goes to the dead-letter topic, when the
    /// consumer does not say (RocketMQ's subscription group `retryMaxTimes`, 16).
    public var maxReconsumeTimes: Int32 = 16
    /// When and how often undecided transactions are checked back.
    public var transactions = TransactionPolicy()
    /// How long an orderly consumer's queue lock lasts after its holder last locked it.
    public var queueLockExpiryMilliseconds = QueueLocks.defaultExpiryMilliseconds
    /// Bytes of snapshot one piece carries (at most ``SnapshotChunk/maxDataBytes``).
    public var snapshotChunkBytes = SnapshotChunk.maxDataBytes {
        didSet { precondition((1...SnapshotChunk.maxDataBytes).contains(snapshotChunkBytes)) }
    }
    /// Deliberately broken orchestration, so tests can prove the simulator's checkers bite.
    /// Never set in production.
    package var brokenRules: ReplicaBrokenRules = []

    public init(group: String, raft: RaftConfig, members: [ReplicaMember], storeHost: HostAddress) {
        self.group = group
        self.raft = raft
        self.members = members
        self.storeHost = storeHost
    }

    /// This node.
    public var me: ReplicaMember {
        guard let me = members.first(where: { $0.id == raft.id }) else {
            preconditionFailure("node \(raft.id) is not among the members")
        }
        return me
    }

    public func member(_ id: NodeID?) -> ReplicaMember? {
        guard let id else { return nil }
        return members.first { $0.id == id }
    }
}

/// Orchestration rules a test can break on purpose.
package struct ReplicaBrokenRules: OptionSet, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Answer reads from the applied state at once, without confirming leadership (ReadIndex).
    package static let staleReads = ReplicaBrokenRules(rawValue: 1 << 0)
    /// Send acknowledgements and votes without waiting for the sync that covers them.
    package static let answerBeforeSync = ReplicaBrokenRules(rawValue: 1 << 1)
    /// Grant every queue lock asked for, held by another client or not.
    package static let sharedQueueLocks = ReplicaBrokenRules(rawValue: 1 << 2)
}
