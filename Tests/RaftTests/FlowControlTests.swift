import Raft
import Testing

/// A follower that stops answering costs the leader a bounded window of entries, and one that
/// comes back catches up from what it acknowledged.
@Suite struct FlowControlTests {
    private static func payload(_ i: Int) -> [UInt8] { Array(repeating: UInt8(truncatingIfNeeded: i), count: 1024) }

    @Test("entries in flight to a silent follower stay within maxInflightBytes")
    func silentFollowerCostsOneWindow() throws {
        let cluster = try TestCluster([1, 2, 3]) {
            $0.maxInflightBytes = 8 << 10
            $0.maxBytesPerMessage = 2 << 10
        }
        try cluster.elect(1)
        var bytesToSilent = 0
        cluster.drop = { message in
            if message.to == NodeID(3), case .append(let request) = message.body {
                bytesToSilent += request.entries.reduce(0) { $0 + $1.data.count }
            }
            return message.to == NodeID(3) || message.from == NodeID(3)
        }
        for i in 0..<64 { _ = try cluster.core(1).propose(Self.payload(i)) }
        try cluster.stabilize()
        try cluster.tick(5)
        // The window, plus at most the one append the heartbeat answers let through each tick.
        #expect(bytesToSilent <= 8 << 10, "sent \(bytesToSilent) bytes to a follower that never answered")
        #expect(cluster.appliedData(2).count == 64, "the healthy follower must not wait for the silent one")
        cluster.heal()
        try cluster.tick(20)
        #expect(cluster.appliedData(3).count == 64)
    }

    @Test("a follower reported unreachable is probed again from what it acknowledged")
    func unreachableFollowerIsProbed() throws {
        let cluster = try TestCluster([1, 2, 3]) { $0.maxInflightBytes = 4 << 10 }
        try cluster.elect(1)
        try cluster.tick(1)
        let acknowledged = try #require(cluster.core(1).status.followers.first { $0.id == NodeID(3) }).match
        cluster.isolate(3)
        for i in 0..<16 { _ = try cluster.core(1).propose(Self.payload(i)) }
        try cluster.stabilize()
        cluster.core(1).reportUnreachable(NodeID(3))
        let follower = try #require(cluster.core(1).status.followers.first { $0.id == NodeID(3) })
        #expect(follower.state == "probe")
        #expect(follower.next == acknowledged.next)
        cluster.heal()
        try cluster.tick(10)
        #expect(cluster.appliedData(3).count == 16)
    }

    @Test("a burst of heartbeat answers from a resuming follower lets one append through, not one each")
    func heartbeatAnswerBacklogReleasesOneAppend() throws {
        let cluster = try TestCluster([1, 2, 3]) {
            $0.maxInflightBytes = 4 << 10
            $0.maxBytesPerMessage = 1 << 10
        }
        try cluster.elect(1)
        try cluster.tick(1)
        cluster.drop = { $0.to == NodeID(3) || $0.from == NodeID(3) }
        for i in 0..<64 { _ = try cluster.core(1).propose(Self.payload(i)) }
        try cluster.stabilize()
        let leader = cluster.core(1)
        let term = leader.term
        // The paused follower wakes and answers the 500 heartbeats queued for it, all at once.
        for _ in 0..<500 {
            try leader.step(
                Message(from: NodeID(3), to: NodeID(1), term: term, body: .heartbeatResponse(HeartbeatResponse())))
        }
        var appendsToResumed = 0
        while leader.hasReady {
            let ready = try leader.ready()
            appendsToResumed += (ready.messages + ready.messagesAfterPersist).count {
                if case .append(let request) = $0.body { $0.to == NodeID(3) && !request.entries.isEmpty } else { false }
            }
            leader.advance(ready)
        }
        #expect(appendsToResumed <= 1, "\(appendsToResumed) appends released by one burst of heartbeat answers")
    }
}
