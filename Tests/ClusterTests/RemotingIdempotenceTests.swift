import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Raft
import Remoting
import Testing

/// A RocketMQ client retries a send whose answer it did not get with the same `UNIQ_KEY`; the
/// group stores it once and answers the retry with the original result, also when the retry
/// reaches the next leader after a failover. Raw frames, as a retrying client sends them.
@Suite(.serialized)
struct RemotingIdempotenceTests {
    @Test("a send retried with its UNIQ_KEY, on the same leader and after a failover, is stored once")
    func aRetriedSendIsStoredOnce() throws {
        let fixture = try ClusterFixture(remoting: true)
        let leader = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let header = SendMessageRequestHeader(
            producerGroup: "PG", topic: "Payments", queueID: 2, bornTimestamp: 7,
            properties: [.init("UNIQ_KEY", "7F0000010BAD2A9F0000"), .init("WAIT", "true")])
        let broker = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        let first = try broker.call(.sendMessageV2, header.extFields(v2: true), body: Array("pay 10".utf8))
        #expect(first.responseCode == .success, "\(first)")
        let retry = try broker.call(.sendMessageV2, header.extFields(v2: true), body: Array("pay 10".utf8))
        #expect(retry.responseCode == .success, "\(retry)")
        #expect(retry.extFields == first.extFields, "the retry is answered with the original result")

        fixture.cluster.kill(leader.peer.id)
        let next = try fixture.awaitLeader(excluding: leader.peer.id)
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let successor = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(next.peer.id.rawValue)])
        // The retry a client makes after its timeout, to the leader the NameServer now names.
        var answers: [RemotingCommand] = []
        try fixture.eventually("the new leader answering the retry") {
            do {
                answers.append(
                    try successor.call(.sendMessage, header.extFields(v2: false), body: Array("pay 10".utf8)))
            } catch {
                return false
            }
            return answers.last?.responseCode == .success
        }
        let afterFailover = try #require(answers.last)
        #expect(afterFailover.extFields == first.extFields, "\(answers)")
        let queue: ExtFields = ["topic": "Payments", "queueId": "2"]
        #expect(try successor.call(.getMaxOffset, queue).extFields["offset"] == "1", "stored once")

        // Another key is another message.
        var other = header
        other.properties = [.init("UNIQ_KEY", "7F0000010BAD2A9F0001")]
        let second = try successor.call(.sendMessage, other.extFields(v2: false), body: Array("pay 11".utf8))
        #expect(second.responseCode == .success && second.extFields["queueOffset"] == "1", "\(second)")
    }
}
