/// What a frame carries. An open set of constants rather than an enum, so a frame with an opcode
/// this build does not know still parses at the framing layer and can be answered with an error.
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    // Raft messages between peers: one-way, one opcode per `Raft.Message.Body` case.
    /// `Message.Body.append`.
    public static let raftAppend = Opcode(rawValue: 1)
    /// `Message.Body.appendResponse`.
    public static let raftAppendResponse = Opcode(rawValue: 2)
    /// `Message.Body.heartbeat`.
    public static let raftHeartbeat = Opcode(rawValue: 3)
    /// `Message.Body.heartbeatResponse`.
    public static let raftHeartbeatResponse = Opcode(rawValue: 4)
    /// `Message.Body.vote` (vote and pre-vote).
    public static let raftVote = Opcode(rawValue: 5)
    /// `Message.Body.voteResponse`.
    public static let raftVoteResponse = Opcode(rawValue: 6)
    /// `Message.Body.timeoutNow`.
    public static let raftTimeoutNow = Opcode(rawValue: 7)
    /// `Message.Body.installSnapshot`: the leader's offer of a snapshot. Nodes send its bytes
    /// as ``snapshotChunk`` frames instead; a bare offer is ignored by the receiver.
    public static let raftInstallSnapshot = Opcode(rawValue: 8)
    /// One-way, between peers: a piece of a state snapshot (``SnapshotChunk``), the bytes of an
    /// InstallSnapshot offer.
    public static let snapshotChunk = Opcode(rawValue: 9)

    // Request/response pairs: the response reuses the request's opcode with the response flag.
    /// A peer connection's first frame: the connecting node says who it is.
    public static let handshake = Opcode(rawValue: 16)
    /// One-way, between peers, after the handshake: proof of the group secret (``PeerProof``).
    public static let peerProof = Opcode(rawValue: 17)
    /// Node status for the CLI.
    public static let status = Opcode(rawValue: 32)
    /// Append one entry to the replicated log.
    public static let append = Opcode(rawValue: 33)
    /// Read one committed entry.
    public static let get = Opcode(rawValue: 34)
    /// Ask the leader to hand leadership to another node.
    public static let transferLeader = Opcode(rawValue: 35)
    // Message operations (the CommitLog state machine); payloads in `MessagePayloads.swift`.
    /// Store one message or a batch; also one-way (no answer).
    public static let send = Opcode(rawValue: 36)
    /// Read messages of one queue from an offset, optionally waiting for new ones.
    public static let pull = Opcode(rawValue: 37)
    /// A queue's min and max offset.
    public static let queueOffsets = Opcode(rawValue: 38)
    /// The first offset of a queue stored at or after a time.
    public static let searchOffset = Opcode(rawValue: 39)
    /// Messages of a topic by key.
    public static let messagesByKey = Opcode(rawValue: 40)
    /// One message by physical offset or message id.
    public static let viewMessage = Opcode(rawValue: 41)
    /// Every topic with its queues' offsets.
    public static let topics = Opcode(rawValue: 42)
    /// Record a consumer group's offset (through the log).
    public static let commitOffset = Opcode(rawValue: 43)
    /// A consumer group's committed offsets and lag.
    public static let consumerOffsets = Opcode(rawValue: 44)
    /// Create a topic or grow its queues (through the log); payloads in `TopicPayloads.swift`.
    public static let updateTopic = Opcode(rawValue: 45)
    /// Delete a topic (through the log).
    public static let deleteTopic = Opcode(rawValue: 46)
    /// A topic's queues with their offsets and store times.
    public static let describeTopic = Opcode(rawValue: 47)
    /// Test only: cut the node off from some peers at the transport layer (the chaos runner's
    /// partitions). Refused unless the node was started with `--fault-injection`.
    public static let faultInjection = Opcode(rawValue: 48)
    /// A consumer's send-back of a message it failed (RocketMQ's CONSUMER_SEND_MSG_BACK).
    public static let sendBack = Opcode(rawValue: 49)
    /// A producer's decision on a transaction's half message (RocketMQ's END_TRANSACTION).
    public static let endTransaction = Opcode(rawValue: 50)
    // Consumer groups (the leader's front-end tables, shared with the RocketMQ port); payloads in
    // `ConsumerGroupPayloads.swift`.
    /// A consumer joins or stays in a group.
    public static let consumerHeartbeat = Opcode(rawValue: 56)
    /// A group's live members.
    public static let consumerMembers = Opcode(rawValue: 57)
    /// A consumer leaves a group.
    public static let unregisterConsumer = Opcode(rawValue: 58)
    /// Lock or renew queues for one member of a group (orderly consumption).
    public static let lockQueues = Opcode(rawValue: 59)
    /// Release queue locks.
    public static let unlockQueues = Opcode(rawValue: 60)
    /// Every consumer group with its members, subscriptions and progress.
    public static let consumerGroups = Opcode(rawValue: 61)
    /// The consumer-group opcodes, in `rawValue` order.
    public static let consumerGroupOpcodes: [Opcode] = [
        .consumerHeartbeat, .consumerMembers, .unregisterConsumer, .lockQueues, .unlockQueues, .consumerGroups,
    ]

    /// The one-way Raft opcodes, in `rawValue` order.
    public static let raftOpcodes: [Opcode] = [
        .raftAppend, .raftAppendResponse, .raftHeartbeat, .raftHeartbeatResponse, .raftVote, .raftVoteResponse,
        .raftTimeoutNow, .raftInstallSnapshot,
    ]
    /// The request/response opcodes, in `rawValue` order.
    public static let requestOpcodes: [Opcode] =
        [
            .handshake, .status, .append, .get, .transferLeader, .send, .pull, .queueOffsets, .searchOffset,
            .messagesByKey, .viewMessage, .topics, .commitOffset, .consumerOffsets, .updateTopic, .deleteTopic,
            .describeTopic, .faultInjection, .sendBack, .endTransaction,
        ] + consumerGroupOpcodes

    /// Whether this opcode carries a one-way Raft message.
    public var isRaft: Bool { (1...8).contains(rawValue) }

    /// Whether frames of this opcode are always one-way (Raft messages and `peerProof`): never
    /// answered, not even with an error.
    public var isOneWayOnly: Bool { isRaft || self == .peerProof || self == .snapshotChunk }

    /// Whether this build defines the opcode.
    public var isKnown: Bool { isOneWayOnly || Opcode.requestOpcodes.contains(self) }

    /// `3 (raftHeartbeat)`: the number and the name.
    public var description: String { "\(rawValue) (\(name))" }

    /// The opcode's name, `append`; `unknown` for one this build does not define.
    public var name: String {
        switch self {
        case .raftAppend: "raftAppend"
        case .raftAppendResponse: "raftAppendResponse"
        case .raftHeartbeat: "raftHeartbeat"
        case .raftHeartbeatResponse: "raftHeartbeatResponse"
        case .raftVote: "raftVote"
        case .raftVoteResponse: "raftVoteResponse"
        case .raftTimeoutNow: "raftTimeoutNow"
        case .raftInstallSnapshot: "raftInstallSnapshot"
        case .snapshotChunk: "snapshotChunk"
        case .peerProof: "peerProof"
        case .handshake: "handshake"
        case .status: "status"
        case .append: "append"
        case .get: "get"
        case .transferLeader: "transferLeader"
        case .send: "send"
        case .pull: "pull"
        case .queueOffsets: "queueOffsets"
        case .searchOffset: "searchOffset"
        case .messagesByKey: "messagesByKey"
        case .viewMessage: "viewMessage"
        case .topics: "topics"
        case .commitOffset: "commitOffset"
        case .consumerOffsets: "consumerOffsets"
        case .updateTopic: "updateTopic"
        case .deleteTopic: "deleteTopic"
        case .describeTopic: "describeTopic"
        case .faultInjection: "faultInjection"
        case .sendBack: "sendBack"
        case .endTransaction: "endTransaction"
        case .consumerHeartbeat: "consumerHeartbeat"
        case .consumerMembers: "consumerMembers"
        case .unregisterConsumer: "unregisterConsumer"
        case .lockQueues: "lockQueues"
        case .unlockQueues: "unlockQueues"
        case .consumerGroups: "consumerGroups"
        default: "unknown"
        }
    }
}
