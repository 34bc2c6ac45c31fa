import Bytes
import LedgerModel
import Raft
import Wire

/// Seeded generators of protocol values, shared by the round-trip and fuzz tests.
struct WireSamples {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// A value that is often an edge (0, 1, max) and otherwise anything.
    mutating func u64() -> UInt64 {
        switch random.below(6) {
        case 0: 0
        case 1: 1
        case 2: UInt64.max
        case 3: random.below(1000)
        default: random.next()
        }
    }

    mutating func bool() -> Bool { random.chance(1, in: 2) }

    mutating func bytes(max: Int) -> [UInt8] {
        let count = Int(random.below(UInt64(max) + 1))
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// ASCII and multi-byte characters, so UTF-8 lengths differ from character counts.
    mutating func string(max: Int) -> String {
        let alphabet: [Character] = ["a", "Z", "0", "-", ":", ".", " ", "é", "日", "🚀"]
        let count = Int(random.below(UInt64(max) + 1))
        return String((0..<count).map { _ in alphabet[Int(random.below(UInt64(alphabet.count)))] })
    }

    mutating func entry() -> Entry {
        Entry(
            index: LogIndex(u64()), term: Term(u64()), kind: bool() ? .normal : .noop, data: bytes(max: 64))
    }

    /// One message for each body case, in case order, then random ones.
    mutating func body(_ choice: Int) -> Message.Body {
        switch choice % 8 {
        case 0:
            .append(
                AppendRequest(
                    prevIndex: LogIndex(u64()), prevTerm: Term(u64()),
                    entries: (0..<Int(random.below(5))).map { _ in entry() }, commit: LogIndex(u64())))
        case 1:
            .appendResponse(
                AppendResponse(
                    index: LogIndex(u64()), reject: bool(), hintIndex: LogIndex(u64()), hintTerm: Term(u64())))
        case 2: .heartbeat(Heartbeat(commit: LogIndex(u64()), readSequence: u64()))
        case 3: .heartbeatResponse(HeartbeatResponse(readSequence: u64()))
        case 4: .vote(VoteRequest(lastIndex: LogIndex(u64()), lastTerm: Term(u64()), preVote: bool(), transfer: bool()))
        case 5: .voteResponse(VoteResponse(granted: bool(), preVote: bool()))
        case 6: .timeoutNow
        default: .installSnapshot(SnapshotMetadata(index: LogIndex(u64()), term: Term(u64())))
        }
    }

    mutating func raftMessage(_ choice: Int? = nil) -> Message {
        let choice = choice ?? Int(random.below(8))
        return Message(from: NodeID(u64()), to: NodeID(u64()), term: Term(u64()), body: body(choice))
    }

    mutating func optional<T>(_ make: (inout WireSamples) -> T) -> T? {
        bool() ? make(&self) : nil
    }

    mutating func role() -> Role {
        [Role.follower, .preCandidate, .candidate, .leader][Int(random.below(4))]
    }

    mutating func errorCode() -> ErrorResponse.Code {
        switch random.below(7) {
        case 0:
            .notLeader(
                leader: optional { NodeID($0.u64()) }, leaderAddress: optional { $0.string(max: 20) })
        case 1: .noQuorum
        case 2: .timeout
        case 3: .badRequest
        case 4: .outcomeUnknown
        case 5: .busy
        default: .internal
        }
    }

    /// The number of ``WireMessage`` shapes ``wireMessage(_:)`` cycles through.
    static let wireMessageShapes = 40

    /// Every ``WireMessage`` case in turn (Raft bodies chosen at random), by `choice`.
    mutating func wireMessage(_ choice: Int? = nil) -> WireMessage {
        let choice = choice ?? Int(random.below(UInt64(WireSamples.wireMessageShapes)))
        switch choice % WireSamples.wireMessageShapes {
        case 0: return .raft(raftMessage())
        case 1:
            return .handshakeRequest(
                PeerHandshake(
                    group: string(max: 12), nodeID: NodeID(u64()), nodeName: string(max: 6), nonce: bytes(max: 64)))
        case 2:
            return .handshakeResponse(
                PeerHandshake(
                    group: string(max: 12), nodeID: NodeID(u64()), nodeName: string(max: 6), nonce: bytes(max: 64)))
        case 3: return .statusRequest
        case 4:
            return .statusResponse(
                StatusResponse(
                    group: string(max: 10), nodeID: NodeID(u64()), nodeName: string(max: 5), role: role(),
                    term: Term(u64()), leader: optional { NodeID($0.u64()) },
                    leaderAddress: optional { $0.string(max: 21) }, lastIndex: LogIndex(u64()),
                    commit: LogIndex(u64()), applied: LogIndex(u64()), uptimeMs: u64(),
                    stateApplied: LogIndex(u64()), stateDigest: u64(), firstIndex: LogIndex(u64()),
                    diskUsedBasisPoints: optional { UInt16($0.random.below(10_001)) }))
        case 5: return .appendRequest(ClientAppendRequest(data: bytes(max: 100)))
        case 6: return .appendResponse(ClientAppendResponse(index: LogIndex(u64())))
        case 7: return .getRequest(GetRequest(index: LogIndex(u64())))
        case 8:
            return .getResponse(
                GetResponse(
                    index: LogIndex(u64()), term: Term(u64()), kind: bool() ? .normal : .noop, data: bytes(max: 100)))
        case 9: return .transferLeaderRequest(TransferLeaderRequest(target: NodeID(u64())))
        case 10: return .transferLeaderResponse
        case 11: return .sendRequest(sendRequest())
        case 12: return .sendOneWay(sendRequest())
        case 13:
            return .sendResponse(
                SendResponse(results: (0..<Int(random.below(4))).map { _ in sendResult() }, duplicate: bool()))
        case 14:
            return .pullRequest(
                PullRequest(
                    queue: queue(), offset: QueueOffset(i64()), maxCount: UInt32(truncatingIfNeeded: u64()),
                    tagExpression: string(max: 12), waitMs: UInt32(truncatingIfNeeded: u64())))
        case 15:
            let statuses: [PullStatus] = [.found, .noNewMessage, .noMatchedMessage, .offsetIllegal]
            return .pullResponse(
                PullResponse(
                    result: PullResult(
                        status: statuses[Int(random.below(4))], nextOffset: QueueOffset(i64()),
                        minOffset: QueueOffset(i64()), maxOffset: QueueOffset(i64()),
                        messages: (0..<Int(random.below(3))).map { _ in storedMessage() })))
        case 16: return .queueOffsetsRequest(QueueRequest(queue: queue()))
        case 17: return .queueOffsetsResponse(QueueOffsetsResponse(range: offsetRange()))
        case 18: return .searchOffsetRequest(SearchOffsetRequest(queue: queue(), timestamp: i64()))
        case 19: return .searchOffsetResponse(OffsetResponse(offset: QueueOffset(i64())))
        case 20:
            return .messagesByKeyRequest(
                KeyLookupRequest(
                    topic: string(max: 8), key: string(max: 8), maxCount: UInt32(truncatingIfNeeded: u64())))
        case 21:
            return .messagesByKeyResponse(
                MessagesResponse(messages: (0..<Int(random.below(3))).map { _ in storedMessage() }))
        case 22:
            return .viewMessageRequest(bool() ? .physicalOffset(PhysicalOffset(i64())) : .messageID(string(max: 32)))
        case 23: return .viewMessageResponse(MessagesResponse(messages: [storedMessage()]))
        case 24: return .topicsRequest
        case 25:
            return .topicsResponse(
                TopicsResponse(
                    topics: (0..<Int(random.below(3))).map { _ in
                        TopicInfo(name: string(max: 8), queues: (0..<Int(random.below(4))).map { _ in offsetRange() })
                    }))
        case 26:
            return .commitOffsetRequest(
                CommitOffsetRequest(
                    commit: OffsetCommit(group: string(max: 8), queue: queue(), offset: QueueOffset(i64()))))
        case 27: return .commitOffsetResponse
        case 28:
            return .consumerOffsetsRequest(
                ConsumerOffsetsRequest(group: string(max: 8), topic: optional { $0.string(max: 8) }))
        case 29:
            let group = string(max: 8)
            return .consumerOffsetsResponse(
                ConsumerOffsetsResponse(
                    group: group,
                    progress: (0..<Int(random.below(3))).map { _ in
                        ConsumerProgress(
                            group: group, queue: queue(), committedOffset: QueueOffset(i64()),
                            maxOffset: QueueOffset(i64()))
                    }))
        case 30: return .peerProof(PeerProof(code: bytes(max: PeerProof.maxByteCount)))
        case 31:
            let mode = [TopicUpdate.Mode.create, .alter, .createOrAlter][Int(random.below(3))]
            return .updateTopicRequest(
                TopicUpdate(topic: string(max: 10), queueCount: Int32(truncatingIfNeeded: i64()), mode: mode))
        case 32:
            return .updateTopicResponse(
                TopicInfo(name: string(max: 10), queues: (0..<Int(random.below(4))).map { _ in offsetRange() }))
        case 33: return .deleteTopicRequest(TopicDeletion(topic: string(max: 10)))
        case 34: return .deleteTopicResponse
        case 35: return .describeTopicRequest(TopicDescriptionRequest(topic: string(max: 10)))
        case 36:
            return .describeTopicResponse(
                TopicDescription(
                    topic: string(max: 10),
                    queues: (0..<Int(random.below(4))).map { _ in
                        QueueDescription(
                            range: offsetRange(), earliestStoreTimestamp: optional { $0.i64() },
                            latestStoreTimestamp: optional { $0.i64() })
                    }))
        case 37: return .consumerGroupRequest(consumerGroupRequest())
        case 38: return .consumerGroupResponse(consumerGroupResponse())
        default:
            let answering = Opcode.requestOpcodes[Int(random.below(UInt64(Opcode.requestOpcodes.count)))]
            return .errorResponse(ErrorResponse(code: errorCode(), message: string(max: 40)), answering: answering)
        }
    }

    mutating func i64() -> Int64 { Int64(bitPattern: u64()) }

    /// A client id or group: never empty (the decoder refuses empty ones).
    mutating func name() -> String { "g" + string(max: 8) }

    mutating func lockQueues() -> [MessageQueue] {
        (0..<Int(random.below(4))).map { _ in
            MessageQueue(topic: string(max: 8), queueID: Int32(truncatingIfNeeded: random.below(1 << 31)))
        }
    }

    mutating func subscriptions() -> [ConsumerSubscription] {
        (0..<Int(random.below(3))).map { _ in ConsumerSubscription(topic: string(max: 8), expression: string(max: 8)) }
    }

    /// Each consumer-group request kind, at random.
    mutating func consumerGroupRequest() -> ConsumerGroupRequest {
        switch random.below(6) {
        case 0: .heartbeat(ConsumerHeartbeat(clientID: name(), group: name(), subscriptions: subscriptions()))
        case 1: .members(group: name())
        case 2: .unregister(clientID: name(), group: name())
        case 3: .lock(QueueLockRequest(clientID: name(), group: name(), queues: lockQueues()))
        case 4: .unlock(QueueLockRequest(clientID: name(), group: name(), queues: lockQueues()))
        default: .groups(group: optional { $0.name() })
        }
    }

    /// Each consumer-group response kind, at random.
    mutating func consumerGroupResponse() -> ConsumerGroupResponse {
        switch random.below(6) {
        case 0: .heartbeat
        case 1: .members((0..<Int(random.below(4))).map { _ in string(max: 8) })
        case 2: .unregister
        case 3: .lock(lockQueues())
        case 4: .unlock
        default:
            .groups(
                ConsumerGroupsReport(
                    groups: (0..<Int(random.below(3))).map { _ in
                        let group = string(max: 8)
                        return ConsumerGroupSummary(
                            group: group,
                            members: (0..<Int(random.below(3))).map { _ in
                                ConsumerMember(
                                    clientID: string(max: 8), address: string(max: 21), lastHeartbeatAgeMs: i64())
                            },
                            subscriptions: subscriptions(),
                            progress: (0..<Int(random.below(3))).map { _ in
                                ConsumerProgress(
                                    group: group, queue: queue(), committedOffset: QueueOffset(i64()),
                                    maxOffset: QueueOffset(i64()))
                            }, totalLag: i64())
                    }, truncated: bool()))
        }
    }

    mutating func queue() -> MessageQueue {
        MessageQueue(topic: string(max: 10), queueID: Int32(truncatingIfNeeded: i64()))
    }

    mutating func offsetRange() -> QueueOffsetRange {
        QueueOffsetRange(minOffset: QueueOffset(i64()), maxOffset: QueueOffset(i64()))
    }

    /// A message as a send request carries it (no born host or producer stamp: those are not sent).
    mutating func producerMessage() -> ProducerMessage {
        let target: QueueTarget =
            switch random.below(3) {
            case 0: .automatic
            case 1: .queue(Int32(truncatingIfNeeded: i64()))
            default: .shardingKey(string(max: 6))
            }
        var properties: [String: String] = [:]
        for _ in 0..<random.below(3) { properties[string(max: 5)] = string(max: 5) }
        return ProducerMessage(
            topic: string(max: 10), target: target, tags: optional { $0.string(max: 6) },
            keys: (0..<Int(random.below(3))).map { _ in string(max: 5) }, body: bytes(max: 40), properties: properties,
            flag: Int32(truncatingIfNeeded: i64()), bornTimestamp: i64())
    }

    mutating func sendRequest() -> SendRequest {
        SendRequest(
            messages: (0..<Int(1 + random.below(3))).map { _ in producerMessage() },
            producer: optional { ProducerStamp(producer: ProducerID($0.u64()), sequence: $0.u64()) })
    }

    mutating func sendResult() -> SendResult {
        SendResult(
            queue: queue(), queueOffset: QueueOffset(i64()), physicalOffset: PhysicalOffset(i64()),
            messageID: string(max: 32), storeTimestamp: i64())
    }

    /// A stored message whose record decodes back to it: IPv4 hosts, a short topic, properties
    /// without the separator bytes.
    mutating func storedMessage() -> StoredMessage {
        let host = HostAddress(ipv4: 127, 0, 0, UInt8(random.below(256)), port: UInt16(random.below(65_536)))
        return StoredMessage(
            queueID: Int32(truncatingIfNeeded: i64()), flag: Int32(truncatingIfNeeded: i64()),
            queueOffset: QueueOffset(i64()), physicalOffset: PhysicalOffset(i64()), sysFlag: 0,
            bornTimestamp: i64(), bornHost: host, storeTimestamp: i64(), storeHost: host, body: bytes(max: 60),
            topic: "T" + string(max: 8),
            properties: (0..<Int(random.below(3))).map { _ in MessagePropertyPair("p" + string(max: 4), string(max: 6))
            })
    }

    /// `message` encoded as one frame.
    static func encode(_ message: WireMessage, requestID: UInt64) throws(WireError) -> [UInt8] {
        var writer = ByteWriter()
        try WireCodec.encode(message, requestID: requestID, into: &writer)
        return writer.bytes
    }
}
