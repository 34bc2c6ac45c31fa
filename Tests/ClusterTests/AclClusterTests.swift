import Foundation
import LedgerClient
import LedgerConfig
import Posix
import Raft
import TestSupport
import Testing

@testable import LedgerLocalGroup

/// A real three-node group with `aclEnable=true`: the `ledger` CLI with an account's keys (flags
/// or environment) works, and without keys, with a wrong secret, on a DENY topic or for an admin
/// request without admin it exits 1 naming what is missing; the ACL file is reloaded when it
/// changes, and a broken new file keeps the old ACL.
@Suite(.serialized)
struct AclClusterTests {
    static let acl = """
        accounts:
          - accessKey: producer
            secretKey: producer-secret
            defaultTopicPerm: PUB|SUB
            defaultGroupPerm: SUB
            topicPerms:
              - denied=DENY
          - accessKey: operator
            secretKey: operator-secret
            admin: true

        """

    static let producerKeys = ["--access-key", "producer", "--secret-key", "producer-secret"]

    @Test("the CLI against a group with aclEnable=true: keys work, no keys, a wrong secret and DENY are refused")
    func cliWithAndWithoutKeys() throws {
        let files = try TemporaryDirectory(prefix: "acl-cluster")
        defer { try? files.remove() }
        let aclPath = "\(files.path)/plain_acl.yml"
        try writeFile(aclPath, Array(Self.acl.utf8))
        let fixture = try ClusterFixture(settings: ["aclEnable=true", "aclFile=\(aclPath)"])
        let leader = try fixture.awaitLeader()

        let sent = try fixture.ledger(["send", "--topic", "orders", "--body", "first"] + Self.producerKeys)
        #expect(sent.status == .exited(0), "stderr: \(sent.stderr)")
        #expect(sent.stdout.hasPrefix("orders "), "stdout: \(sent.stdout)")
        let pulled = try fixture.ledger(
            ["pull", "--topic", "orders", "--queue", queue(of: sent.stdout), "--group", "g", "--commit"]
                + Self.producerKeys)
        #expect(pulled.status == .exited(0) && pulled.stdout.contains("first"), "\(pulled.stdout) \(pulled.stderr)")

        // The keys from the environment, as scripts keep the secret out of `ps`.
        let fromEnvironment = try ChildProcess.run(
            "/usr/bin/env",
            [
                "LEDGER_ACCESS_KEY=producer", "LEDGER_SECRET_KEY=producer-secret", fixture.binary, "send", "--topic",
                "orders", "--body", "second", "--peers", fixture.cluster.peerList,
            ], scratchDirectory: fixture.directory)
        #expect(fromEnvironment.status == .exited(0), "stderr: \(fromEnvironment.stderr)")

        let unsigned = try fixture.ledger(["send", "--topic", "orders", "--body", "x"])
        #expect(unsigned.status == .exited(1))
        #expect(
            unsigned.stderr.contains(
                "no permission: ACL is enabled and the request carries no AccessKey and Signature"),
            "stderr: \(unsigned.stderr)")
        let wrongSecret = try fixture.ledger(
            ["send", "--topic", "orders", "--body", "x", "--access-key", "producer", "--secret-key", "guessed!"])
        #expect(wrongSecret.status == .exited(1))
        #expect(
            wrongSecret.stderr.contains(
                #"no permission: the signature does not match AccessKey "producer" (wrong secret key?)"#),
            "stderr: \(wrongSecret.stderr)")
        let unknown = try fixture.ledger(
            ["send", "--topic", "orders", "--body", "x", "--access-key", "stranger", "--secret-key", "whatever"])
        #expect(unknown.status == .exited(1))
        #expect(unknown.stderr.contains(#"no account has AccessKey "stranger""#), "stderr: \(unknown.stderr)")
        let denied = try fixture.ledger(["send", "--topic", "denied", "--body", "x"] + Self.producerKeys)
        #expect(denied.status == .exited(1))
        #expect(
            denied.stderr.contains(#"no permission: AccessKey "producer" lacks PUB on topic "denied""#),
            "stderr: \(denied.stderr)")
        let target = try #require(fixture.peers.first { $0.id != leader.peer.id })
        let notAdmin = try fixture.ledger(["transfer-leader", "--to", target.name] + Self.producerKeys)
        #expect(notAdmin.status == .exited(1))
        #expect(
            notAdmin.stderr.contains(#"transferLeader needs an admin account; "producer" is not admin"#),
            "stderr: \(notAdmin.stderr)")
        let halfKeys = try fixture.ledger(["send", "--topic", "orders", "--body", "x", "--access-key", "producer"])
        #expect(halfKeys.status == .exited(2), "stderr: \(halfKeys.stderr)")

