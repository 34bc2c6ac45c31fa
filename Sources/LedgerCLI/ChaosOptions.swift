import LedgerModel

/// The faults `ledger chaos` can inject.
public enum ChaosFaultKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `kill -9` the leader or a follower; restart it after a random delay.
    case kill
    /// SIGSTOP a node (usually the leader) for longer than the election timeout, then SIGCONT.
    case pause
    /// SIGTERM a node, wait for it to exit, restart it.
    case restart
    /// Cut a node off from its peers through the test-only hook, then heal.
    case partition

    public static func < (lhs: ChaosFaultKind, rhs: ChaosFaultKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What the producers and consumers of `ledger chaos` do.
public enum ChaosWorkloadKind: String, Sendable, Hashable, CaseIterable {
    /// Idempotent message sends to several topics and queues; consumer groups pulling and
    /// committing offsets (``ChaosMessageWorkload``). The default.
    case messages
    /// Raw appends to the replicated log; consumers reading each node's committed entries
    /// (``ChaosRawWorkload``).
    case rawAppend = "raw-append"
}

/// Settings of `ledger chaos`.
public struct ChaosOptions: Sendable, Hashable {
    /// How long the workload and the faults run (the heal, convergence and checks come after).
    public var duration: Duration = .seconds(60)
    /// The seed of every random choice the runner makes; nil picks one from the clock (printed).
    public var seed: UInt64?
    /// The faults to inject, in ``ChaosFaultKind`` order.
    public var faults: [ChaosFaultKind] = ChaosFaultKind.allCases
    /// What producers and consumers do.
    public var workload = ChaosWorkloadKind.messages
    /// The operations per second all producers together aim for.
    public var rate = 100
    /// Keep the temporary directory (configs, data, logs) even when every check passed.
    public var keepData = false
    /// Where to write the JSON report, if anywhere.
    public var reportPath: String?

    public init() {}

    /// Parses a duration: `60s`, `10m`, `1500ms`, or plain seconds (`90`).
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "ms" also ends in "s": only accept a suffix whose number parses.
            guard let value = Int64(number), value >= 0 else { continue }
            return .milliseconds(value * milliseconds)
        }
        return Int64(text).map { .seconds($0) }
    }

    /// Parses `kill,pause,restart,partition` (any non-empty subset, any order).
    static func parseFaults(_ text: String) -> [ChaosFaultKind]? {
        var kinds: Set<ChaosFaultKind> = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let kind = ChaosFaultKind(rawValue: word.trimmingSpaces) else { return nil }
            kinds.insert(kind)
        }
        return kinds.isEmpty ? nil : kinds.sorted()
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension Command {
    static let chaosFlags = [
        FlagSpec(["--duration"], value: "TIME", help: "how long load and faults run: 60s, 10m, 1500ms (default 60s)"),
        FlagSpec(
            ["--seed"], value: "N", help: "seed of the fault schedule and every random choice (default: from the clock)"
        ),
        FlagSpec(
            ["--faults"], value: "LIST",
            help: "faults to inject, comma-separated: kill,pause,restart,partition (default all four)"),
        FlagSpec(
            ["--workload"], value: "KIND",
            help: "messages (idempotent sends, consumer groups; the default) or raw-append (raw log appends)"),
        FlagSpec(["--rate"], value: "OPS", help: "operations per second all producers together aim for (default 100)"),
        FlagSpec(["--keep-data"], help: "keep the temporary directory (configs, data, logs) even when the run passes"),
        FlagSpec(["--report"], value: "FILE", help: "also write the report as JSON to FILE"),
    ]

    func chaosOptions(from flags: ParsedFlags) throws(UsageError) -> ChaosOptions {
        var options = ChaosOptions()
        if let text = flags.value("--duration") {
            guard let duration = ChaosOptions.parseDuration(text), duration >= .seconds(1), duration <= .seconds(86_400)
            else {
                throw UsageError(
                    "--duration: expected a time from 1s to 24h such as 60s, 10m or 1500ms, got \(quoted(text))",
                    command: title)
            }
            options.duration = duration
        }
        if let text = flags.value("--seed") {
            guard let seed = UInt64(text) else {
                throw UsageError(
                    "--seed: expected a whole number from 0 to \(UInt64.max), got \(quoted(text))", command: title)
            }
            options.seed = seed
        }
        if let text = flags.value("--faults") {
            guard let faults = ChaosOptions.parseFaults(text) else {
                throw UsageError(
                    "--faults: expected a comma-separated list of kill, pause, restart, partition, got \(quoted(text))",
                    command: title)
            }
            options.faults = faults
        }
        if let text = flags.value("--workload") {
            guard let workload = ChaosWorkloadKind(rawValue: text) else {
                throw UsageError("--workload: expected messages or raw-append, got \(quoted(text))", command: title)
            }
            options.workload = workload
        }
        if let text = flags.value("--rate") {
            guard let rate = Int(text), (1...10_000).contains(rate) else {
                throw UsageError(
                    "--rate: expected operations per second from 1 to 10000, got \(quoted(text))", command: title)
            }
            options.rate = rate
        }
        options.keepData = flags.has("--keep-data")
        options.reportPath = flags.value("--report")
        return options
    }
}

