// Consumer-group coordination: who belongs to a group, what it subscribes to, and which member
// holds which queue in order. Answered from the leader's front-end tables (the same ones the
// RocketMQ port fills from HEART_BEAT), not from the log: membership and queue locks are
// leader-local and start empty on a new leader.

/// One subscription of a consumer group: a topic and the tag expression its messages are
/// filtered by (`*`, `TagA || TagB`).
public struct ConsumerSubscription: Hashable, Sendable {
    public var topic: String
    public var expression: String

    public init(topic: String, expression: String) {
        self.topic = topic
        self.expression = expression
    }
}

/// A consumer's heartbeat: it is a live member of `group` on the connection it was sent on,
/// until it unregisters, the connection closes, or no heartbeat arrives for 120 s.
public struct ConsumerHeartbeat: Hashable, Sendable {
    /// The member's id, unique within the group; allocation sorts members by it.
    public var clientID: String
    public var group: String
    public var subscriptions: [ConsumerSubscription]

    public init(clientID: String, group: String, subscriptions: [ConsumerSubscription]) {
        self.clientID = clientID
        self.group = group
        self.subscriptions = subscriptions
    }
}

/// A member of `group` asking for (or giving up) the queues it consumes in order.
public struct QueueLockRequest: Hashable, Sendable {
    public var clientID: String
    public var group: String
    /// In the order asked; the answer keeps it.
    public var queues: [MessageQueue]

    public init(clientID: String, group: String, queues: [MessageQueue]) {
        self.clientID = clientID
        self.group = group
        self.queues = queues
    }
}

/// One live member of a consumer group, as the leader last heard it.
public struct ConsumerMember: Hashable, Sendable {
    public var clientID: String
    /// The member's address (`host:port`) as its connection shows it.
    public var address: String
    /// Milliseconds since its last heartbeat, on the leader's clock.
    public var lastHeartbeatAgeMs: Int64

    public init(clientID: String, address: String, lastHeartbeatAgeMs: Int64) {
        self.clientID = clientID
        self.address = address
        self.lastHeartbeatAgeMs = lastHeartbeatAgeMs
    }
}

/// A consumer group as the leader sees it: its live members (sorted by client id), their
/// distinct subscriptions (sorted), and its committed progress per queue (highest lag first).
public struct ConsumerGroupSummary: Hashable, Sendable {
    public var group: String
    public var members: [ConsumerMember]
    public var subscriptions: [ConsumerSubscription]
    public var progress: [ConsumerProgress]
    /// Messages not consumed yet over every queue the group committed on (also those a cut
    /// report leaves out of `progress`).
    public var totalLag: Int64

    /// A summary; `totalLag` defaults to the sum of `progress`'s lags.
    public init(
        group: String, members: [ConsumerMember], subscriptions: [ConsumerSubscription], progress: [ConsumerProgress],
        totalLag: Int64? = nil
    ) {
        self.group = group
        self.members = members
        self.subscriptions = subscriptions
        self.progress = progress
        self.totalLag = totalLag ?? progress.reduce(0) { $0 + $1.lag }
    }
}

/// The consumer groups the leader knows, highest total lag first (ties by name); `truncated`
/// when more groups, members or queue rows exist than one answer carries.
public struct ConsumerGroupsReport: Hashable, Sendable {
    public var groups: [ConsumerGroupSummary]
    public var truncated: Bool

    public init(groups: [ConsumerGroupSummary], truncated: Bool) {
        self.groups = groups
        self.truncated = truncated
    }
}

/// A consumer-group request of our own protocol (opcodes 56–61), answered by the leader's front
/// end; a node that does not lead refuses each with `notLeader`.
public enum ConsumerGroupRequest: Hashable, Sendable {
    /// Join (or stay in) a group; the answer is empty.
    case heartbeat(ConsumerHeartbeat)
    /// The client ids of a group's live members, sorted by their UTF-8 bytes.
    case members(group: String)
    /// Leave a group at once; the answer is empty.
    case unregister(clientID: String, group: String)
    /// Lock (or renew) queues for one member; the answer lists the queues it now holds.
    case lock(QueueLockRequest)
    /// Release queues the member holds; the answer is empty.
    case unlock(QueueLockRequest)
    /// Every group (or one), with members, subscriptions and progress.
    case groups(group: String?)
}

/// The answer to a ``ConsumerGroupRequest`` of the same kind.
public enum ConsumerGroupResponse: Hashable, Sendable {
    case heartbeat
    case members([String])
    case unregister
    case lock([MessageQueue])
    case unlock
    case groups(ConsumerGroupsReport)
}
