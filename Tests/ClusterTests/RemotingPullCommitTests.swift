import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Remoting
import Testing

@testable import LedgerLocalGroup

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
