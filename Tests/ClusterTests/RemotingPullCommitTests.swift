import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Raft
import Remoting
import Testing

/// PULL_MESSAGE's piggy-backed offset commit (sysFlag COMMIT_OFFSET 0x1, `commitOffset`), the
/// way the C++ push consumer sends it on every pull once it knows an offset: recorded through
/// the log, visible to QUERY_CONSUMER_OFFSET and `ledger offsets`.
@Suite(.serialized)
struct RemotingPullCommitTests {
    @Test("a pull with the commit flag records the group's offset through Raft")
    func aPullCommitsTheGroupsOffset() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        for body in ["a", "b", "c"] {
            let header = SendMessageRequestHeader(producerGroup: "PG", topic: "Stream", queueID: 0, bornTimestamp: 1)
            #expect(
                try broker.call(.sendMessage, header.extFields(v2: false), body: Array(body.utf8)).responseCode
                    == .success)
        }
        var pull: ExtFields = [
            "consumerGroup": "CG", "topic": "Stream", "queueId": "0", "queueOffset": "2", "maxMsgNums": "32",
            "sysFlag": "7", "commitOffset": "2", "suspendTimeoutMillis": "15000", "subscription": "*",
        ]
        let pulled = try broker.call(.pullMessage, pull)
        #expect(pulled.responseCode == .success && pulled.extFields["nextBeginOffset"] == "3", "\(pulled)")
        let queue: ExtFields = ["consumerGroup": "CG", "topic": "Stream", "queueId": "0"]
        try fixture.eventually("the piggy-backed commit applied") {
            (try? broker.call(.queryConsumerOffset, queue))?.extFields["offset"] == "2"
        }
        let offsets = try fixture.client.consumerOffsets(group: "CG")
        #expect(offsets.map(\.committedOffset) == [QueueOffset(2)])

        // Without the flag nothing is committed; an offset past the queue's end is refused
        // quietly (the pull is still answered).
        pull["sysFlag"] = "6"
        pull["commitOffset"] = "3"
        #expect(try broker.call(.pullMessage, pull).responseCode == .success)
        pull["sysFlag"] = "5"
        pull["commitOffset"] = "99"
        #expect(try broker.call(.pullMessage, pull).responseCode == .success)
        // A send proposed after them is answered once applied, so anything they proposed is too.
        let later = SendMessageRequestHeader(producerGroup: "PG", topic: "Other", queueID: 0, bornTimestamp: 1)
        #expect(try broker.call(.sendMessage, later.extFields(v2: false), body: [1]).responseCode == .success)
        #expect(try broker.call(.queryConsumerOffset, queue).extFields["offset"] == "2")
        pull["sysFlag"] = "5"
        pull["commitOffset"] = "3"
        #expect(try broker.call(.pullMessage, pull).responseCode == .success)
        try fixture.eventually("the second commit applied") {
            (try? broker.call(.queryConsumerOffset, queue))?.extFields["offset"] == "3"
        }
    }
}

/// LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) in raw frames: the leader grants each queue to
/// one client of a group; a follower refuses.
@Suite(.serialized)
struct RemotingQueueLockTests {
    static func body(_ client: String, _ ids: [Int]) -> [UInt8] {
        let queues = ids.map { #"{"brokerName":"test","queueId":\#($0),"topic":"Ordered"}"# }
        return Array(
            #"{"clientId":"\#(client)","consumerGroup":"OG","mqSet":[\#(queues.joined(separator: ","))]}"#.utf8)
    }

    static func locked(_ answer: RemotingCommand) throws -> [String] {
        let value = try JSONParser().parse(answer.body)
        guard case .array(let queues)? = value[member: "lockOKMQSet"]?.kind else { return [] }
        return queues.compactMap { queue in
            if case .number(let id)? = queue[member: "queueId"]?.kind { id } else { nil }
        }
    }

    @Test("the leader locks each queue for one client; a follower refuses")
    func locksAreHeldByTheLeader() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        let position = Int(leader.peer.id.rawValue)
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[position])
        let first = try broker.call(.lockBatchMQ, body: Self.body("c1", [0, 1]))
        let firstLocked = try Self.locked(first)
        #expect(first.responseCode == .success && firstLocked == ["0", "1"], "\(first)")
        let second = try Self.locked(try broker.call(.lockBatchMQ, body: Self.body("c2", [1, 2])))
        #expect(second == ["2"])
        #expect(try broker.call(.unlockBatchMQ, body: Self.body("c1", [1])).responseCode == .success)
        let third = try Self.locked(try broker.call(.lockBatchMQ, body: Self.body("c2", [1])))
        #expect(third == ["1"])
        let malformed = try broker.call(.lockBatchMQ, body: Array(#"{"clientId":"c"}"#.utf8))
        #expect(malformed.responseCode == .systemError, "\(malformed)")

        let follower = try RemotingProbe(port: fixture.cluster.brokerPorts[(position + 1) % 3])
        let refused = try follower.call(.lockBatchMQ, body: Self.body("c3", [0]))
        #expect(refused.responseCode == .serviceNotAvailable, "\(refused)")
    }
}
