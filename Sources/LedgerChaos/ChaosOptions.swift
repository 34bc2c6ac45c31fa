import LedgerConfig

/// The faults `ledger chaos` can inject.
enum ChaosFaultKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `kill -9` the leader or a follower; restart it after a random delay.
    case kill
    /// SIGSTOP a node (usually the leader) for longer than the election timeout, then SIGCONT.
    case pause
    /// SIGTERM a node, wait for it to exit, restart it.
    case restart
    /// Cut a node off from its peers through the test-only hook, then heal.
    case partition
    /// SIGSTOP a follower (never the leader) for 10–60 s while the workload runs, then SIGCONT:
    /// a replica that falls far behind and comes back. Not in ``defaults``: each one adds at
    /// least 10 s to a run.
    case longPause = "long-pause"
    /// Only with `--netns`: delay with jitter, loss, duplication and reordering (`tc qdisc …
    /// netem`) on both ends of a node's link for 2–5 s. Not in ``defaults``: not every kernel
    /// has netem.
    case netem
    /// Only on a node whose store is on a file system of its own (root): its loop device
    /// throttled to a few I/O operations per second (cgroup v1 `blkio.throttle.*`) for 2–5 s.
    /// Not in ``defaults``: it needs root and a kernel with blkio throttling.
    case slowDisk = "slow-disk"
    /// Only on a node whose store is on a file system of its own (root): a ballast file fills
    /// it past `diskSpaceWarningLevelRatio` for 2–5 s, so the group refuses writes until the
    /// ballast is deleted. Not in ``defaults``: it needs root.
    case diskFull = "disk-full"

    /// The faults a run injects without `--faults`: every kind but ``longPause``.
    static let defaults: [ChaosFaultKind] = [.kill, .pause, .restart, .partition]

    /// Whether the fault needs each node's store on a file system of its own (``ChaosDisks``).
    var needsDisk: Bool { self == .slowDisk || self == .diskFull }

    static func < (lhs: ChaosFaultKind, rhs: ChaosFaultKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What the producers and consumers of `ledger chaos` do.
enum ChaosWorkloadKind: String, Sendable, Hashable, CaseIterable {
    /// Idempotent message sends to several topics and queues; consumer groups pulling and
    /// committing offsets (``ChaosMessageWorkload``). The default.
    case messages
    /// Raw appends to the replicated log; consumers reading each node's committed entries
    /// (``ChaosRawWorkload``).
    case rawAppend = "raw-append"
}

/// Settings of `ledger chaos`.
struct ChaosOptions: Sendable, Hashable {
    /// How long the workload and the faults run (the heal, convergence and checks come after).
    var duration: Duration = .seconds(60)
    /// The seed of every random choice the runner makes; nil picks one from the clock (printed).
    var seed: UInt64?
    /// The faults to inject, in ``ChaosFaultKind`` order.
    var faults: [ChaosFaultKind] = ChaosFaultKind.defaults
    /// What producers and consumers do.
    var workload = ChaosWorkloadKind.messages
    /// The operations per second all producers together aim for.
    var rate = 100
    /// Keep the temporary directory (configs, data, logs) even when every check passed.
    var keepData = false
    /// Where to write the JSON report, if anywhere.
    var reportPath: String?
    /// With `--acl-file`: the spawned group runs with `aclEnable=true` and this `aclFile`, and
    /// every request of the runner is signed with ``credentials``.
    var aclFile: String?
    /// The account the runner signs with (`--access-key`/`--secret-key` or the environment).
    var credentials: AccessCredentials?
    /// Each node in a network namespace of its own; partitions cut links in the kernel.
    var netns = false
    /// Up to two faults at once (``ChaosOverlapRule``).
    var overlap = false
    /// With ``overlap``: the two faults may leave the group without a majority; the checker
    /// then excuses leadership changes during any overlap (``ChaosOverlapRule/unsafe``).
    var unsafe = false

    /// Parses `kill,pause,restart,partition,long-pause,netem,slow-disk,disk-full` (any non-empty subset, any order).
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
