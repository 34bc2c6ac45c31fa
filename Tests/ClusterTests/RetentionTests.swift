import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing

@testable import LedgerLocalGroup

/// Retention and snapshots on three real nodes: with seconds-scale `fileReservedTime` and small
/// data files the nodes delete their oldest files; a follower wiped or frozen meanwhile rejoins
/// by the leader's snapshot plus the retained entries and ends with the same state; every
/// message not yet expired is still there, and a pull below a queue's new start says where it
/// starts.
@Suite(.serialized)
struct RetentionTests {
    /// How long a data file's newest message is kept.
    static let reservedMilliseconds: Int64 = 4000
    static let settings = [
        "dataFileSize=256KiB", "maxMessageSize=64KiB", "fileReservedTime=\(reservedMilliseconds / 1000)s",
        "deleteWhen=" + (0..<24).map { String(format: "%02d", $0) }.joined(separator: ";"),
    ]

    /// How the follower misses the leader's retention pass.
    enum Absence: String, CustomStringConvertible {
        /// Killed, its store deleted, started empty.
        case wiped
        /// Frozen (SIGSTOP) across the pass, then resumed with its store as it was.
        case paused

        var description: String { rawValue }
    }

    @Test(
        "a follower that missed the leader's retention pass rejoins by snapshot, losing nothing retained",
        arguments: [Absence.wiped, .paused])
    func followerRejoinsBySnapshot(_ absence: Absence) throws {
        let fixture = try ClusterFixture(settings: Self.settings)
        let leader = try fixture.awaitLeader()
        let follower = try #require(fixture.peers.first { $0.id != leader.peer.id })
        let body = [UInt8](repeating: 0x6D, count: 1000)
        var sent: [SendResult] = []
        for _ in 0..<300 { sent.append(try fixture.client.send(ProducerMessage(topic: "Kept", body: body))) }

        switch absence {
        case .wiped:
            _ = fixture.cluster.kill(follower.id)
            try FileManager.default.removeItem(atPath: "\(fixture.directory)/data/\(follower.name)")
        case .paused:
            fixture.cluster.signal(follower.id, SIGSTOP)
        }

        // More traffic while the first messages expire: the leader deletes its first files.
        try fixture.eventually("the leader deletes its first data files", timeout: .seconds(30)) {
            for _ in 0..<40 {
                if let result = try? fixture.client.send(ProducerMessage(topic: "Kept", body: body)) {
                    sent.append(result)
                }
            }
            let first = fixture.client.statusAll().nodes.first { $0.peer.id == leader.peer.id }?.response?.firstIndex
            return (first ?? LogIndex(1)) > LogIndex(1)
        }
        let leaderLog = String(decoding: try readFile(fixture.cluster.logPath(leader.peer.id)), as: UTF8.self)
        #expect(leaderLog.contains("retention (expired at a deleteWhen hour): deleted the log's entries 1..."))

        // The follower comes back, gets the snapshot, then the entries after it.
        switch absence {
        case .wiped: try fixture.cluster.start(follower.id)
        case .paused: fixture.cluster.signal(follower.id, SIGCONT)
        }
        for _ in 0..<20 { sent.append(try fixture.client.send(ProducerMessage(topic: "Kept", body: body))) }
        var statuses: [StatusResponse] = []
        try fixture.eventually("every node applies the same entries with the same digest", timeout: .seconds(30)) {
            statuses = fixture.client.statusAll().nodes.compactMap(\.response)
            return statuses.count == 3 && Set(statuses.map(\.stateApplied)).count == 1
                && Set(statuses.map(\.stateDigest)).count == 1
        }
        let rejoined = try #require(statuses.first { $0.nodeID == follower.id })
        let followerLog = String(decoding: try readFile(fixture.cluster.logPath(follower.id)), as: UTF8.self)
        let installed = followerLog.contains("installed node \(leader.peer.name)'s snapshot at index")
        switch absence {
        case .wiped:
            #expect(rejoined.firstIndex > LogIndex(1), "the follower's log starts after the snapshot")
            #expect(installed, "\(followerLog.suffix(2000))")
        case .paused:
            // Frozen, it may still have counted as live when the leader deleted: then the leader
            // kept what it needed and it caught up by entries alone (and its own retention pass
            // may have deleted since).
            let ownPass = followerLog.contains("retention (expired at a deleteWhen hour): deleted")
            #expect(installed || rejoined.firstIndex == LogIndex(1) || ownPass, "\(followerLog.suffix(2000))")
        }

        // Led by the rejoined node, the group still serves every retained message where it was
        // stored; below each queue's start a pull says where the queue now starts.
        let transfer = try fixture.ledger(["transfer-leader", "--to", follower.name])
        #expect(transfer.status == .exited(0), "\(transfer.stderr)")
        _ = try fixture.awaitLeader()
        try fixture.eventually("\(follower.name) leads") {
            fixture.client.statusAll().leader?.peer.id == follower.id
        }
        // Fresh messages, checked at once; older ones wherever retention left them. No queue
        // starts past a message younger than fileReservedTime.
        var fresh: [SendResult] = []
        for _ in 0..<10 { fresh.append(try fixture.client.send(ProducerMessage(topic: "Kept", body: body))) }
        for result in fresh {
            let pulled = try fixture.client.pull(
                topic: "Kept", queueID: result.queue.queueID, offset: result.queueOffset, maxCount: 1)
            #expect(pulled.messages.first?.physicalOffset == result.physicalOffset, "\(result)")
        }
        for queueID in Set(sent.map(\.queue.queueID)).sorted() {
            let start = try fixture.client.pull(topic: "Kept", queueID: queueID, offset: .zero, maxCount: 1)
            if absence == .wiped { #expect(start.minOffset > .zero, "queue \(queueID) kept every message") }
            if start.minOffset > .zero {
                #expect(start.status == .offsetIllegal && start.nextOffset == start.minOffset)
            }
            let now = WallClock.nowMilliseconds()
            for result in sent where result.queue.queueID == queueID {
                if result.queueOffset < start.minOffset {
                    #expect(result.storeTimestamp + Self.reservedMilliseconds <= now, "\(result) deleted unexpired")
                    continue
                }
                let pulled = try fixture.client.pull(
                    topic: "Kept", queueID: queueID, offset: result.queueOffset, maxCount: 1)
                if pulled.status == .offsetIllegal && result.queueOffset < pulled.minOffset {
                    // Retention went on while this loop ran (a slow machine): deleted since, so
                    // it must have expired by now.
                    let later = WallClock.nowMilliseconds()
                    #expect(result.storeTimestamp + Self.reservedMilliseconds <= later, "\(result) deleted unexpired")
                    continue
                }
                #expect(pulled.messages.first?.physicalOffset == result.physicalOffset, "\(result)")
            }
        }
    }
}
