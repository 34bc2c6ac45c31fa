import LedgerModel

// What a chaos run records of the messages the store holds back and moves itself: delayed
// sends, transactions, consumers' send-backs, and the record fields the checks read of them.

/// What a producer operation of the message workload asked the store to do with its message.
enum ChaosOperationKind: Sendable, Hashable, CustomStringConvertible {
    /// Store it in its queue at once (and every raw append).
    case send
    /// Hold it in the schedule topic's queue `level - 1` until the level's delay passed, then
    /// move it into its queue.
    case delayed(level: Int32)
    /// A half message, then its producer's decision (nil: left undecided for the leader's check
    /// backs, which nobody answers, to discard).
    case transaction(ChaosTransactionEnd?)

    var description: String {
        switch self {
        case .send: "send"
        case .delayed(let level): "delayed send (level \(level))"
        case .transaction(nil): "transaction left undecided"
        case .transaction(let end?): "transaction, \(end.commit ? "commit" : "rollback") \(end.outcome)"
        }
    }
}

/// A producer's commit or rollback of its half message, and how that request ended. An
/// acknowledged decision names the half message's position. A request the leader refused as
/// "not pending" counts as indeterminate: an earlier attempt of it may have been applied.
struct ChaosTransactionEnd: Sendable, Hashable {
    var commit: Bool
    var outcome: ChaosAttemptOutcome

    var acknowledged: Bool { if case .acknowledged = outcome { true } else { false } }
    var indeterminate: Bool { if case .indeterminate = outcome { true } else { false } }
}

/// Which copy of a message a stored record is, from the record alone.
enum ChaosCopy: Sendable, Hashable, CustomStringConvertible {
    /// In a topic of its own (a send, a delayed message's delivery, a committed transaction).
    case inTopic
    /// In the schedule topic, on its way to a topic of the workload: a delayed send.
    case delayed
    /// A transaction's half message.
    case half
    /// In the schedule topic on its way to `%RETRY%<group>`: a send-back.
    case sentBack(group: String)
    /// In `%RETRY%<group>`: a send-back delivered.
    case retried(group: String)
    /// In `%DLQ%<group>`: a send-back past its group's maximum reconsume times.
    case deadLettered(group: String)

    var description: String {
        switch self {
        case .inTopic: "in its topic"
        case .delayed: "held (delayed)"
        case .half: "half message"
        case .sentBack(let group): "sent back by \(group), held"
        case .retried(let group): "retried for \(group)"
        case .deadLettered(let group): "dead-lettered for \(group)"
        }
    }
}

/// What the held-message checks read of a stored message besides its position: every field
/// comes from its record (which the item's fingerprint covers).
struct ChaosMessageFacts: Sendable, Hashable {
    var topic: String
    var queueID: Int32
    var physicalOffset: Int64
    /// The store timestamp, ms since the epoch (the leader's wall clock when it proposed it).
    var storeTime: Int64
    var reconsumeTimes: Int32
    /// `DELAY`, `REAL_TOPIC` and `REAL_QID`, as held messages carry them.
    var delayLevel: Int32? = nil
    var realTopic: String? = nil
    var realQueueID: Int32? = nil
    /// The half message's offset, on a committed transaction's message (commit sys flag set).
    var committedHalf: Int64? = nil

    /// The facts of `message`.
    init(_ message: StoredMessage) {
        topic = message.topic
        queueID = message.queueID
        physicalOffset = message.physicalOffset.rawValue
        storeTime = message.storeTimestamp
        reconsumeTimes = message.reconsumeTimes
        delayLevel = message.property(MessageProperty.delayLevel).flatMap { Int32($0) }
        realTopic = message.property(MessageProperty.realTopic)
        realQueueID = message.property(MessageProperty.realQueueID).flatMap { Int32($0) }
        if message.sysFlag & MessageSysFlag.transactionCommit != 0 {
            committedHalf = message.preparedTransactionOffset
        }
    }

    /// Facts given field by field (doctored histories in tests).
    init(
        topic: String, queueID: Int32, physicalOffset: Int64, storeTime: Int64, reconsumeTimes: Int32 = 0,
        delayLevel: Int32? = nil, realTopic: String? = nil, realQueueID: Int32? = nil, committedHalf: Int64? = nil
    ) {
        self.topic = topic
        self.queueID = queueID
        self.physicalOffset = physicalOffset
        self.storeTime = storeTime
        self.reconsumeTimes = reconsumeTimes
        self.delayLevel = delayLevel
        self.realTopic = realTopic
        self.realQueueID = realQueueID
        self.committedHalf = committedHalf
    }

    /// Which copy the record is, by its topic (and, in the schedule topic, its real topic).
    var copy: ChaosCopy {
        if topic == SystemTopic.transactionHalf { return .half }
        if topic == SystemTopic.schedule {
            if let real = realTopic, real.hasPrefix(SystemTopic.retryPrefix) {
                return .sentBack(group: String(real.dropFirst(SystemTopic.retryPrefix.count)))
            }
            return .delayed
        }
        if topic.hasPrefix(SystemTopic.retryPrefix) {
            return .retried(group: String(topic.dropFirst(SystemTopic.retryPrefix.count)))
        }
        if topic.hasPrefix(SystemTopic.deadLetterPrefix) {
            return .deadLettered(group: String(topic.dropFirst(SystemTopic.deadLetterPrefix.count)))
        }
        return .inTopic
    }
}

/// A consumer's send-back (CONSUMER_SEND_MSG_BACK) of a message it read: `source` as it read
/// it; where the store put it, if acknowledged (the schedule topic on the way to
/// `%RETRY%<group>`, or `%DLQ%<group>`).
struct ChaosSendBack: Sendable, Hashable {
    var group: String
    var consumer: String
    var source: ChaosItem
    var delayLevel: Int32
    var maxReconsumeTimes: Int32
    var started: Duration
    var ended: Duration
    var outcome: ChaosAttemptOutcome

    /// Where it was acknowledged, if it was.
    var acknowledgedPosition: ChaosPosition? {
        if case .acknowledged(let position, _) = outcome { return position }
        return nil
    }
}
