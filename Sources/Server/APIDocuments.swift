import Admin
import Bytes
import CommitLog
import LedgerClient
import LedgerConfig
import LedgerModel
import LogStore
import Posix
import Raft
import Replica

/// The node's `/api` documents (`Sources/Admin/ADMIN.md`), rendered from memory on the event
/// loop when asked: this node's replica, the status its peers last sent it, its applied message
/// store. Nothing here waits on the network; each document has a bounded size.
struct APIDocuments: AdminSource {
    unowned let server: LedgerServer

    /// The most topics `/api/topics` lists (then `"truncated": true`).
    static let maxTopics = 500
    /// The most bytes of a client id or a subscription expression `/api/groups` shows (the
    /// report's other bounds are ``LedgerServer/maxReportedGroups`` and its neighbours).
    static let maxClientTextBytes = 256
    /// The most messages `/api/message` returns for a key, and the most body bytes of each.
    static let maxMessages = 16
    static let maxBodyBytes = 4_096
    /// A peer whose last status answer is older than this is shown down (three polls missed).
    static let staleStatusAge: Duration = .milliseconds(1_500)

    func metricsText() -> String { server.metricsText() }

    var recentEvents: EventRing { server.events }

    func checkAccess(_ request: HTTPRequest, to route: AdminRoute?) throws(APIError) {
        _ = try AdminGate(acl: server.acl?.current, monitoringOpen: server.options.adminMetricsOpen)
            .check(request, to: route)
    }

    // MARK: - The group

    /// Every member as this node sees it now: itself from its replica, each peer from the last
    /// status it answered over a live link (down when the link is down or the answer is stale).
    /// The same view `ledger status` builds by asking each node itself.
    var view: ClusterView {
        let now = ContinuousClock.now
        let me = server.options.me
        var nodes = [NodeStatus(peer: peer(me), result: .success(server.replica.status))]
        for link in server.links {
            let member = link.member
            let result: Result<StatusResponse, LedgerClientError>
            if link.isConnected, let last = link.lastStatus, now - last.receivedAt <= Self.staleStatusAge {
                result = .success(last.status)
            } else {
                let reason =
                    if !link.isConnected {
                        link.downReason ?? "not connected"
                    } else if let last = link.lastStatus {
                        "no status answer for \((now - last.receivedAt).wholeMilliseconds) ms"
                    } else {
                        "no status answer yet"
                    }
                result = .failure(.unreachable(node: member.name, address: member.address.description, reason: reason))
            }
            nodes.append(NodeStatus(peer: peer(member), result: result))
        }
        nodes.sort { $0.peer.id < $1.peer.id }
        return ClusterView(nodes: nodes)
    }

    private func peer(_ member: Member) -> Peer {
        Peer(name: member.name, id: member.id, host: member.address.host, port: member.address.port)
    }

    /// One node as `ledger status --json` shows it: `id`, `address`, `up`, `role`, `term`,
    /// `leader`, `lastIndex`, `commitIndex`, `appliedIndex`, `lag`, `catchingUp`, `uptimeMs`,
    /// `firstIndex`, `diskUsedRatio`, `writable`, `error` (members written inside an open object).
    private func writeStatusMembers(_ node: NodeStatus, of view: ClusterView, into writer: inout JSONWriter) {
        let status = node.response
        writer.member("id", node.peer.name)
        writer.member("address", node.peer.address)
        writer.member("up", status != nil)
        writer.member("role", node.roleName)
        writer.member("term", status?.term.rawValue)
        writer.member("leader", status?.leader.map { view.name(of: $0) })
        writer.member("lastIndex", status?.lastIndex.rawValue)
        writer.member("commitIndex", status?.commit.rawValue)
        writer.member("appliedIndex", status?.applied.rawValue)
        writer.member("lag", view.lag(of: node))
        writer.member("catchingUp", view.isCatchingUp(node))
        writer.member("uptimeMs", status?.uptimeMs)
        writer.member("firstIndex", status?.firstIndex.rawValue)
        writer.member("diskUsedRatio", status?.diskUsedRatio)
        writer.member("writable", status?.writable)
        if case .failure(let error) = node.result {
            writer.member("error", error.shortReason)
        } else {
            writer.member("error", String?.none)
        }
    }

