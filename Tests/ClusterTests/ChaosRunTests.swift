import Posix
import TestSupport
import Testing

@testable import LedgerChaos
@testable import LedgerLocalGroup

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger chaos` end to end: real processes, every fault kind, every check passing.
@Suite(.serialized)
struct ChaosRunTests {
    /// Seed 1's schedule injects partition, pause, restart and kill within 20 s (the kinds come
    /// in shuffled rounds, each once per round).
    static let seed = 1

    /// Runs `ledger chaos ARGUMENTS --report FILE` in a scratch directory; returns the terminal
    /// report and the JSON one.
    static func chaos(_ arguments: [String]) throws -> (run: ChildProcess.Completed, json: String) {
        try inScratchDirectory { binary, scratch in
            let reportPath = "\(scratch)/report.json"
            let run = try ChildProcess.run(
                binary, ["chaos"] + arguments + ["--report", reportPath], scratchDirectory: scratch,
                timeout: .seconds(240))
            // A run that could not start (exit 1 before any load) writes no report.
            let json = fileExists(reportPath) ? String(decoding: try readFile(reportPath), as: UTF8.self) : ""
            return (run, json)
        }
    }

    /// Runs `ledger chaos ARGUMENTS` (``chaos(_:)``); when the kernel lacks a fault the run
    /// names (exit 1 with `refusal` on stderr), prints that `test` left it out, removes the
    /// refused run's directory and runs again with `--faults` set to `fallback`. Returns the
    /// arguments of the run that counts, with its reports.
    static func chaos(_ arguments: [String], unlessKernelRefuses refusal: String, fallback: String, test: String)
        throws -> (arguments: [String], run: ChildProcess.Completed, json: String)
    {
        var arguments = arguments
        var (run, json) = try chaos(arguments)
        if run.status == .exited(1) && run.stderr.contains(refusal) {
            print("ChaosRunTests.\(test): \(fallback) only: \(run.stderr)")
            // The refused run keeps its (empty) data directory, as every failed run does.
            if let kept = run.stderr.split(separator: "data directory kept: ").last?.split(separator: ")").first {
                try removeTree(String(kept))
            }
            arguments[arguments.firstIndex(of: "--faults")! + 1] = fallback
            (run, json) = try chaos(arguments)
        }
        return (arguments, run, json)
    }

    /// Runs `body` with the `ledger` binary and a fresh scratch directory, removed afterwards.
    static func inScratchDirectory<T>(_ body: (String, String) throws -> T) throws -> T {
        let binary = try ledgerBinary()
        let scratch = try TemporaryDirectory(prefix: "ledger-chaos-test")
        defer {
            do {
                try scratch.remove()
            } catch {
                Issue.record("cannot remove \(scratch.path): \(error)")
            }
        }
        return try body(binary, scratch.path)
    }

    @Test("a 20-second message chaos run with a fixed seed injects every fault kind and passes every check")
    func shortRunPasses() throws {
        let arguments = ["--duration", "20s", "--seed", "\(Self.seed)"]
        let (run, report) = try Self.chaos(arguments)
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("verdict: PASS"), "\(replay)\n\(run.stdout)")
        #expect(report.contains("\"verdict\": \"PASS\""), "\(replay)\n\(report)")
        #expect(report.contains("\"workload\": \"messages\""), "messages are the default workload")
        for kind in ChaosFaultKind.defaults {
            #expect(
                report.contains("\"kind\": \"\(kind.rawValue)\""),
                "no \(kind.rawValue) fault injected (\(replay))\n\(run.stdout)")
        }
        // The checks had something to check: sends acknowledged at queue offsets, messages read,
        // offsets committed, every node's state read back.
        #expect(!report.contains("\"acknowledged\": 0,"), "\(replay)\n\(run.stdout)")
        #expect(!report.contains("\"reads\": 0,"), "\(replay)\n\(run.stdout)")
        #expect(!report.contains("\"offsetCommits\": 0,"), "\(replay)\n\(run.stdout)")
        // Held messages too: delayed sends delivered, send-backs retried and dead-lettered,
        // transactions committed and rolled back.
        for key in ["delayed", "delivered", "sentBack", "retried", "deadLettered", "committed", "rolledBack"] {
            #expect(!report.contains("\"\(key)\": 0,"), "no \(key) messages (\(replay))\n\(run.stdout)")
        }
        for node in ["n0", "n1", "n2"] {
            #expect(report.contains("{\"node\": \"\(node)\", \"appliedIndex\": "), "\(replay)\n\(run.stdout)")
        }
        #expect(report.contains("\"dataDirectory\": null"), "a passing run deletes its directory")
    }

    @Test("a short message chaos run against a group with aclEnable=true, signed with an admin account, passes")
    func aclRunPasses() throws {
        let acl = try TemporaryDirectory(prefix: "ledger-chaos-acl")
        defer { try? acl.remove() }
        let aclPath = "\(acl.path)/plain_acl.yml"
        try writeFile(
            aclPath, Array("accounts:\n  - accessKey: chaosadmin\n    secretKey: chaos-secret\n    admin: true\n".utf8))
        let arguments = [
            "--duration", "8s", "--seed", "\(Self.seed)", "--acl-file", aclPath, "--access-key", "chaosadmin",
            "--secret-key", "chaos-secret",
        ]
        let (run, report) = try Self.chaos(arguments)
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(!report.contains("\"acknowledged\": 0,"), "\(replay)\n\(run.stdout)")
    }

    @Test("a short raw-append chaos run passes every check")
    func rawAppendRunPasses() throws {
        let arguments = ["--duration", "8s", "--seed", "\(Self.seed)", "--workload", "raw-append"]
        let (run, report) = try Self.chaos(arguments)
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(report.contains("\"workload\": \"raw-append\""), "\(report)")
        #expect(!report.contains("\"acknowledged\": 0,"), "\(replay)\n\(run.stdout)")
    }

    @Test(
        "a 20-second --netns run with kernel partitions (and netem where the kernel has it) passes and leaves no namespace"
    )
    func netnsRunPasses() throws {
        guard geteuid() == 0 else {
            print(
                "ChaosRunTests.netnsRunPasses skipped: ledger chaos --netns needs root (running as user \(geteuid()))")
            return
        }
        let (arguments, run, report) = try Self.chaos(
            ["--netns", "--duration", "20s", "--seed", "\(Self.seed)", "--faults", "partition,netem"],
            unlessKernelRefuses: "the netem fault cannot run", fallback: "partition", test: "netnsRunPasses")
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(report.contains("\"verdict\": \"PASS\""), "\(replay)\n\(report)")
        #expect(report.contains("in the kernel (nft)"), "no kernel partition injected (\(replay))\n\(run.stdout)")
        if arguments.last == "partition,netem" {
            #expect(report.contains("\"kind\": \"netem\""), "no netem fault injected (\(replay))\n\(run.stdout)")
        }
        #expect(!report.contains("\"acknowledged\": 0,"), "\(replay)\n\(run.stdout)")
        // The run names its namespaces `ledger-<pid>-…`; none may be left.
        let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("chaos: network namespaces ledger-") }
        let prefix = line.map { String($0.split(separator: " ")[3].dropLast("hub".count)) }
        #expect(prefix != nil, "the run did not name its namespaces\n\(run.stdout)")
        let listing = try Self.inScratchDirectory { _, scratch in
            try ChildProcess.run("/usr/sbin/ip", ["netns", "list"], scratchDirectory: scratch)
        }
        #expect(listing.status == .exited(0), "ip netns list: \(listing.stderr)")
        if let prefix {
            #expect(!listing.stdout.contains(prefix), "namespaces of the run left behind:\n\(listing.stdout)")
        }
    }

    /// Whether some fault in the JSON report overlapped another (`"overlapsAtMs": [<digit>`).
    static func showsOverlap(_ report: String) -> Bool {
        report.split(separator: "\"overlapsAtMs\": [").dropFirst().contains { $0.first?.isNumber == true }
    }

    @Test("a 15-second --overlap run passes every check and its report shows overlapping faults")
    func overlapRunPasses() throws {
        let arguments = ["--overlap", "--duration", "15s", "--seed", "\(Self.seed)"]
        let (run, report) = try Self.chaos(arguments)
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(report.contains("\"overlap\": \"safe\""), "\(replay)\n\(report)")
        #expect(Self.showsOverlap(report), "no two faults overlapped (\(replay))\n\(run.stdout)")
        #expect(run.stdout.contains("; overlaps "), "\(replay)\n\(run.stdout)")
        #expect(!report.contains("\"acknowledged\": 0,"), "\(replay)\n\(run.stdout)")
    }

    @Test("a 15-second --netns --overlap run passes every check, shows overlapping faults and leaves no namespace")
    func netnsOverlapRunPasses() throws {
        guard geteuid() == 0 else {
            print(
                "ChaosRunTests.netnsOverlapRunPasses skipped: ledger chaos --netns needs root (running as user \(geteuid()))"
            )
            return
        }
        let arguments = ["--netns", "--overlap", "--duration", "15s", "--seed", "\(Self.seed)"]
        let (run, report) = try Self.chaos(arguments)
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(Self.showsOverlap(report), "no two faults overlapped (\(replay))\n\(run.stdout)")
        #expect(report.contains("in the kernel (nft)"), "no kernel partition injected (\(replay))\n\(run.stdout)")
        let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("chaos: network namespaces ledger-") }
        let prefix = try #require(line.map { String($0.split(separator: " ")[3].dropLast("hub".count)) })
        let listing = try Self.inScratchDirectory { _, scratch in
            try ChildProcess.run("/usr/sbin/ip", ["netns", "list"], scratchDirectory: scratch)
        }
        #expect(!listing.stdout.contains(prefix), "namespaces of the run left behind:\n\(listing.stdout)")
    }

    @Test("ledger chaos rejects --unsafe without --overlap with exit code 2")
    func unsafeNeedsOverlap() throws {
        let run = try Self.inScratchDirectory { binary, scratch in
            try ChildProcess.run(binary, ["chaos", "--unsafe"], scratchDirectory: scratch)
        }
        #expect(run.status == .exited(2))
        #expect(run.stderr.contains("--unsafe needs --overlap"), "\(run.stderr)")
    }

    @Test(
        "a 12-second run with disk-full (and slow-disk where the kernel can throttle) passes, the full node refuses writes, and no mount or loop device is left"
    )
    func diskFaultRunPasses() throws {
        guard geteuid() == 0 else {
            print(
                "ChaosRunTests.diskFaultRunPasses skipped: the disk faults need root to mount (running as user \(geteuid()))"
            )
            return
        }
        // Seed 2's first round injects disk-full first, while the run has room for it.
        let (arguments, run, report) = try Self.chaos(
            ["--duration", "12s", "--seed", "2", "--faults", "disk-full,slow-disk"],
            unlessKernelRefuses: "the slow-disk fault cannot run", fallback: "disk-full", test: "diskFaultRunPasses")
        let replay = "replay: ledger chaos \(arguments.joined(separator: " "))"
        #expect(run.status == .exited(0), "\(replay)\n\(run.stdout)\n\(run.stderr)")
        #expect(report.contains("\"kind\": \"disk-full\""), "no disk-full fault injected (\(replay))\n\(run.stdout)")
        if arguments.last == "disk-full,slow-disk" {
            #expect(
                report.contains("blkio throttle on /dev/loop"), "no slow-disk fault injected (\(replay))\n\(run.stdout)"
            )
        }
        // Every disk-full fault's node reported its disk full (it refuses writes; a leader hands
        // leadership on), and writes came back (writes-resume).
        let seen = report.split(separator: "\"kind\": \"disk-full\"").dropFirst().map { fault in
            fault.split(separator: "\"fullDiskSeen\": ").dropFirst().first.map { $0.hasPrefix("true") }
        }
        #expect(!seen.isEmpty && seen.allSatisfy { $0 == true }, "\(replay)\n\(run.stdout)")
        #expect(report.contains("{\"name\": \"writes-resume\", "), "\(replay)\n\(report)")
        // The run names its disks `ledger-<pid>-dK`: none may be mounted or attached afterwards.
        let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("chaos: each node's store on a ") }
        let disks = try #require(line?.split(separator: "/").last.map { String($0.dropLast("0-2".count)) })
        #expect(disks.hasPrefix("ledger-") && disks.hasSuffix("-d"), "\(line ?? "")")
        let mounts = String(decoding: try readFile("/proc/self/mountinfo"), as: UTF8.self)
        #expect(!mounts.contains(disks), "a disk of the run is still mounted:\n\(mounts)")
        for device in try Directory.list("/sys/block") where device.hasPrefix("loop") {
            let backing = "/sys/block/\(device)/loop/backing_file"
            guard fileExists(backing) else { continue }
            let file = String(decoding: try readFile(backing), as: UTF8.self)
            #expect(!file.contains(disks), "/dev/\(device) still holds \(file)")
        }
    }

    @Test("ledger chaos rejects an unknown fault kind with exit code 2")
    func badFaultsFlag() throws {
        let run = try Self.inScratchDirectory { binary, scratch in
            try ChildProcess.run(binary, ["chaos", "--faults", "meteor"], scratchDirectory: scratch)
        }
        #expect(run.status == .exited(2))
        #expect(run.stderr.contains("--faults: expected a comma-separated list of kill, pause, restart, partition"))
    }
}
