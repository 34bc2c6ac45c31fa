/// A producer's decision on a half message (RocketMQ's END_TRANSACTION `commitOrRollback`).
public enum TransactionOutcome: Hashable, Sendable, CustomStringConvertible {
    case commit
    case rollback
    /// Not decided yet: the half message stays, and is checked back later.
    case unknown

    public var description: String {
        switch self {
        case .commit: "commit"
        case .rollback: "rollback"
        case .unknown: "unknown"
        }
    }
}

/// END_TRANSACTION: the producer of the half message at `half` decided its fate. A commit moves
/// the message into its real topic; a rollback drops it; unknown leaves it to be checked.
public struct EndTransactionRequest: Hashable, Sendable {
    public var half: PhysicalOffset
    public var outcome: TransactionOutcome
    public var producerGroup: String

    public init(half: PhysicalOffset, outcome: TransactionOutcome, producerGroup: String) {
        self.half = half
        self.outcome = outcome
        self.producerGroup = producerGroup
    }
}

/// The command a rollback proposes: forget the half message at `half`.
public struct TransactionRollback: Hashable, Sendable {
    public var half: PhysicalOffset

    public init(half: PhysicalOffset) { self.half = half }
}

/// The command a leader proposes when a half message has waited past the transaction timeout:
/// count one check back at `at` (the leader's clock), or, when `discard`, drop the message
/// after its last allowed check. Every replica applies the same count; the leader then asks a
/// producer of the group.
public struct TransactionCheck: Hashable, Sendable {
    public var half: PhysicalOffset
    public var at: Int64
    public var discard: Bool
    /// The checks counted when the leader decided: the command applies only if that is still
    /// so, so two leaders' checks of one round count once.
    public var after: Int32

    public init(half: PhysicalOffset, at: Int64, discard: Bool, after: Int32) {
        self.half = half
        self.at = at
        self.discard = discard
        self.after = after
    }
}

/// CONSUMER_SEND_MSG_BACK: consumer `group` failed the message at `offset` and wants it again
/// later. It goes to `%RETRY%<group>` by way of delay level `delayLevel` (0: `3 + reconsume
/// times`), or to `%DLQ%<group>` once it was reconsumed `maxReconsumeTimes` times (or when
/// `delayLevel` is negative).
public struct SendBackRequest: Hashable, Sendable {
    public var group: String
    public var offset: PhysicalOffset
    public var delayLevel: Int32
    /// The client's maximum; nil for the node's default (16).
    public var maxReconsumeTimes: Int32?

    public init(group: String, offset: PhysicalOffset, delayLevel: Int32 = 0, maxReconsumeTimes: Int32? = nil) {
        self.group = group
        self.offset = offset
        self.delayLevel = delayLevel
        self.maxReconsumeTimes = maxReconsumeTimes
    }
}
