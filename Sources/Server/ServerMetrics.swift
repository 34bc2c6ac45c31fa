import Admin
import LedgerModel
import Replica
import Wire

/// The I/O shell's own counters, bumped where each event happens (a few integer increments on
/// the hot path) and read only when `/metrics` is scraped. Figures the node core and the log
/// store keep themselves (terms, indexes, elections, bytes written) are read from them at the
/// scrape instead. Every figure counts since the process started. Single-owner: the event loop.
struct ServerMetrics {
    /// The two ports a node accepts connections on.
    enum Port: String, CaseIterable {
        /// The node's own port: peers and clients.
        case node
        /// The admin HTTP port.
        case admin
        /// The RocketMQ broker port (`listenPort`).
        case remoting
        /// The embedded RocketMQ NameServer port (`namesrvPort`).
        case nameServer = "namesrv"
    }

    /// Connections accepted per port.
    var accepted: [Port: UInt64] = [:]
    /// Connections closed as they were accepted because the port had `maxConnections` open.
    var refused: [Port: UInt64] = [:]
    /// Connections closed as stalled (``StallWatch``), per port.
    var stalledClosed: [Port: UInt64] = [:]
    /// Client requests decoded, per request kind's opcode (one-way sends included).
    var requestsReceived: [Opcode: UInt64] = [:]
    /// Client requests answered, per opcode and result (`ok` or the error code).
    var requestsAnswered: [Answer: UInt64] = [:]
    /// How long each of the log's group-commit syncs took on the disk thread (its fdatasyncs).
    var logSyncSeconds = MetricHistogram(upperBounds: MetricHistogram.latencySecondsBounds)
    /// How long each persist of the message store took on the persist thread (write, sync and
    /// checkpoint replace).
    var statePersistSeconds = MetricHistogram(upperBounds: MetricHistogram.latencySecondsBounds)
    /// Admin HTTP answers per route (`other` for no route) and status code.
    var adminAnswers: [AdminAnswer: UInt64] = [:]
    /// Messages returned in pull answers (our `pull` and RocketMQ's PULL_MESSAGE) to clients
    /// still connected, by topic.
    var messagesDelivered = TopicCounters()

    struct Answer: Hashable {
        var opcode: Opcode
        /// `ok`, or ``ErrorResponse/Code/metricLabel``.
        var result: String
    }

    struct AdminAnswer: Hashable {
        var route: String
        var code: Int
    }

    mutating func accepted(on port: Port) { accepted[port, default: 0] += 1 }

    mutating func refused(on port: Port) { refused[port, default: 0] += 1 }

    mutating func stalled(on port: Port) { stalledClosed[port, default: 0] += 1 }

    mutating func received(_ kind: RequestKind) { requestsReceived[Opcode(kind), default: 0] += 1 }

    /// Counts a request the front end answers itself (a consumer-group request).
    mutating func received(_ opcode: Opcode) { requestsReceived[opcode, default: 0] += 1 }

    /// Counts the messages of `reply` when it answers a pull.
    mutating func delivered(_ reply: ClientReply) {
        guard case .pulled(let pulled) = reply, let first = pulled.result.messages.first else { return }
        // One pull reads one queue, so all its messages are of one topic.
        messagesDelivered.add(pulled.result.messages.count, topic: first.topic)
    }

    mutating func answered(_ reply: ClientReply) {
        let result = if case .error(let error, _) = reply { error.code.metricLabel } else { "ok" }
        answered(Opcode(reply.requestKind), result: result)
    }

    mutating func answered(_ opcode: Opcode, result: String) {
        requestsAnswered[Answer(opcode: opcode, result: result), default: 0] += 1
    }

    mutating func answeredAdmin(_ route: AdminRoute?, _ status: HTTPStatus) {
        adminAnswers[AdminAnswer(route: route?.rawValue ?? "other", code: status.code), default: 0] += 1
    }
}

extension ErrorResponse.Code {
    /// The `result` label of a request that failed with this code.
    var metricLabel: String {
        switch self {
        case .notLeader: "not_leader"
        case .noQuorum: "no_quorum"
        case .timeout: "timeout"
        case .badRequest: "bad_request"
        case .internal: "internal"
        case .outcomeUnknown: "outcome_unknown"
        case .busy: "busy"
        case .diskFull: "disk_full"
        case .noPermission: "no_permission"
        }
    }
}

extension ClientReply {
    /// The kind of request this answers.
    var requestKind: RequestKind {
        switch self {
        case .status: .status
        case .appended: .append
        case .entry: .get
        case .transferStarted: .transferLeader
        case .sent: .send
        case .sentBack: .sendBack
        case .transactionEnded: .endTransaction
        case .queuesLocked: .lockQueues
        case .queuesUnlocked: .unlockQueues
        case .offsetCommitted: .commitOffset
        case .pulled: .pull
        case .queueOffsets: .queueOffsets
        case .searchedOffset: .searchOffset
        case .messagesByKey: .messagesByKey
        case .viewedMessage: .viewMessage
        case .topics: .topics
        case .consumerOffsets: .consumerOffsets
        case .topicUpdated: .updateTopic
        case .topicDeleted: .deleteTopic
        case .topicDescription: .describeTopic
        case .error(_, let kind): kind
        }
    }
}
