import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Synchronization
import Testing
import Wire

/// The client's leader search, redirects, retries and errors, against fake nodes.
@Suite struct LedgerClientTests {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    }

    static func options(timeout: Duration) -> LedgerClientOptions {
        LedgerClientOptions(timeout: timeout, nodeTimeout: .milliseconds(300))
    }

    @Test func followsNotLeaderRedirects() throws {
        // n0 still believes it leads (stale); n1 really does and answers appends.
        let stale = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: FakeNode.status(id: 0, .leader, term: 4)
            case .appendRequest: FakeNode.error(.notLeader(leader: NodeID(1), leaderAddress: nil), .append)
            default: nil
            }
        }
        let leader = try FakeNode(id: 1) { request in
            switch request {
            case .statusRequest: FakeNode.status(id: 1, .follower, term: 5, leader: 1)
            case .appendRequest: .appendResponse(ClientAppendResponse(index: LogIndex(42)))
            default: nil
            }
        }
        defer {
            stale.stop()
            leader.stop()
        }
        let client = LedgerClient(
            peers: [stale.peer, leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        #expect(try client.append([1, 2, 3]) == LogIndex(42))
        #expect(client.leaderHint == leader.peer)
        #expect(stale.count(.append) == 1)
        #expect(try client.append([4]) == LogIndex(42))
        #expect(stale.count(.append) == 1, "the second append goes straight to the leader")
    }

    @Test func noLeaderFailsWithNoQuorumNamingEachNode() throws {
        let follower = try FakeNode(id: 0) { request in
            if case .statusRequest = request { return FakeNode.status(id: 0, .preCandidate, term: 7) }
            return FakeNode.error(.noQuorum, request.opcode)
        }
        defer { follower.stop() }
        let down = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        let downPeer = Peer(name: "n1", id: NodeID(1), host: "127.0.0.1", port: try down.localPort())
        down.close()

        let client = LedgerClient(
            peers: [follower.peer, downPeer], options: LedgerClientTests.options(timeout: .milliseconds(400)))
        let started = ContinuousClock().now
        let error = #expect(throws: LedgerClientError.self) { try client.append([1]) }
        let elapsed = started.duration(to: ContinuousClock().now)
        #expect(elapsed >= .milliseconds(350) && elapsed < .seconds(3), "gives up only near the deadline")
        guard case .noQuorum = error else {
            Issue.record("expected noQuorum, got \(String(describing: error))")
            return
        }
        let text = error!.description
        #expect(text.hasPrefix("no quorum: append did not succeed within 400 ms; last: no node leads ("), "\(text)")
        #expect(text.contains("n0: PRE_CANDIDATE at term 7, no leader known"), "\(text)")
        #expect(text.contains("n1: connection refused"), "\(text)")
        #expect(!text.contains("\n"))
        #expect(throws: LedgerClientError.self) { try client.findLeader() }
    }

    @Test func aHungNodeCostsOnlyTheNodeTimeout() throws {
        let hung = try FakeNode(id: 0) { _ in nil }
        let healthy = try FakeNode(id: 1) { _ in FakeNode.status(id: 1, .leader, term: 2, leader: 1) }
        defer {
            hung.stop()
            healthy.stop()
        }
        let client = LedgerClient(
            peers: [hung.peer, healthy.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        let started = ContinuousClock().now
        let view = client.statusAll()
        #expect(started.duration(to: ContinuousClock().now) < .seconds(2))
        guard case .failure(.unreachable(let node, _, let reason)) = view.nodes[0].result else {
            Issue.record("expected n0 unreachable, got \(view.nodes[0].result)")
            return
        }
        #expect(node == "n0" && reason.hasPrefix("timeout after"), "\(reason)")
        #expect(view.leader?.peer == healthy.peer)
        #expect(throws: LedgerClientError.self) { try client.status(of: hung.peer) }
    }

    @Test func getWaitsWhileTheLeaderHasNotSeenTheEntryCommitted() throws {
        let gets = Counter()
        let leader = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest: return FakeNode.status(id: 0, .leader, term: 3, leader: 0, lastIndex: 5)
            case .getRequest(let get) where get.index > LogIndex(5):
                return FakeNode.error(.badRequest, .get, "entry \(get.index) is not committed")
            case .getRequest(let get):
                if gets.next() <= 2 { return FakeNode.error(.badRequest, .get, "entry \(get.index) is not committed") }
                return .getResponse(
                    GetResponse(index: get.index, term: Term(3), data: EntryPayload.encodeRaw(Array("three".utf8))))
            default: return nil
            }
        }
        defer { leader.stop() }
        let client = LedgerClient(peers: [leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        let entry = try client.get(LogIndex(3))
        #expect(entry == LedgerEntry(index: LogIndex(3), term: Term(3), kind: .normal, data: Array("three".utf8)))
        #expect(leader.count(.get) == 3)

        let error = #expect(throws: LedgerClientError.self) { try client.get(LogIndex(9)) }
        #expect(error == .rejected(node: "n0", message: "entry 9 is not committed"))
        #expect(leader.count(.get) == 4, "an index beyond the leader's log is not retried")
    }

    @Test func transferLeaderWaitsUntilTheTargetLeads() throws {
        final class Flag: Sendable { let value = Atomic<Bool>(false) }
        let flag = Flag()
        let first = try FakeNode(id: 0) { request in
            switch request {
            case .statusRequest:
                return flag.value.load(ordering: .relaxed)
                    ? FakeNode.status(id: 0, .follower, term: 3, leader: 1)
                    : FakeNode.status(id: 0, .leader, term: 2, leader: 0)
            case .transferLeaderRequest(let transfer) where transfer.target == NodeID(1):
                flag.value.store(true, ordering: .relaxed)
                return .transferLeaderResponse
            default: return nil
            }
        }
        let second = try FakeNode(id: 1) { _ in
            flag.value.load(ordering: .relaxed)
                ? FakeNode.status(id: 1, .leader, term: 3, leader: 1)
                : FakeNode.status(id: 1, .follower, term: 2, leader: 0)
        }
        defer {
            first.stop()
            second.stop()
        }
        let client = LedgerClient(
            peers: [first.peer, second.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        #expect(try client.transferLeader(to: NodeID(1)) == LeaderInfo(peer: second.peer, term: Term(3)))
        #expect(first.count(.transferLeader) == 1)
    }

    @Test func aRejectedAppendIsNotRetried() throws {
        let leader = try FakeNode(id: 0) { request in
            if case .statusRequest = request { return FakeNode.status(id: 0, .leader, term: 1, leader: 0) }
            return FakeNode.error(.badRequest, .append, "entry of 9 bytes exceeds the limit of 4 bytes")
        }
        defer { leader.stop() }
        let client = LedgerClient(peers: [leader.peer], options: LedgerClientTests.options(timeout: .seconds(5)))
        let error = #expect(throws: LedgerClientError.self) { try client.append(Array("too large".utf8)) }
        #expect(error?.description == "rejected by n0: entry of 9 bytes exceeds the limit of 4 bytes")
        #expect(leader.count(.append) == 1)
    }
}
