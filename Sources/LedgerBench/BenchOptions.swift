import LedgerCLI
import LedgerModel

/// Settings of `ledger bench`: the load, the target group, and what to print.
///
/// Terms, as `ledger bench --help` explains them: a *producer* is one connection to the leader
/// driven by one thread; a *request* is one batch of `batch` messages; each producer keeps
/// `inflight` requests outstanding, so up to `producers × inflight × batch` messages are
/// unacknowledged at any moment.
struct BenchOptions: Sendable, Hashable {
    /// How a producer paces its requests.
    enum Mode: String, Sendable, Hashable, CaseIterable {
        /// One request at a time: send, wait for the acknowledgement, send the next.
        case sync
        /// Pipelined: `inflight` requests outstanding on the connection; the next one leaves as
        /// soon as an acknowledgement makes room.
        case async
    }

    /// The group to load: the one `client` names, or (`spawn`) a fresh local three-node group.
    var client = ClientFlags()
    var spawn = false
    /// Connections (and threads) sending load.
    var producers = 1
    /// Requests each producer keeps outstanding.
    var inflight = 1
    /// Bytes of each message's body.
    var size = 1024
    /// Messages per request.
    var batch = 1
    /// How long producers send; acknowledgements still outstanding then are awaited (up to the
    /// request timeout) and counted.
    var duration: Duration = .seconds(15)
    var mode: Mode = .sync
    /// The topic messages go to (RocketMQ's benchmark producer uses `BenchmarkTest` too).
    var topic = BenchOptions.defaultTopic
    /// Send raw log appends (the `append` request) instead of messages.
    var raw = false
    /// Messages per second to aim for, paced evenly (open loop); nil: as fast as `inflight` allows.
    var rate: Int?
    /// Print one JSON object instead of the report.
    var json = false
    /// Measure this machine's fdatasync rate, sequential write speed and loopback round trip
    /// first, and print the results as ratios to them.
    var limits = false
    /// Run the fixed matrix of ``BenchMatrix`` instead of one load, and print a Markdown table.
    var matrix = false
    /// Stop one follower of the spawned group for a while during the run (needs ``spawn``).
    var pauseFollower: FollowerPause?
    /// Run the load twice: through our own protocol, then as RocketMQ SEND_MESSAGE_V2 through
    /// the leader's remoting port; print both and how they compare.
    var remoting = false

    /// The duration of each cell of the matrix unless `--duration` says otherwise.
    static let matrixCellDuration: Duration = .seconds(5)
    /// The topic without `--topic`.
    static let defaultTopic = "BenchmarkTest"
    /// The largest `--size`: a request of one message must stay well inside a wire frame.
    static let maxSize = 4 << 20

    static let flags: [FlagSpec] =
        ClientFlags.flags + [
            FlagSpec(["--spawn"], help: "start a fresh three-node group in a temporary directory, bench it, stop it"),
            FlagSpec(["--producers"], value: "N", help: "connections sending load, one thread each (default 1)"),
            FlagSpec(
                ["--inflight"], value: "N",
                help: "requests each producer keeps outstanding (default 1; more than 1 implies --mode async)"),
            FlagSpec(["--size"], value: "BYTES", help: "bytes of each message (default 1024)"),
            FlagSpec(["--batch"], value: "N", help: "messages per request (default 1; see below)"),
            FlagSpec(
                ["--duration"], value: "TIME",
                help: "how long to send, e.g. 15s, 500ms, 2m (default 15s; 5s per matrix cell)"),
            FlagSpec(
                ["--mode"], value: "sync|async",
                help: "sync: one request at a time; async: --inflight requests pipelined (default: by --inflight)"),
            FlagSpec(["--topic"], value: "T", help: "send the messages to topic T (default \(defaultTopic))"),
            FlagSpec(["--raw"], help: "send raw log appends instead of messages"),
            FlagSpec(
                ["--rate"], value: "N",
                help: "aim for N messages/s in all, paced (open loop; latency counts from when each was due)"),
            FlagSpec(["--json"], help: "print one JSON object instead of the report"),
            FlagSpec(
                ["--limits"],
                help: "first measure fdatasync/s, sequential write MB/s and loopback round trip; print ratios"),
            FlagSpec(
                ["--matrix"],
                help: "run the fixed matrix (make bench) and print a Markdown table; load flags are refused"),
            FlagSpec(
                ["--pause-follower"], value: "AFTER+FOR",
                help: "with --spawn: SIGSTOP a follower AFTER into the run for FOR (e.g. 3s+35s), then SIGCONT"),
            FlagSpec(
                ["--remoting"],
                help: "run the load again as RocketMQ SEND_MESSAGE_V2 through the remoting port; print both"),
        ]

