import LedgerCLI

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger chaos` as the executable runs it.
package enum ChaosCommand {
    /// The command name this module parses.
    package static let name = "chaos"
    static let title = "ledger \(name)"

    /// Parses `arguments` (the command name first) and runs the command; returns the process
    /// exit code. Throws the usage error to print (exit code 2).
    package static func run(_ arguments: [String]) throws(UsageError) -> Int32 {
        try ChaosInvocation.parse(arguments).run()
    }
}

/// A parsed `ledger chaos` command line.
enum ChaosInvocation: Sendable, Hashable {
    /// Print this text on stdout and exit 0.
    case help(String)
    case chaos(ChaosOptions)

    /// Parses `arguments`, the command name first. Precondition: it is `chaos`.
    static func parse(_ arguments: [String]) throws(UsageError) -> ChaosInvocation {
        precondition(arguments.first == ChaosCommand.name, "not a chaos command line: \(arguments)")
        let flags = try FlagParser.parse(
            Array(arguments.dropFirst()), flags: ChaosOptions.flags, command: ChaosCommand.title)
        if flags.wantsHelp {
            return .help(
                Help.text(usage: ChaosHelp.usage, about: ChaosHelp.about, flags: ChaosOptions.flags, findsPeers: false))
        }
        return .chaos(try ChaosOptions.parse(flags))
    }

    /// Runs the command; returns the process exit code.
    func run() -> Int32 {
        switch self {
        case .help(let text):
            Console.out(text)
            return ExitCode.success
        case .chaos(let options):
            return ChaosRunner(options: options).run()
        }
    }
}

extension ChaosOptions {
    /// What `ledger chaos` accepts.
    static let flags = [
        FlagSpec(["--duration"], value: "TIME", help: "how long load and faults run: 60s, 10m, 1500ms (default 60s)"),
        FlagSpec(
            ["--seed"], value: "N", help: "seed of the fault schedule and every random choice (default: from the clock)"
        ),
        FlagSpec(
            ["--faults"], value: "LIST",
            help:
                "faults to inject, comma-separated: kill,pause,restart,partition,long-pause,netem,slow-disk,disk-full "
                + "(default the first four; netem only with --netns; slow-disk and disk-full root only)"
        ),
        FlagSpec(
            ["--workload"], value: "KIND",
            help:
                "messages (idempotent sends, delayed sends, transactions, consumer groups with send-backs; the default) "
                + "or raw-append (raw log appends)"),
        FlagSpec(["--rate"], value: "OPS", help: "operations per second all producers together aim for (default 100)"),
        FlagSpec(["--keep-data"], help: "keep the temporary directory (configs, data, logs) even when the run passes"),
        FlagSpec(["--report"], value: "FILE", help: "also write the report as JSON to FILE"),
        FlagSpec(
            ["--acl-file"], value: "FILE",
            help:
                "run the group with aclEnable=true and this plain_acl.yml; the runner signs with --access-key/--secret-key "
                + "(an admin account: the run transfers leadership and reads the raw log)"),
        ClientFlags.accessKeyFlag, ClientFlags.secretKeyFlag,
        FlagSpec(
            ["--netns"],
            help:
                "root only: each node in a network namespace of its own on a bridge; partitions cut links in the "
                + "kernel (nft) and the netem fault is available"),
        FlagSpec(
            ["--overlap"],
            help:
                "up to two faults at once: on one node only on different layers (process, network, disk), on two "
                + "nodes only when one of them leaves its node in the majority (netem, slow-disk, disk-full)"),
        FlagSpec(
            ["--unsafe"],
            help:
                "with --overlap: any two faults on two nodes, even when together they leave no majority; the "
                + "checker then expects unavailability but still no lost acknowledged write"),
    ]

    /// The options `flags` give (parsed with ``flags``).
    /// Keys missing from `flags` are read from `environment`.
    /// `isRoot` says whether this process may create network namespaces (`--netns`).
    static func parse(
        _ flags: ParsedFlags, environment: (String) -> String? = ClientFlags.processEnvironment,
        isRoot: Bool = geteuid() == 0
    )
        throws(UsageError) -> ChaosOptions
    {
        let title = ChaosCommand.title
        var options = ChaosOptions()
        if let text = flags.value("--duration") {
            guard let duration = Duration(flagValue: text, fractions: false), duration >= .seconds(1),
                duration <= .seconds(86_400)
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
                    "--faults: expected a comma-separated list of kill, pause, restart, partition, long-pause, netem, "
                        + "slow-disk, disk-full, got \(quoted(text))",
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
        options.netns = flags.has("--netns")
        if options.netns && !isRoot {
            throw UsageError(
                "--netns needs root: it creates network namespaces, veth links, a bridge and nft rules "
                    + "(running as user \(geteuid()))",
                command: title)
        }
        if options.faults.contains(.netem) && !options.netns {
            throw UsageError("--faults: netem needs --netns (it degrades a node's own link)", command: title)
        }
        if let disk = options.faults.first(where: \.needsDisk), !isRoot {
            throw UsageError(
                "--faults: \(disk.rawValue) needs root: it puts each node's store on a file system of its own "
                    + "(a loop device with ext4, mounted) (running as user \(geteuid()))",
                command: title)
        }
        options.overlap = flags.has("--overlap")
        options.unsafe = flags.has("--unsafe")
        if options.unsafe && !options.overlap {
            throw UsageError(
                "--unsafe needs --overlap: it lets two overlapping faults leave the group without a majority",
                command: title)
        }
        if options.overlap && !ChaosOverlapRule(unsafe: options.unsafe).admitsSomePair(of: options.faults) {
            throw UsageError(
                "--overlap: no two of the faults \(options.faults.map(\.rawValue).joined(separator: ",")) may overlap "
                    + "without --unsafe (on one node they must act on different layers, on two nodes one must leave "
                    + "its node in the majority); add a kind such as partition or disk-full, or --unsafe",
                command: title)
        }
        options.keepData = flags.has("--keep-data")
        options.reportPath = flags.value("--report")
        options.aclFile = flags.value("--acl-file")
        options.credentials = try ClientFlags.parse(flags, command: title, environment: environment).credentials
        if options.aclFile != nil && options.credentials == nil {
            throw UsageError(
                "--acl-file needs an account to sign with: --access-key and --secret-key "
                    + "(or \(ClientFlags.accessKeyVariable) and \(ClientFlags.secretKeyVariable))",
                command: title)
        }
        return options
    }
}

/// The `ledger chaos --help` text.
enum ChaosHelp {
    static let usage =
        "ledger chaos [--duration 60s] [--seed N] [--faults kill,pause,restart,partition[,long-pause][,netem][,slow-disk][,disk-full]] [--workload messages|raw-append] [--rate OPS] [--keep-data] [--report FILE] [--netns] [--overlap [--unsafe]]"

    static let about = """
        Starts three `ledger server --fault-injection` processes (this binary) on free loopback ports
        in a fresh temporary directory, runs producers and consumers for the duration, and injects
        faults at random from the seed: kill (kill -9 the leader or a follower, restart it after a
        random delay), pause (SIGSTOP a node, usually the leader, for longer than the election
        timeout, then SIGCONT), restart (SIGTERM and restart), partition (the node drops Raft
        traffic to and from its peers through the test-only hook, then heals); and, only when
        --faults names it, long-pause (SIGSTOP a follower, never the leader, for a random 10–60 s
        while the workload runs, then SIGCONT; each adds at least 10 s to the run, so the default
        set leaves it out). One fault at a time (but see --overlap): after each heal it waits until the group is
        stable again (every node answers and names one leader in one term, every node holds what
        the leader committed; up to 30 s) before the next. It polls every node's status
        throughout and records every leader and term seen, and counts per fault the leadership
        changes from the fault until the group was stable again.
        Workload messages (the default): four idempotent producers of differing patience send
        synchronously (with retries) to the queues of two topics, each message's body and key
        naming its operation (pN#seq); an acknowledgement gives its queue and offset; a send whose
        outcome is unknown is indeterminate. One send in eight is delayed (DELAY 1-3; the group
        runs with messageDelayLevel=1s 2s 3s), one in eight is a transaction: a half message
        (producer group chaos-tx), then commit, rollback or nothing (the group runs with
        transactionTimeOut=1000, transactionCheckInterval=1000, transactionCheckMax=2, so an
        undecided one is discarded within seconds). Consumer groups chaos-g0 (two members
        splitting the queues, maxReconsumeTimes 1) and chaos-g1 (one member, 2) pull, commit
        offsets, read them back and send some messages back (one in eight read, one in two read
        from the retry queue %RETRY%<group>, which each group's first member reads too; one
        send-back in four twice). Workload raw-append: producers append raw entries, consumers
        read each node's committed entries.
        At the end it heals everything, restarts whatever is down, waits for the group to converge
        and for every held message to have moved on (the longest delay, or a half message's time
        to its discard, plus 1 s; then reads again, up to 4 times, while the first node still
        holds messages back), reads each node's status and committed log from that node alone,
        replays each log into a fresh state machine (every queue's messages, every group's
        offsets) and reads every queue from the leader. Checks: converged; election-safety (at
        most one leader per term); clean-exits (every node sent SIGTERM exited 0 within 10 s: a
        crash or hang on shutdown fails the run); identical-logs (every node's committed log and messages byte for byte, the leader's pulls
        the same, every node's state digest equal at the same applied index and equal to what its
        log replays to); acknowledged-present (at the queue offset or index acknowledged);
        no-duplicates (acknowledged exactly once, indeterminate at most once); no-phantoms
        (nothing never sent or certainly failed); reads-consistent (every message read matches the
        final log); producer-order (each producer's send order within every queue, plain sends
        only); delayed-delivery (every message held in SCHEDULE_TOPIC_XXXX, a delayed send or a
        send-back, is in its real topic and queue at most once, stored no earlier than its held
        store time plus its level's delay, read by no consumer before then, and surely there when
        it was due 5 s before the final read); send-backs (every acknowledged send-back is where it
        was acknowledged with reconsume times one higher than its source's: on its way to
        %RETRY%<group>, or past the maximum in %DLQ%<group>; none stored twice or never sent);
        transactions (a half message whose commit was acknowledged is in its topic exactly once,
        naming its half message, in its queue; a rolled-back or undecided one never; one whose
        commit's outcome is unknown at most once); offsets-in-log (committed offsets, at the end and as seen, within their queues);
        offsets-monotonic (no committed offset ever seen going back); stable-under-lag (no
        long-pause saw a leadership change before the group was stable again, but for one seen while
        an overlapping fault that may move leadership was active); writes-resume (a write was
        acknowledged after each disk-full fault and any fault overlapping it were healed, when the
        load ran on 3 s past that).
        Prints operations attempted/acknowledged/failed/indeterminate, the held messages (delayed
        sends acknowledged and delivered, send-backs acknowledged, retried and dead-lettered, half
        messages acknowledged, committed, rolled back and left undecided), faults by kind (each with
        its leadership changes and when the group was stable again), failovers (faults that took
        the leader out, not a slow or full disk or netem on it) with their unavailability windows
        (p50, max), throughput per 5 s, the nodes' final state digests and
        the verdict; --report writes the same as one JSON object: {"seed", "workload",
        "durationMs", "rate", "wallTimeMs", "faultsEnabled", "overlap": "off"|"safe"|"unsafe", "operations": {"attempted",
        "acknowledged", "failed", "indeterminate", "reads", "offsetCommits", "offsetQueries"},
        "heldMessages": {"delayed", "delivered", "sentBack", "retried", "deadLettered",
        "halfMessages", "committed", "rolledBack", "undecided"}, "faults": {"kill", "pause", "restart", "partition", "long-pause", "netem", "slow-disk",
        "disk-full"}, "faultLog": [{"atMs", "kind", "node", "targetedLeader", "healedAtMs", "detail",
        "leaderChanges", "settledAtMs", "overlapsAtMs", "writesRefused", "fullDiskSeen"}],
        "failovers": {"count", "unavailableP50Ms", "unavailableMaxMs", "windows": [{"atMs",
        "fault", "oldLeader", "firstAcknowledgedBy", "unavailableMs"}]}, "leaders": [{"term", "node", "firstSeenMs"}], "throughput":
        {"intervalMs", "acknowledged": [per second]}, "finalState": [{"node", "appliedIndex",
        "stateDigest", "replayedDigest"}], "notes", "checks": [{"name", "description", "passed",
        "violations", "first"}], "verdict": "PASS"|"FAIL", "firstViolation", "dataDirectory"}.
        On failure it prints the seed and the first violation and keeps the data directory.
        With --netns (root only) each node runs in a network namespace of its own
        (ledger-<pid>-nK, address 198.18.<pid mod 256>.K+1, listening on port 7000) joined by
        veth links to a bridge in the runner's namespace (ledger-<pid>-hub, 198.18.<pid mod
        256>.100), where the workload runs; no address is added outside those namespaces. The
        nodes run without --fault-injection: partition cuts a node off from its peers with nft
        rules in its namespace, both ways or one way at random (the runner still reaches it),
        and netem (only when named) puts tc netem (delay 50ms 20ms loss 5% duplicate 1% reorder
        10%) on both ends of a node's link for 2-5 s. Every namespace, link and rule is removed
        when the run ends, fails, or gets SIGINT/SIGTERM; a crashed run's namespaces are removed
        by the next --netns run. ip, tc and nft are installed with apt-get when missing.
        With --overlap each fault is joined, after a random 20-80% of its hold, by a second one, and
        each heals at its own time. Each fault acts on one layer of one node (process: kill, pause,
        restart, long-pause; network: partition, netem; disk: slow-disk, disk-full); two on one node
        must act on different layers. kill, pause, restart, long-pause and partition take their node
        out of the majority, the others only degrade it: two faults on two nodes may overlap only
        when one of them merely degrades, so two of the three nodes stay up and connected. The
        second fault is the first kind of the round (else of the enabled ones) with a target the
        rule admits; with none, the first runs alone. --unsafe (only with --overlap) lets two nodes
        be out at once: the group then has no majority while they overlap; every safety check
        still applies, and stable-under-lag blames a leadership change seen during any overlap on
        the other fault. The report names the faults each one overlapped.
        slow-disk and disk-full (root only) put each node's store on a 128 MiB ext4 file system of
        its own (image disks/ledger-<pid>-dK.img in the run's directory, a loop device, mounted on
        disks/ledger-<pid>-dK; data/nK links to its store directory). disk-full fills it to 96%
        with a ballast file beside the store for 2-5 s (above diskSpaceWarningLevelRatio, 90: the
        group refuses writes, serves reads) and deletes it; slow-disk throttles the node's loop
        device to 20 I/O operations and 1 MiB per second each way for 2-5 s (cgroup v1 root
        blkio.throttle.*; a kernel without it makes the run exit 1 saying so). Every throttle is
        cleared, every disk unmounted (lazily if still held) and every loop device detached when
        the run ends, fails, or gets SIGINT/SIGTERM; a crashed run's loop devices (image
        ledger-<pid>-dK.img of a process that no longer exists) are removed by the next run with
        a disk fault. losetup, mount and mkfs.ext4 are installed with apt-get when missing.
        The seed replays the fault schedule and the workload's choices, not the exact interleaving
        of real processes.
        Exits 0 only when every check passed, 1 otherwise (2 for usage errors).
        """
}
