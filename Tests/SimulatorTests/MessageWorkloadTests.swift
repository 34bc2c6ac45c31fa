import LedgerModel
import Raft
import Testing

@testable import Simulator

/// The message workload on a quiet cluster: producers, consumer groups, retries, crashes and
/// reopened state machines, every CommitLog invariant checked after every event.
@Suite struct MessageWorkloadTests {
    /// A retried send (same producer id and sequence) is stored once; the retry is answered with
    /// the original place.
    @Test func retriedSendIsStoredOnce() throws {
        let cluster = try TestSupport.quietCluster(seed: 3)
        let n1 = NodeID(1)
        try TestSupport.elect(n1, in: cluster)
        let stamp = ProducerStamp(producer: ProducerID(42), sequence: 1)
        let message = ProducerMessage(
            topic: WorkloadNames.topic(0), target: .shardingKey("order-1"),
            body: MessageBody.make(uid: 1, fillerBytes: 8),
            producer: stamp)
        let send = SendOperation(stamp: stamp, messages: [message], uids: [1], isBatch: false)
        for _ in 0..<2 {
            guard case .success = try cluster.propose(send, on: n1) else {
                Issue.record("n1 refused the send")
                return
            }
        }
        #expect(try cluster.runUntilConverged(within: .seconds(2)), "the cluster did not converge")
        #expect(cluster.commitLogChecker.counts.stored == 1)
        #expect(cluster.commitLogChecker.counts.deduplicated == 1)
        try cluster.checkStateMachines(on: [NodeID(1), NodeID(2), NodeID(3)])
    }

    /// A node that crashes loses what its CommitLog had not persisted, reopens at its last
    /// checkpoint, replays the rest from its Raft log and ends with the same state as the others.
    @Test func crashedNodeReopensItsCommitLogAndCatchesUp() throws {
        var options = SimulationOptions(seed: 5, nodeIDs: [NodeID(1), NodeID(2), NodeID(3)])
        options.persistEveryEntries = 8
        options.workload.producers = 2
        options.workload.consumerGroups = 2
        options.workload.consumersPerGroup = 2
        options.workload.batchPerMille = 300
        options.workload.consumerRestartPerMille = 100
        let cluster = try Cluster(options: options)
        let (n1, n3) = (NodeID(1), NodeID(3))
        try TestSupport.elect(n1, in: cluster)
        cluster.startClients()
        try cluster.run(for: .seconds(2))
        try cluster.crash(n3)
        try cluster.run(for: .seconds(1))
        try cluster.restart(n3)
        try cluster.run(for: .seconds(1))
        cluster.stopClients()
        #expect(try cluster.runUntilConverged(within: .seconds(5)), "the cluster did not converge")
        try cluster.checkStateMachines(on: [NodeID(1), NodeID(2), n3])
        let statistics = cluster.statistics
        #expect(statistics.persists > 0)
        #expect(cluster.acknowledgedMessages > 50)
        #expect(statistics.messagesConsumed > 50)
        #expect(statistics.offsetCommits > 0)
        #expect(statistics.offsetQueries > 0)
        #expect(cluster.acknowledgedMessages(missingOn: n3).isEmpty)
    }
}
