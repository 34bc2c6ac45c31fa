import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Remoting
import Testing

@testable import LedgerLocalGroup

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
