import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing

@testable import LedgerLocalGroup

/// A full disk is a state, not a crash: with the stores on a small file system of their own
/// filled to the last byte, writes are refused with `disk full` (exit 1, naming the node and
/// the ratio) while status and pulls go on, no node exits (a persist that finds no space waits,
/// a vote the Raft log cannot save is held back) and a node restarted on the full disk comes
/// up; once space is freed, a leader is elected, writes resume by themselves and every
/// acknowledged message is still there.
@Suite(.serialized)
struct DiskFullTests {
    @Test("a full disk refuses writes, serves reads, and takes writes again once space is freed")
    func fullDiskRefusesWritesAndRecovers() throws {
        guard geteuid() == 0 else {
            print("DiskFullTests: skipping: mounting the small tmpfs the stores live on needs root (CI runs as root)")
            return
        }
        let fixture = try ClusterFixture(start: false, settings: ["diskSpaceWarningLevelRatio=90"])
        let data = "\(fixture.directory)/data"
        try Directory.make(data)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=128m", "tmpfs", data], in: fixture.directory)
        defer {
            fixture.cluster.shutDown()
            do {
                try Self.run("/bin/umount", [data], in: fixture.directory)
            } catch {
                Issue.record("cannot unmount the test's tmpfs \(data): \(error)")
            }
        }
        try fixture.cluster.startAll()
        _ = try fixture.awaitLeader()
        var acknowledged: [SendResult] = []
        for i in 0..<20 {
            acknowledged.append(
                try fixture.client.send(ProducerMessage(topic: "Full", body: Array("before \(i)".utf8))))
        }

        // Fill the file system completely: no write of any node can get a byte more.
        let ballast = "\(data)/ballast"
        let handle = try #require(FileHandle(forWritingAtPath: try Self.create(ballast)))
        let chunk = Data(repeating: 0xBA, count: 1 << 20)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
        #expect(try DiskUsage.of(data).availableBytes < 1 << 20)

        // Within a few measurements every node refuses writes, naming a node and the ratio.
        var refusal = ""
        let deadline = ContinuousClock().now + .seconds(10)
        while ContinuousClock().now < deadline {
            let send = try fixture.ledger(["send", "--topic", "Full", "--timeout", "5000"], stdin: "refused?\n")
            if send.status == .exited(1) && send.stderr.contains("disk full") {
                refusal = send.stderr
                break
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(refusal.contains("disk full"), "no disk-full refusal within 10 s")
        #expect(refusal.contains("diskSpaceWarningLevelRatio 90%") && refusal.contains("node n"), "\(refusal)")
        let append = try fixture.ledger(["append", "--timeout", "5000"], stdin: "raw\n")
        #expect(append.status == .exited(1) && append.stderr.contains("disk full"), "\(append.stderr)")

        // Reads, status and offsets go on; every node is up and, once it measured its disk
        // again (each second; one node's refusal above may come first), says it refuses writes.
        var status: ChildProcess.Completed
        var nodes: [[String: Any]] = []
        let measured = ContinuousClock().now + .seconds(5)
        repeat {
            status = try fixture.ledger(["status", "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            nodes = object?["nodes"] as? [[String: Any]] ?? []
            if nodes.allSatisfy({ $0["writable"] as? Bool == false }) { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while ContinuousClock().now < measured
        #expect(status.status == .exited(0), "\(status.stderr)")
        #expect(nodes.count == 3 && nodes.allSatisfy { $0["up"] as? Bool == true }, "\(status.stdout)")
        #expect(nodes.allSatisfy { $0["writable"] as? Bool == false }, "\(status.stdout)")
        #expect(try fixture.ledger(["status"]).stdout.contains("DISK FULL"))
        let first = try #require(acknowledged.first)
        let pulled = try fixture.client.pull(topic: "Full", queueID: first.queue.queueID, offset: .zero, maxCount: 64)
        #expect(!pulled.messages.isEmpty)
        for peer in fixture.peers {
            let log = String(decoding: try readFile(fixture.cluster.logPath(peer.id)), as: UTF8.self)
            #expect(log.contains("refusing writes: node n"), "\(peer.name) logged no refusal")
        }

        // A node restarted on the full disk comes up and takes part (recovery needs no space).
        let leader = try fixture.awaitLeader()
        let follower = try #require(fixture.peers.first { $0.id != leader.peer.id })
        _ = fixture.cluster.kill(follower.id)
        try fixture.cluster.start(follower.id)
        let restarted = ContinuousClock().now + .seconds(10)
        var up = false
        while ContinuousClock().now < restarted && !up {
            up = fixture.client.statusAll().nodes.first { $0.peer.id == follower.id }?.response != nil
            if !up { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(up, "\(follower.name) did not start on the full disk: \(fixture.cluster.logTail(follower.id))")
        Thread.sleep(forTimeInterval: 2)
        #expect(
            fixture.client.statusAll().nodes.allSatisfy { $0.response != nil },
            "a node stopped on the full disk")

        // Kill the leader: electing another needs a vote saved in the Raft log's hard state, which
        // the full disk refuses (ENOSPC in the log's own writes). The others keep running and
        // hold their votes back; the old leader comes up again on the full disk.
        _ = fixture.cluster.kill(leader.peer.id)
        let others = fixture.peers.filter { $0.id != leader.peer.id }
        var refusedVote = false
        let voting = ContinuousClock().now + .seconds(15)
        while ContinuousClock().now < voting && !refusedVote {
            refusedVote = try others.contains { peer in
                String(decoding: try readFile(fixture.cluster.logPath(peer.id)), as: UTF8.self)
                    .contains("refusing writes: log store found the disk full while saving the hard state")
            }
            if !refusedVote { Thread.sleep(forTimeInterval: 0.3) }
        }
        #expect(refusedVote, "no node logged a refused hard-state save within 15 s of the leader's death")
        #expect(
            fixture.client.statusAll().nodes.filter { $0.peer.id != leader.peer.id }.allSatisfy { $0.response != nil },
            "a node stopped when the full disk refused its log's writes")
        try fixture.cluster.start(leader.peer.id)

        // Free the space: a leader is elected and writes resume by themselves.
        try FileManager.default.removeItem(atPath: ballast)
        var resumed = false
        let again = ContinuousClock().now + .seconds(20)
        while ContinuousClock().now < again && !resumed {
            let send = try fixture.ledger(["send", "--topic", "Full", "--timeout", "5000"], stdin: "after\n")
            resumed = send.status == .exited(0)
            if !resumed { Thread.sleep(forTimeInterval: 0.3) }
        }
        #expect(resumed, "writes did not resume within 20 s of freeing the disk")
        acknowledged.append(try fixture.client.send(ProducerMessage(topic: "Full", body: Array("after".utf8))))

        // Every acknowledged message is still there, and no node exited.
        for result in acknowledged {
            let message = try fixture.client.pull(
                topic: "Full", queueID: result.queue.queueID, offset: result.queueOffset, maxCount: 1
            ).messages.first
            #expect(message?.physicalOffset == result.physicalOffset, "\(result)")
        }
        #expect(fixture.client.statusAll().nodes.allSatisfy { $0.response != nil })
    }

    /// Creates an empty file at `path` and returns the path.
    private static func create(_ path: String) throws -> String {
        try writeFile(path, [])
        return path
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: String) throws {
        let done = try ChildProcess.run(executable, arguments, scratchDirectory: directory)
        guard done.status == .exited(0) else {
            throw FixtureError("\(executable) \(arguments.joined(separator: " ")): \(done.status): \(done.stderr)")
        }
    }
}