/// The `ledger chaos --help` text.
enum ChaosHelp {
    static let usage =
        "ledger chaos [--duration 60s] [--seed N] [--faults kill,pause,restart,partition] [--workload messages|raw-append] [--rate OPS] [--keep-data] [--report FILE]"

    static let about = """
        Starts three `ledger server --fault-injection` processes (this binary) on free loopback ports
        in a fresh temporary directory, runs producers and consumers for the duration, and injects
        faults at random from the seed: kill (kill -9 the leader or a follower, restart it after a
        random delay), pause (SIGSTOP a node, usually the leader, for longer than the election
        timeout, then SIGCONT), restart (SIGTERM and restart), partition (the node drops Raft
        traffic to and from its peers through the test-only hook, then heals). It polls every
        node's status throughout and records every leader and term seen.
        Workload messages (the default): four idempotent producers of differing patience send
        synchronously (with retries) to the queues of two topics, each message's body and key
        naming its operation (pN#seq); an acknowledgement gives its queue and offset; a send whose
        outcome is unknown is indeterminate. Consumer groups chaos-g0 (two members splitting the queues) and chaos-g1
        (one member) pull, commit offsets and read them back. Workload raw-append: producers append
        raw entries, consumers read each node's committed entries.
        At the end it heals everything, restarts whatever is down, waits for the group to converge,
        reads each node's status and committed log from that node alone, replays each log into a
        fresh state machine (every queue's messages, every group's offsets) and reads every queue
        from the leader. Checks: converged; election-safety (at most one leader per term);
        identical-logs (every node's committed log and messages byte for byte, the leader's pulls
        the same, every node's state digest equal at the same applied index and equal to what its
        log replays to); acknowledged-present (at the queue offset or index acknowledged);
        no-duplicates (acknowledged exactly once, indeterminate at most once); no-phantoms
        (nothing never sent or certainly failed); reads-consistent (every message read matches the
        final log); producer-order (each producer's send order within every queue);
        offsets-in-log (committed offsets, at the end and as seen, within their queues);
        offsets-monotonic (no committed offset ever seen going back).
        Prints operations attempted/acknowledged/failed/indeterminate, faults by kind, failovers
        with their unavailability windows (p50, max), throughput per 5 s, the nodes' final state
        digests and the verdict; --report writes the same as one JSON object: {"seed", "workload",
        "durationMs", "rate", "wallTimeMs", "faultsEnabled", "operations": {"attempted",
        "acknowledged", "failed", "indeterminate", "reads", "offsetCommits", "offsetQueries"},
        "faults": {"kill", "pause", "restart", "partition"}, "faultLog": [{"atMs", "kind", "node",
        "targetedLeader", "healedAtMs", "detail"}], "failovers": {"count", "unavailableP50Ms",
        "unavailableMaxMs", "windows": [{"atMs", "fault", "oldLeader", "firstAcknowledgedBy",
        "unavailableMs"}]}, "leaders": [{"term", "node", "firstSeenMs"}], "throughput":
        {"intervalMs", "acknowledged": [per second]}, "finalState": [{"node", "appliedIndex",
        "stateDigest", "replayedDigest"}], "notes", "checks": [{"name", "description", "passed",
        "violations", "first"}], "verdict": "PASS"|"FAIL", "firstViolation", "dataDirectory"}.
        On failure it prints the seed and the first violation and keeps the data directory.
        The seed replays the fault schedule and the workload's choices, not the exact interleaving
        of real processes.
        Exits 0 only when every check passed, 1 otherwise (2 for usage errors).
        """
}
