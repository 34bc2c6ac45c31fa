import Bytes
import LedgerModel

// Codecs of the consumer-group operations (opcodes 56–61). Layouts are in PROTOCOL.md
// ("Consumer groups"); the opcode says which request or response a payload is.

extension ConsumerGroupRequest {
    /// The opcode of the frame that carries this request (and its answer).
    public var opcode: Opcode {
        switch self {
        case .heartbeat: .consumerHeartbeat
        case .members: .consumerMembers
        case .unregister: .unregisterConsumer
        case .lock: .lockQueues
        case .unlock: .unlockQueues
        case .groups: .consumerGroups
        }
    }

    /// Appends the request's payload.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .heartbeat(let heartbeat):
            writer.writeString(heartbeat.clientID)
            writer.writeString(heartbeat.group)
            writer.writeCount(heartbeat.subscriptions.count)
            for subscription in heartbeat.subscriptions { writer.writeSubscription(subscription) }
        case .members(let group):
            writer.writeString(group)
        case .unregister(let clientID, let group):
            writer.writeString(clientID)
            writer.writeString(group)
        case .lock(let request), .unlock(let request):
            writer.writeString(request.clientID)
            writer.writeString(request.group)
            writer.writeQueues(request.queues)
        case .groups(let group):
            writer.writeOptional(group) { $0.writeString($1) }
        }
    }

    /// Reads the request payload of `opcode`, one of ``Opcode/consumerGroupOpcodes``. A client id
    /// or group must not be empty; a queue id must not be negative.
    public static func decode(_ opcode: Opcode, from reader: inout ByteReader, limits: WireLimits)
        throws(DecodeError) -> ConsumerGroupRequest
    {
        switch opcode {
        case .consumerHeartbeat:
            let clientID = try reader.readName("clientId", limits)
            let group = try reader.readName("group", limits)
            // A subscription is at least two 4-byte lengths.
            let count = try reader.readCount("subscriptions", limit: Int(UInt16.max), minimumElementBytes: 8)
            var subscriptions: [ConsumerSubscription] = []
            subscriptions.reserveCapacity(count)
            for _ in 0..<count { subscriptions.append(try reader.readSubscription(limits)) }
            return .heartbeat(ConsumerHeartbeat(clientID: clientID, group: group, subscriptions: subscriptions))
        case .consumerMembers:
            return .members(group: try reader.readName("group", limits))
        case .unregisterConsumer:
            let clientID = try reader.readName("clientId", limits)
            return .unregister(clientID: clientID, group: try reader.readName("group", limits))
        case .lockQueues, .unlockQueues:
            let clientID = try reader.readName("clientId", limits)
            let group = try reader.readName("group", limits)
            let request = QueueLockRequest(clientID: clientID, group: group, queues: try reader.readQueues(limits))
            return opcode == .lockQueues ? .lock(request) : .unlock(request)
        case .consumerGroups:
            let group = try reader.readOptional("group") { (reader) throws(DecodeError) in
                try reader.readName("group", limits)
            }
            return .groups(group: group)
        default:
            preconditionFailure("opcode \(opcode) is not a consumer-group opcode")
        }
    }
}

extension ConsumerGroupResponse {
    /// The opcode of the frame that carries this response (its request's).
    public var opcode: Opcode {
        switch self {
        case .heartbeat: .consumerHeartbeat
        case .members: .consumerMembers
        case .unregister: .unregisterConsumer
        case .lock: .lockQueues
        case .unlock: .unlockQueues
        case .groups: .consumerGroups
        }
    }

    /// Appends the response's payload.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .heartbeat, .unregister, .unlock:
            break
        case .members(let clientIDs):
            writer.writeCount(clientIDs.count)
            for id in clientIDs { writer.writeString(id) }
        case .lock(let queues):
            writer.writeQueues(queues)
        case .groups(let report):
            writer.writeBool(report.truncated)
            writer.writeCount(report.groups.count)
            for group in report.groups {
                writer.writeString(group.group)
                writer.writeUInt64(UInt64(bitPattern: group.totalLag))
                writer.writeCount(group.members.count)
                for member in group.members {
                    writer.writeString(member.clientID)
                    writer.writeString(member.address)
                    writer.writeUInt64(UInt64(bitPattern: member.lastHeartbeatAgeMs))
                }
                writer.writeCount(group.subscriptions.count)
                for subscription in group.subscriptions { writer.writeSubscription(subscription) }
                writer.writeCount(group.progress.count)
                for item in group.progress {
                    writer.writeQueue(item.queue)
                    writer.writeUInt64(UInt64(bitPattern: item.committedOffset.rawValue))
                    writer.writeUInt64(UInt64(bitPattern: item.maxOffset.rawValue))
                }
            }
        }
    }

    /// Reads the response payload of `opcode`, one of ``Opcode/consumerGroupOpcodes``.
    public static func decode(_ opcode: Opcode, from reader: inout ByteReader, limits: WireLimits)
        throws(DecodeError) -> ConsumerGroupResponse
    {
        switch opcode {
        case .consumerHeartbeat: return .heartbeat
        case .unregisterConsumer: return .unregister
        case .unlockQueues: return .unlock
        case .consumerMembers:
            let count = try reader.readCount("members", limit: Int(UInt32.max), minimumElementBytes: 4)
            var ids: [String] = []
            ids.reserveCapacity(count)
            for _ in 0..<count { ids.append(try reader.readString("clientId", limit: limits.maxStringBytes)) }
            return .members(ids)
        case .lockQueues:
            return .lock(try reader.readQueues(limits))
        case .consumerGroups:
            return .groups(try reader.readGroupsReport(limits))
        default:
            preconditionFailure("opcode \(opcode) is not a consumer-group opcode")
        }
    }
}

