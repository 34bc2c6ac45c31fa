import FileIO
import LedgerModel
import LogStore
import Raft
import Testing

@testable import Replica

/// A disk that refuses the Raft log's own writes (`ENOSPC` from an append or a hard-state save)
/// stops nothing: the node keeps running, acknowledges nothing it could not make durable,
/// refuses writes (a leader hands leadership to a member that can write), and writes the log
/// again by itself once space is freed.
@Suite struct FullDiskTests {
    /// An entry big enough to need fresh pages of the data file, so a full disk refuses it.
    static let body = [UInt8](repeating: 0x5A, count: 9000)

    @Test("a leader refuses writes for its own full disk or a majority's, not for one full follower")
    func theDiskFullRuleCountsAMajority() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let leader = group.node(1).replica
        leader.diskUsageMeasured(own: 3000, peers: [("n2", 9500)])
        #expect(leader.diskFullRefusal() == nil, "one full follower of three stopped the group's writes")
        leader.diskUsageMeasured(own: 3000, peers: [("n2", 9500), ("n3", 9620)])
        let majority = try #require(leader.diskFullRefusal())
        #expect(majority.code == .diskFull && majority.message.contains("node n3's store disk is 96.20% used"))
        leader.diskUsageMeasured(own: 9100, peers: [("n2", 3000), ("n3", 3000)])
        let own = try #require(leader.diskFullRefusal())
        #expect(own.message.contains("node n1's store disk is 91.00% used"), "\(own.message)")
        #expect(own.message.contains("diskSpaceWarningLevelRatio 90%"))
    }

    @Test("a follower whose disk refuses the log's writes acknowledges nothing and catches up once space is freed")
    func aFullFollowerAcknowledgesNothingAndCatchesUp() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let follower = group.node(2)
        follower.fileSystem.isFull = true
        let lastBefore = follower.store.lastIndex
        for k in UInt64(1)...3 { group.request(.append(ClientAppendRequest(data: Self.body)), to: 1, requestID: k) }
        try group.runUntilQuiet()

        #expect(follower.stopped == nil)
        #expect(
            follower.logs.contains { $0.hasPrefix("refusing writes:") && $0.contains("disk full") }, "\(follower.logs)")
        #expect(follower.store.lastIndex == lastBefore, "the full disk took entries")
        let leader = group.node(1)
        let match = try #require(leader.core.status.followers.first { $0.id == follower.id }).match
        #expect(match <= lastBefore, "n2 acknowledged entries it could not write (match \(match))")
        // The writes were acknowledged by the majority that could store them.
        for k in UInt64(1)...3 {
            #expect(group.replies(from: 1, to: k).contains { if case .appended = $0 { true } else { false } })
        }
        #expect(follower.replica.status.writable == false)
        #expect(follower.replica.diskUsedBasisPoints == 10_000)
        #expect(follower.replica.retentionCounters.logWritesRefused == 1)

        // Still full a second later: the retry is refused too, and nothing is logged again.
        group.now += 1000
        group.handle(2, .tick)
        try group.runUntilQuiet()
        #expect(follower.store.lastIndex == lastBefore)
        #expect(follower.logs.filter { $0.hasPrefix("refusing writes:") }.count == 1)

        follower.fileSystem.isFull = false
        group.now += 1000
        group.handle(2, .tick)
        try group.runUntilQuiet()
        #expect(follower.stopped == nil)
        #expect(follower.logs.contains { $0.hasPrefix("writing the log again") }, "\(follower.logs)")
        #expect(follower.store.lastIndex == leader.store.lastIndex)
        #expect(follower.store.durableIndex == leader.store.lastIndex)
        let caughtUp = try #require(leader.core.status.followers.first { $0.id == follower.id }).match
        #expect(caughtUp == leader.store.lastIndex)
        #expect(follower.replica.diskUsedBasisPoints == nil)
    }

    @Test(
        "a leader whose disk refuses the log's writes refuses writes, hands leadership on and rejoins once space is freed"
    )
    func aFullLeaderHandsLeadershipOn() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let old = group.node(1)
        old.fileSystem.isFull = true
        group.request(.append(ClientAppendRequest(data: Self.body)), to: 1, requestID: 1)
        try group.runUntilQuiet()

        #expect(old.stopped == nil)
        #expect(old.logs.contains { $0.hasPrefix("handing leadership to node n") }, "\(old.logs)")
        #expect(old.core.role == .follower)
        let leaders = group.nodes.filter { $0.core.role == .leader }
        #expect(leaders.count == 1 && leaders.first?.id != old.id)
        // The entry the full leader proposed was never acknowledged by it as written.
        #expect(!group.replies(from: 1, to: 1).contains { if case .appended = $0 { true } else { false } })

        // A write sent to the full node is refused there, naming it.
        old.fileSystem.isFull = true
        group.request(.append(ClientAppendRequest(data: [1])), to: 1, requestID: 2)
        let refusal = try #require(group.replies(from: 1, to: 2).first)
        guard case .error(let error, _) = refusal else {
            Issue.record("expected a refusal, got \(refusal)")
            return
        }
        #expect(error.code != .internal, "\(error)")

        // The new leader takes writes; once space is freed the old one writes its log again.
        let leader = try #require(leaders.first)
        group.request(.append(ClientAppendRequest(data: Self.body)), to: leader.id.rawValue, requestID: 3)
        try group.runUntilQuiet()
        #expect(
            group.replies(from: leader.id.rawValue, to: 3).contains { if case .appended = $0 { true } else { false } })
        old.fileSystem.isFull = false
        group.now += 1000
        group.handle(1, .tick)
        try group.runUntilQuiet()
        #expect(old.stopped == nil)
        #expect(old.store.durableIndex == leader.store.lastIndex)
        #expect(old.replica.diskFullRefusal() == nil)
        // Its client's entry was committed by the others: once written and applied here, it is
        // acknowledged at the index it was proposed at.
        #expect(
            group.replies(from: 1, to: 1).contains {
                if case .appended(let response) = $0 { response.index == LogIndex(2) } else { false }
            })
    }
}
