import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft
import Testing

@testable import Replica

/// The replica's ordering contract, event by event: nothing that promises durability leaves
/// before the disk holds it, and no client is answered before what it asked for is true.
@Suite struct OrderingTests {
    @Test("an append acknowledgement never precedes the sync that covers it")
    func acknowledgementWaitsForTheSync() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let follower = group.node(2)
        follower.host.inspect = { action in
            guard case .send(let message) = action, case .appendResponse(let response) = message.body,
                !response.reject
            else { return }
            #expect(
                follower.store.durableIndex >= response.index,
                "acknowledged \(response.index) with only \(follower.store.durableIndex) durable")
        }
        group.request(.append(ClientAppendRequest(data: Array("alpha".utf8))), to: 1, requestID: 1)
        let entry = group.node(1).core.lastIndex
        group.deliver { $0.to == follower.id }
        // The follower wrote the entry and asked for a sync; its acknowledgement waits for it.
        #expect(follower.store.lastIndex == entry)
        #expect(follower.pendingSync != nil)
        #expect(!group.inFlight.contains { $0.from == follower.id && $0.isAcknowledgement(of: entry) })
        try group.completeSync(2)
        #expect(group.inFlight.contains { $0.from == follower.id && $0.isAcknowledgement(of: entry) })
        // The client is answered once the entry committed and applied, not before.
        #expect(group.replies(from: 1, to: 1).isEmpty)
        try group.runUntilQuiet()
        guard case .appended(let appended)? = group.replies(from: 1, to: 1).first else {
            Issue.record("no answer: \(group.replies(from: 1, to: 1))")
            return
        }
        #expect(appended.index == entry)
        #expect(group.node(1).replica.stateMachine.appliedIndex >= entry)
    }

    @Test("a granted vote never leaves before the vote is durable")
    func voteWaitsForTheDurableVote() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let voter = group.node(3)
        var granted = 0
        voter.host.inspect = { action in
            guard case .send(let message) = action, case .voteResponse(let response) = message.body,
                response.granted, !response.preVote
            else { return }
            granted += 1
            #expect(voter.store.hardState.term == message.term && voter.store.hardState.vote == message.to)
        }
        // n2 campaigns (a leadership transfer skips pre-vote and the voters' leases).
        group.request(.transferLeader(TransferLeaderRequest(target: NodeID(2))), to: 1, requestID: 1)
        try group.runUntilQuiet()
        #expect(group.node(2).core.role == .leader)
        #expect(granted >= 1 || group.node(1).core.vote == NodeID(2))
    }

    @Test("a read is answered only after a quorum confirmed the leadership and the index applied")
    func readWaitsForReadIndexAndApply() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let leader = group.node(1)
        group.request(.append(ClientAppendRequest(data: [1])), to: 1, requestID: 1)
        try group.runUntilQuiet()
        let committed = leader.core.commitIndex
        group.request(.read(.topics), to: 1, requestID: 2)
        // The leader asks its followers with a heartbeat round; no answer yet.
        #expect(group.replies(from: 1, to: 2).isEmpty)
        #expect(
            group.inFlight.contains { if case .heartbeat(let beat) = $0.body { beat.readSequence > 0 } else { false } })
        // One follower answering makes a quorum with the leader.
        group.deliver { $0.to == NodeID(2) }
        #expect(group.replies(from: 1, to: 2).isEmpty)
        group.deliver { $0.to == NodeID(1) }
        guard case .topics? = group.replies(from: 1, to: 2).first else {
            Issue.record("no answer: \(group.replies(from: 1, to: 2))")
            return
        }
        #expect(leader.replica.stateMachine.appliedIndex >= committed)
    }

    @Test("a read on a follower is refused with the leader's address")
    func readOnAFollowerIsRedirected() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        group.request(.read(.topics), to: 2, requestID: 1)
        guard case .error(let error, let kind)? = group.replies(from: 2, to: 1).first else {
            Issue.record("no answer")
            return
        }
        #expect(kind == .topics)
        #expect(error.code == .notLeader(leader: NodeID(1), leaderAddress: "127.0.0.1:40001"))
    }

    @Test("a long poll is answered when a matching message applies, or when its wait ends")
    func longPollAnswersOnMessageOrDeadline() throws {
        let group = try ReplicaGroup()
        try group.elect(1)
        let queue = MessageQueue(topic: "Orders", queueID: 0)
        func send(_ body: String, requestID: UInt64) throws {
            let message = ProducerMessage(topic: "Orders", target: .queue(0), body: Array(body.utf8))
            group.request(.send(SendRequest(messages: [message]), oneWay: false), to: 1, requestID: requestID)
            try group.runUntilQuiet()
        }
        try send("first", requestID: 1)
        // Nothing after offset 1 yet: the pull waits.
        group.request(
            .read(.pull(PullRequest(queue: queue, offset: QueueOffset(1), maxCount: 8, waitMs: 5000))), to: 1,
            requestID: 2)
        try group.runUntilQuiet()
        #expect(group.replies(from: 1, to: 2).isEmpty)
        try send("second", requestID: 3)
        guard case .pulled(let woken)? = group.replies(from: 1, to: 2).first else {
            Issue.record("the long poll was not answered when its message applied")
            return
        }
        #expect(woken.result.messages.map { String(decoding: $0.body, as: UTF8.self) } == ["second"])

        group.request(
            .read(.pull(PullRequest(queue: queue, offset: QueueOffset(2), maxCount: 8, waitMs: 300))), to: 1,
            requestID: 4)
        try group.runUntilQuiet()
        group.now += 299
        group.handle(1, .tick)
        #expect(group.replies(from: 1, to: 4).isEmpty)
        group.now += 1
        group.handle(1, .tick)
        guard case .pulled(let expired)? = group.replies(from: 1, to: 4).first else {
            Issue.record("the long poll was not answered when its wait ended")
            return
        }
        #expect(expired.result.status == .noNewMessage)
    }
}

extension Message {
    /// Whether this is a successful append response covering `index`.
    func isAcknowledgement(of index: LogIndex) -> Bool {
        guard case .appendResponse(let response) = body else { return false }
        return !response.reject && response.index >= index
    }
}