    /// The options `flags` describe; `client` is the peer source and timeout they already gave.
    static func parse(_ flags: ParsedFlags, client: ClientFlags, command: String) throws(UsageError) -> BenchOptions {
        var options = BenchOptions()
        options.client = client
        options.spawn = flags.has("--spawn")
        if options.spawn, let given = ["--peers", "--config"].first(where: { flags.value($0) != nil }) {
            throw UsageError("--spawn benches a group of its own; \(given) names another", command: command)
        }
        options.json = flags.has("--json")
        options.limits = flags.has("--limits")
        options.matrix = flags.has("--matrix")
        if options.matrix {
            let load = ["--producers", "--inflight", "--size", "--batch", "--mode", "--rate", "--pause-follower"]
            if let given = load.first(where: { flags.value($0) != nil }) {
                throw UsageError("--matrix runs a fixed load; \(given) cannot change it", command: command)
            }
            if options.json { throw UsageError("--matrix prints a Markdown table, not --json", command: command) }
            options.duration = BenchOptions.matrixCellDuration
        }
        options.producers = try flags.wholeNumber("--producers", in: 1...1024, command: command) ?? 1
        options.inflight = try flags.wholeNumber("--inflight", in: 1...65_536, command: command) ?? 1
        options.size = try flags.wholeNumber("--size", in: 1...maxSize, command: command) ?? 1024
        options.batch = try flags.wholeNumber("--batch", in: 1...4096, command: command) ?? 1
        if options.size * options.batch > maxSize {
            throw UsageError(
                "--size × --batch is \(options.size * options.batch) bytes per request; at most \(maxSize)",
                command: command)
        }
        if let text = flags.value("--duration") {
            guard let duration = Duration(flagValue: text, fractions: true), duration >= .milliseconds(100),
                duration <= .seconds(3600)
            else {
                throw UsageError(
                    "--duration: expected a time from 100ms to 1h such as 15s, 500ms or 2m, got \(quoted(text))",
                    command: command)
            }
            options.duration = duration
        }
        if let text = flags.value("--mode") {
            guard let mode = Mode(rawValue: text) else {
                throw UsageError("--mode: expected sync or async, got \(quoted(text))", command: command)
            }
            if mode == .sync && options.inflight > 1 {
                throw UsageError(
                    "--mode sync sends one request at a time; --inflight \(options.inflight) needs --mode async",
                    command: command)
            }
            options.mode = mode
        } else {
            options.mode = options.inflight > 1 ? .async : .sync
        }
        options.rate = try flags.wholeNumber("--rate", in: 1...10_000_000, command: command)
        if let text = flags.value("--pause-follower") {
            options.pauseFollower = try parsePauseFollower(
                text, spawn: options.spawn, duration: options.duration, command: command)
        }
        options.raw = flags.has("--raw")
        if let topic = flags.value("--topic") {
            if options.raw { throw UsageError("--raw sends no messages; --topic names their topic", command: command) }
            if let problem = TopicName.problem(topic) {
                throw UsageError("--topic: \(quoted(topic)) is not a topic name: \(problem)", command: command)
            }
            options.topic = topic
        }
        options.remoting = flags.has("--remoting")
        if options.remoting {
            let refused: [(String, Bool)] = [
                ("--raw", options.raw), ("--batch", options.batch > 1), ("--rate", options.rate != nil),
                ("--matrix", options.matrix), ("--json", options.json),
                ("--pause-follower", options.pauseFollower != nil),
            ]
            if let (flag, _) = refused.first(where: \.1) {
                throw UsageError(
                    "--remoting compares one-message sends at full speed and prints text; \(flag) cannot go with it",
                    command: command)
            }
        }
        return options
    }

    /// The ``FollowerPause`` `text` gives (`--pause-follower AFTER+FOR`), checked against the
    /// run: only a group of the bench's own (`spawn`) may be stopped, and the follower must be
    /// continued within `duration`.
    static func parsePauseFollower(_ text: String, spawn: Bool, duration: Duration, command: String)
        throws(UsageError) -> FollowerPause
    {
        guard let pause = FollowerPause(flagValue: text) else {
            throw UsageError(
                "--pause-follower: expected AFTER+FOR, when to stop a follower and for how long (FOR at least "
                    + "100ms), such as 3s+35s, got \(quoted(text))", command: command)
        }
        guard spawn else {
            throw UsageError(
                "--pause-follower stops a follower of the group --spawn starts; add --spawn", command: command)
        }
        guard pause.end <= duration else {
            throw UsageError(
                "--pause-follower \(text) continues the follower \(pause.end.millisecondsText) ms into the run, "
                    + "after --duration (\(duration.millisecondsText) ms) ends", command: command)
        }
        return pause
    }

