import LedgerClient
import LedgerConfig
import Posix
import Raft
import TestSupport
import Testing

@testable import LedgerLocalGroup

/// A three-node group of real `ledger server` processes in a fresh temporary directory, with a
/// client for it. Deinit SIGKILLs every node and deletes the directory, so nothing outlives a
/// test, failed or not.
final class ClusterFixture {
    let cluster: LocalGroup
    let client: LedgerClient
    let binary: String
    let temporary: TemporaryDirectory

    /// Settings every test group uses: small files; default Raft timings.
    static let settings = ["dataFileSize=8MiB", "maxMessageSize=1MiB"]

    /// `adminPorts`: every node also serves its admin HTTP port (``LocalGroup/adminPorts``);
    /// `remoting`: its RocketMQ broker and NameServer ports (``LocalGroup/brokerPorts``);
    /// `settings`: config lines added after ``settings`` (replacing those of the same keys).
    init(
        start: Bool = true, serverFlags: [String] = [], adminPorts: Bool = false, remoting: Bool = false,
        settings: [String] = []
    ) throws {
        binary = try ledgerBinary()
        temporary = try TemporaryDirectory(prefix: "ledger-cluster-test")
        cluster = try LocalGroup(
            binary: binary, directory: temporary.path,
            settings: ClusterFixture.settings.filter { base in
                !settings.contains { $0.prefix { $0 != "=" } == base.prefix { $0 != "=" } }
            } + settings,
            serverFlags: serverFlags,
            adminPorts: adminPorts, remoting: remoting)
        client = LedgerClient(peers: cluster.peers, options: LedgerClientOptions(timeout: .seconds(10)))
        if start { try cluster.startAll() }
    }

    deinit {
        client.close()
        cluster.shutDown()
        do {
            try temporary.remove()
        } catch {
            Issue.record("cannot remove the test directory \(directory): \(error)")
        }
    }

    /// Where the group's configs, data and logs live, and the tests' scratch files.
    var directory: String { temporary.path }

    var peers: [Peer] { cluster.peers }

    /// Waits (up to `timeout`) until a node other than `excluded` reports itself leader.
    func awaitLeader(excluding excluded: NodeID? = nil, timeout: Duration = .seconds(15)) throws -> LeaderInfo {
        var last = ""
        let deadline = ContinuousClock().now + timeout
        while ContinuousClock().now < deadline {
            let view = client.statusAll()
            if let leader = view.leader, leader.peer.id != excluded { return leader }
            last = view.summary
            pause(.milliseconds(50))
        }
        throw FixtureError(
            "no leader\(excluded.map { " other than n\($0)" } ?? "") within \(timeout): \(last)\n\(logs)")
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; then throws, naming `what`.
    func eventually(_ what: String, timeout: Duration = .seconds(15), _ condition: () -> Bool) throws {
        let deadline = ContinuousClock().now + timeout
        while ContinuousClock().now < deadline {
            if condition() { return }
            pause(.milliseconds(50))
        }
        throw FixtureError("\(what) did not happen within \(timeout)\n\(logs)")
    }

    /// Runs `ledger ARGUMENTS` (a client command gets `--peers` for this group appended).
    func ledger(_ arguments: [String], stdin: String = "", withPeers: Bool = true) throws -> ChildProcess.Completed {
        try ChildProcess.run(
            binary, arguments + (withPeers ? ["--peers", cluster.peerList] : []), stdin: stdin,
            scratchDirectory: directory)
    }

    /// Appends `count` entries `prefix1`, `prefix2`, ...; returns index → data of each acknowledged one.
    func appendEntries(_ prefix: String, count: Int) throws -> [(LogIndex, String)] {
        try (1...count).map { number in
            let data = "\(prefix)\(number)"
            return (try client.append(Array(data.utf8)), data)
        }
    }

    /// Checks every entry in `acknowledged` reads back, from the leader, with its data.
    func expectReadable(_ acknowledged: [(LogIndex, String)], sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        for (index, data) in acknowledged {
            let entry = try client.get(index)
            #expect(
                String(decoding: entry.data, as: UTF8.self) == data, "entry \(index)", sourceLocation: sourceLocation)
        }
    }

    /// The tail of every node's log, for failure messages.
    var logs: String {
        peers.map { "--- \($0.name) log:\n\(cluster.logTail($0.id))" }.joined(separator: "\n")
    }
}

/// A test precondition that did not hold; its text includes the nodes' logs.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