extension ByteWriter {
    /// `string topic, string expression`.
    fileprivate mutating func writeSubscription(_ subscription: ConsumerSubscription) {
        writeString(subscription.topic)
        writeString(subscription.expression)
    }

    /// `count n, n × (string topic, u32 queueId)`.
    fileprivate mutating func writeQueues(_ queues: [MessageQueue]) {
        writeCount(queues.count)
        for queue in queues { writeQueue(queue) }
    }
}

extension ByteReader {
    /// A client id or group name: a string that must not be empty.
    fileprivate mutating func readName(_ field: String, _ limits: WireLimits) throws(DecodeError) -> String {
        let at = offset
        let name = try readString(field, limit: limits.maxStringBytes)
        guard !name.isEmpty else { throw .invalidValue(field: field, offset: at, reason: "empty") }
        return name
    }

    fileprivate mutating func readSubscription(_ limits: WireLimits) throws(DecodeError) -> ConsumerSubscription {
        let topic = try readString("topic", limit: limits.maxStringBytes)
        return ConsumerSubscription(
            topic: topic, expression: try readString("expression", limit: limits.maxStringBytes))
    }

    /// `count n, n × (string topic, u32 queueId)`; a queue id must not be negative.
    fileprivate mutating func readQueues(_ limits: WireLimits) throws(DecodeError) -> [MessageQueue] {
        let count = try readCount("queues", limit: Int(UInt16.max), minimumElementBytes: 8)
        var queues: [MessageQueue] = []
        queues.reserveCapacity(count)
        for _ in 0..<count {
            let topic = try readString("topic", limit: limits.maxStringBytes)
            let at = offset
            let id = Int32(bitPattern: try readUInt32("queueId"))
            guard id >= 0 else { throw .invalidValue(field: "queueId", offset: at, reason: "\(id) is negative") }
            queues.append(MessageQueue(topic: topic, queueID: id))
        }
        return queues
    }

    fileprivate mutating func readGroupsReport(_ limits: WireLimits) throws(DecodeError) -> ConsumerGroupsReport {
        let truncated = try readBool("truncated")
        let count = try readCount("groups", limit: Int(UInt32.max), minimumElementBytes: 24)
        var groups: [ConsumerGroupSummary] = []
        groups.reserveCapacity(count)
        for _ in 0..<count {
            let group = try readString("group", limit: limits.maxStringBytes)
            let totalLag = Int64(bitPattern: try readUInt64("totalLag"))
            let memberCount = try readCount("members", limit: Int(UInt32.max), minimumElementBytes: 16)
            var members: [ConsumerMember] = []
            members.reserveCapacity(memberCount)
            for _ in 0..<memberCount {
                let id = try readString("clientId", limit: limits.maxStringBytes)
                let address = try readString("address", limit: limits.maxStringBytes)
                let age = Int64(bitPattern: try readUInt64("lastHeartbeatAgeMs"))
                members.append(ConsumerMember(clientID: id, address: address, lastHeartbeatAgeMs: age))
            }
            let subscriptionCount = try readCount("subscriptions", limit: Int(UInt32.max), minimumElementBytes: 8)
            var subscriptions: [ConsumerSubscription] = []
            subscriptions.reserveCapacity(subscriptionCount)
            for _ in 0..<subscriptionCount { subscriptions.append(try readSubscription(limits)) }
            let progressCount = try readCount("queues", limit: Int(UInt32.max), minimumElementBytes: 24)
            var progress: [ConsumerProgress] = []
            progress.reserveCapacity(progressCount)
            for _ in 0..<progressCount {
                let queue = try readQueue(limits)
                let committed = try readQueueOffset("committedOffset")
                let high = try readQueueOffset("maxOffset")
                progress.append(
                    ConsumerProgress(group: group, queue: queue, committedOffset: committed, maxOffset: high))
            }
            groups.append(
                ConsumerGroupSummary(
                    group: group, members: members, subscriptions: subscriptions, progress: progress,
                    totalLag: totalLag))
        }
        return ConsumerGroupsReport(groups: groups, truncated: truncated)
    }
}