    /// Messages ever stored on this node: the sum of every queue's max offset (each message
    /// takes one queue offset, and no offset is ever taken back). Its growth per second is
    /// the dashboard's throughput.
    private var messagesIn: Int64 {
        server.replica.stateMachine.topicList().reduce(0) { total, topic in
            topic.queues.reduce(total) { $0 + $1.maxOffset.rawValue }
        }
    }

    func nodeDocument() -> [UInt8] {
        let view = view
        let replica = server.replica!
        let raft = replica.core.status
        var writer = JSONWriter(capacity: 1_024)
        writer.beginObject()
        writeStatusMembers(view.nodes.first { $0.peer.id == server.options.selfID }!, of: view, into: &writer)
        writer.member("group", server.options.group)
        writer.member("nodeId", server.options.selfID.rawValue)
        writer.member("durableIndex", replica.store.durableIndex.rawValue)
        writer.member("messagesIn", messagesIn)
        writer.member("messagesConsumed", server.replica.stateMachine.committedOffsetTotal)
        writer.key("followers")
        writer.beginArray()
        for follower in raft.followers {
            let lag = raft.lastIndex > follower.match ? raft.lastIndex.rawValue - follower.match.rawValue : 0
            writer.beginObject()
            writer.member("id", server.options.member(follower.id)?.name ?? "\(follower.id)")
            writer.member("match", follower.match.rawValue)
            writer.member("lag", lag)
            writer.member("catchingUp", lag >= StatusResponse.catchingUpLag)
            writer.member("state", follower.state)
            writer.member("recentlyActive", follower.recentlyActive)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    func groupDocument() -> [UInt8] {
        let view = view
        var writer = JSONWriter(capacity: 2_048)
        writer.beginObject()
        writer.member("group", server.options.group)
        writer.member("servedBy", server.options.me.name)
        writer.member("leader", view.leader?.peer.name)
        writer.member("term", view.term?.rawValue)
        writer.member("messagesIn", messagesIn)
        writer.member("messagesConsumed", server.replica.stateMachine.committedOffsetTotal)
        writer.key("nodes")
        writer.beginArray()
        for node in view.nodes {
            writer.beginObject()
            writeStatusMembers(node, of: view, into: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    // MARK: - Topics, consumer groups, messages

    func topicsDocument() -> [UInt8] {
        let topics = server.replica.stateMachine.topicList()
        let now = ContinuousClock.now
        let received = server.replica.messagesReceived
        let delivered = server.metrics.messagesDelivered
        var writer = JSONWriter(capacity: 4_096)
        writer.beginObject()
        writer.member("truncated", topics.count > Self.maxTopics)
        writer.member("rateWindowSeconds", server.topicRates.windowSeconds(at: now))
        writer.key("topics")
        writer.beginArray()
        for topic in topics.prefix(Self.maxTopics) {
            let rates = server.topicRates.rates(of: topic.name, at: now, received: received, delivered: delivered)
            writer.beginObject()
            writer.member("name", topic.name)
            writer.member("messages", topic.queues.reduce(0) { $0 + $1.maxOffset.rawValue - $1.minOffset.rawValue })
            writer.member("received", received.count(of: topic.name))
            writer.member("delivered", delivered.count(of: topic.name))
            writer.member("inPerSecond", rates?.in.map(Self.hundredths))
            writer.member("outPerSecond", rates?.out.map(Self.hundredths))
            writer.key("queues")
            writer.beginArray()
            for (id, range) in topic.queues.enumerated() {
                writer.beginObject()
                writer.member("queueId", id)
                writer.member("minOffset", range.minOffset.rawValue)
                writer.member("maxOffset", range.maxOffset.rawValue)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// `value` rounded to two decimals, as rates are shown.
    private static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// `/api/groups`: the report `ledger groups` shows too (``LedgerServer/consumerGroupsReport(only:now:)``),
    /// with client ids and expressions cut to ``maxClientTextBytes``.
    func consumerGroupsDocument() -> [UInt8] {
        let report = server.consumerGroupsReport(now: WallClock.nowMilliseconds())
        func cut(_ text: String) -> String {
            String(decoding: Array(text.utf8).utf8Prefix(maxBytes: Self.maxClientTextBytes), as: UTF8.self)
        }
        var writer = JSONWriter(capacity: 4_096)
        writer.beginObject()
        writer.key("groups")
        writer.beginArray()
        for group in report.groups {
            writer.beginObject()
            writer.member("group", group.group)
            writer.member("totalLag", group.totalLag)
            writer.key("members")
            writer.beginArray()
            for member in group.members {
                writer.beginObject()
                writer.member("clientId", cut(member.clientID))
                writer.member("address", member.address)
                writer.member("lastHeartbeatAgeMs", member.lastHeartbeatAgeMs)
                writer.endObject()
            }
            writer.endArray()
            writer.key("subscriptions")
            writer.beginArray()
            for subscription in group.subscriptions {
                writer.beginObject()
                writer.member("topic", subscription.topic)
                writer.member("expression", cut(subscription.expression))
                writer.endObject()
            }
            writer.endArray()
            writer.key("queues")
            writer.beginArray()
            for item in group.progress {
                writer.beginObject()
                writer.member("topic", item.queue.topic)
                writer.member("queueId", item.queue.queueID)
                writer.member("committedOffset", item.committedOffset.rawValue)
                writer.member("maxOffset", item.maxOffset.rawValue)
                writer.member("lag", item.lag)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.member("truncated", report.truncated)
        writer.endObject()
        return writer.bytes
    }

    func messageDocument(_ lookup: MessageLookup) throws(APIError) -> [UInt8] {
        let store = server.replica.stateMachine
        let messages: [StoredMessage]
        do {
            switch lookup {
            case .key(let topic, let key):
                messages = try store.messages(topic: topic, key: key, maxCount: Self.maxMessages)
            case .messageID(let id):
                messages = [try store.message(id: id)]
            }
        } catch {
            switch error {
            case .topicNotFound: throw .notFound(parameter: "topic", error.description)
            case .invalidMessageID: throw .badParameter(name: "msgId", error.description)
            case .noMessage: throw .notFound(parameter: "msgId", error.description)
            case .queueNotFound, .invalidArgument, .unreadable: throw .unreadable(error.description)
            }
        }
        var writer = JSONWriter(capacity: 1_024 + messages.count * (Self.maxBodyBytes + 512))
        writer.beginObject()
        writer.key("messages")
        writer.beginArray()
        for message in messages { write(message, into: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// One message with the field names of `ledger message --json`; the body as UTF-8 text cut
    /// to ``maxBodyBytes`` (`bodyTruncated`), or null when it is not UTF-8; `bodySize` its length.
    private func write(_ message: StoredMessage, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("topic", message.topic)
        writer.member("queueId", message.queueID)
        writer.member("queueOffset", message.queueOffset.rawValue)
        writer.member("physicalOffset", message.physicalOffset.rawValue)
        writer.member("msgId", message.messageID)
        writer.member("tags", message.tags)
        writer.member("keys", message.keys.isEmpty ? nil : message.keys.joined(separator: " "))
        writer.member("bodySize", message.body.count)
        let body = message.body.utf8Prefix(maxBytes: Self.maxBodyBytes)
        writer.member("body", String(validating: body, as: UTF8.self))
        writer.member("bodyTruncated", body.count < message.body.count)
        writer.member("bornTimestamp", message.bornTimestamp)
        writer.member("storeTimestamp", message.storeTimestamp)
        writer.endObject()
    }
}