        // `status` is open (who leads, as the NameServer tells it); the admin account transfers.
        let status = try fixture.ledger(["status"])
        #expect(status.status == .exited(0), "stderr: \(status.stderr)")
        let transfer = try fixture.ledger(
            ["transfer-leader", "--to", target.name, "--access-key", "operator", "--secret-key", "operator-secret"])
        #expect(transfer.status == .exited(0), "stderr: \(transfer.stderr)")

        // The bench signs its sends with the keys it is given; without them it stores nothing.
        let bench = try fixture.ledger(
            ["bench", "--producers", "1", "--duration", "1s", "--topic", "benched"] + Self.producerKeys)
        #expect(bench.status == .exited(0), "stdout: \(bench.stdout)\nstderr: \(bench.stderr)")
        let unsignedBench = try fixture.ledger(["bench", "--producers", "1", "--duration", "1s", "--topic", "benched"])
        #expect(unsignedBench.status != .exited(0), "stdout: \(unsignedBench.stdout)")
        #expect(
            (unsignedBench.stdout + unsignedBench.stderr).contains("no permission"),
            "stdout: \(unsignedBench.stdout)\nstderr: \(unsignedBench.stderr)")

        // Nothing refused was stored: the queue holds exactly the two accepted sends.
        let all = try fixture.ledger(
            ["pull", "--topic", "orders", "--queue", queue(of: sent.stdout)] + Self.producerKeys)
        #expect(!all.stdout.contains(" x\n"), "stdout: \(all.stdout)")
    }

    @Test("a changed ACL file is applied within seconds; a broken one keeps the ACL in force")
    func reloadsTheFile() throws {
        let files = try TemporaryDirectory(prefix: "acl-reload")
        defer { try? files.remove() }
        let aclPath = "\(files.path)/plain_acl.yml"
        try writeFile(aclPath, Array(Self.acl.utf8))
        let fixture = try ClusterFixture(settings: ["aclEnable=true", "aclFile=\(aclPath)"])
        _ = try fixture.awaitLeader()
        let denied = try fixture.ledger(["send", "--topic", "denied", "--body", "x"] + Self.producerKeys)
        #expect(denied.status == .exited(1), "stderr: \(denied.stderr)")

        // Rotation: the producer's topic opened, and a new secret for it.
        let rotated = Self.acl.replacingOccurrences(of: "denied=DENY", with: "denied=PUB")
            .replacingOccurrences(of: "producer-secret", with: "producer-secret-2")
        try writeFile(aclPath, Array(rotated.utf8))
        let newKeys = ["--access-key", "producer", "--secret-key", "producer-secret-2"]
        try fixture.eventually("the new ACL lets the producer send to \"denied\"") {
            (try? fixture.ledger(["send", "--topic", "denied", "--body", "y", "--timeout", "1000"] + newKeys))?.status
                == .exited(0)
        }
        let oldSecret = try fixture.ledger(["send", "--topic", "denied", "--body", "x"] + Self.producerKeys)
        #expect(oldSecret.status == .exited(1), "the old secret still works: \(oldSecret.stderr)")

        try writeFile(aclPath, Array("accounts:\n  - accessKey: producer\n\tsecretKey: broken\n".utf8))
        try fixture.eventually("every node logs that the broken file cannot be used") {
            fixture.peers.allSatisfy { peer in
                fixture.cluster.logTail(peer.id, lines: 200).contains(
                    #"the ACL file changed but cannot be used; the previous ACL stays in force: \#(aclPath):3: expected spaces for indentation, got "a tab""#
                )
            }
        }
        let stillWorks = try fixture.ledger(["send", "--topic", "denied", "--body", "z"] + newKeys)
        #expect(stillWorks.status == .exited(0), "stderr: \(stillWorks.stderr)")
    }

    @Test("a node whose ACL file does not parse refuses to start with exit code 2, naming the line")
    func brokenFileStopsTheNode() throws {
        let files = try TemporaryDirectory(prefix: "acl-broken")
        defer { try? files.remove() }
        let aclPath = "\(files.path)/plain_acl.yml"
        try writeFile(aclPath, Array("accounts:\n  - accessKey: producer\n    secretKey: short\n".utf8))
        let fixture = try ClusterFixture(start: false, settings: ["aclEnable=true", "aclFile=\(aclPath)"])
        let config: String = fixture.cluster.configPath(NodeID(0))
        let result = try fixture.ledger(["server", "-c", config], withPeers: false)
        #expect(result.status == .exited(2), "\(result.stderr)")
        #expect(
            result.stderr.contains(
                #"aclFile: \#(aclPath):3: accounts[1].secretKey: expected 6 or more characters (no control characters), got "5 characters""#
            ),
            "\(result.stderr)")
    }

    /// The queue of `ledger send`'s first output line, `<topic> <queue> <offset> <msgId>`.
    private func queue(of line: String) -> String {
        String(line.split(separator: " ").dropFirst().first ?? "0")
    }
}