    /// What each request of a `size`-byte, `batch`-message load sends: messages to ``topic``,
    /// or raw appends with ``raw``.
    func operation(size: Int, batch: Int) -> any BenchOperation {
        raw
            ? RawAppendOperation(size: size, batch: batch)
            : MessageSendOperation(topic: topic, size: size, batch: batch)
    }

    /// `ledger bench --help` after the flag list: what the numbers mean.
    static let helpText = """
        Drives load at the group's leader and prints messages/s, MB/s, latency percentiles (p50,
        p90, p99, p99.9, max; from writing a request to reading its acknowledgement, which the
        leader sends once the messages are committed on a majority and durable there), errors,
        and each node's CPU seconds and peak RSS during the run (from /proc; a node this machine
        cannot see is reported as unknown, with the reason).

        Each message is a --size-byte message sent to --topic (default BenchmarkTest, created
        on first use with the group's defaultTopicQueueNums queues; the store spreads messages
        over them). --batch N: a request is one send of N messages, stored atomically as one Raft
        entry and acknowledged once. --raw sends raw log appends (the `append` request) instead:
        a batch of N is N append frames written back to back in one write(2), and its latency
        runs until the last of its N acknowledgements arrives.

        --rate N paces the producers to N messages/s in all (each sends its requests evenly
        spaced; open loop): a request's latency counts from when it was due, so a stall shows in
        the percentiles. The in-flight window still caps what is outstanding; make it large
        enough for the rate (in flight ≥ rate × latency).

        --producers N opens N connections to the leader, one thread each. --mode sync: each
        producer sends a request, waits for its acknowledgement, sends the next. --mode async:
        each keeps --inflight requests outstanding on its connection. A request that fails (an
        error response, a lost connection, no acknowledgement within --timeout) counts once per
        message in errors; the producer reconnects to the leader and goes on.

        --limits first measures, in the same run and in the directory the spawned nodes use (or
        $TMPDIR): 1 KiB pwrite + fdatasync per second, 1 MiB pwrite + fdatasync in MB/s, and the
        median round trip of a 64-byte ping-pong over a loopback TCP connection. The report then
        shows messages/s per fdatasync/s, MB/s per sequential MB/s, and p50 against the floor
        of one sequential request (2 round trips + 1 fdatasync).

        --json prints {"messagesPerSecond", "megabytesPerSecond", "latencyMs": {"p50", "p90",
        "p99", "p999", "max"}, "errors", "nodes": [{"id", "cpuSeconds", "peakRssBytes"}],
        "limits": {"fdatasyncPerSecond", "sequentialWriteMBps", "loopbackRttMicros"}} ("limits"
        only with --limits; unknown node figures are null). MB are 10^6 bytes of message bodies.

        --pause-follower AFTER+FOR (only with --spawn) SIGSTOPs one follower of the spawned group
        AFTER into the run (the first node that does not lead then) and SIGCONTs it FOR later,
        while a poller asks every node for its status every 250 ms. The report then adds the
        leadership changes it saw (each new leader term) from the start until the follower caught
        up, and the time from the SIGCONT until a poll showed the follower 0 entries behind the
        leader (it waits up to 120 s after the SIGCONT for that before it reads the nodes' CPU
        and peak RSS); --json adds "leaderChanges" and "catchUpMs" (null when it did not catch
        up in time).

        --remoting runs the load twice in the same group: through our own protocol, and through
        the leader's RocketMQ remoting port (listenPort) as SEND_MESSAGE_V2 (310) requests in raw
        frames, each message with its own UNIQ_KEY as RocketMQ clients stamp them, each producer
        keeping --inflight of them outstanding on its connection. The two alternate in four
        slices of a quarter of --duration each (own, remoting, own, remoting, ...), so a machine
        whose speed drifts during the run weighs on both alike. It prints both reports
        and a summary: messages/s and p99 of each, and the remoting port's throughput as a share
        of the own protocol's. The group must serve remoting: --spawn starts one that does;
        otherwise the members' remotingPeers come from the config files (-c FILE or conf/).

        --matrix (make bench) runs 1 producer × 1 in flight (sync), 1 × 16 and 4 × 64 (256 in
        flight), each with 128 B and 1 KiB messages, batch 1 and 32: twelve cells of --duration
        (default 5 s) each on a fresh group with --spawn; then a thirteenth: 1 KiB, batch 1,
        4 × 64, paced (--rate) at a quarter of the best 1 KiB batch-1 throughput just measured.
        Limits are measured once. Progress goes to stderr, the table to stdout.
        """
}
