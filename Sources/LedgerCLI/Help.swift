import LedgerModel

/// The `--help` texts. Every flag a command accepts appears in its text (tests check this).
package enum Help {
    static let exitCodes = """
        exit codes:
          0  success (status: a leader is seen)
          1  the operation failed (a node refused it, leadership did not move, a benchmark round failed)
          2  usage or configuration error
          3  no quorum / no leader: none was found, or the group could not commit, within the timeout
             (a write that ends so was certainly not stored)
          4  outcome unknown: a write was not confirmed within the timeout but may have been stored
             (a node took it and then timed out, lost its leadership or shut down)
        """

    static let peerSources = """
        Client commands find the group from --peers LIST, or -c FILE, or else from conf/n0.conf,
        conf/n1.conf and conf/n2.conf (whichever exist, relative to the current directory).
        """

    /// `ledger --help`: every command of the executable, the bench, chaos and soak ones included.
    static let main = """
        usage: ledger <command> [flags]

        SwiftLedger: a Raft-replicated message log. `ledger <command> --help` lists a command's flags.

        commands:
          server           run one node: ledger server -c conf/n0.conf
          status           the leader-status view: every node's role, term, leader, log indexes, lag
          append           append entries (--data TEXT, or one per line of stdin); prints each index
          get              print the committed entry at --index N
          transfer-leader  hand leadership to --to ID and wait until it leads
          bench-failover   kill -9 the leader of a fresh local group repeatedly; print write stalls
          bench            load the group (or a fresh local one): messages/s, MB/s, latency, CPU, RSS
          send             send messages to a topic (--body TEXT, or one per line of stdin)
          pull             read a queue's messages from an offset; --group G --commit records progress
          offsets          a consumer group's committed offsets and lag per queue
          topics           every topic with its queues' min and max offsets; topics create|alter|delete|describe
          consume          join a consumer group and print its share of a topic's messages until SIGINT
          query            a message by --key K or --msg-id ID, and where it is stored
          groups           each consumer group: members, subscriptions, consumer and broker offset per queue
          chaos            kill, pause, restart and partition a fresh local group under load; check the history
          soak             a fresh local group under steady load with short retention: fail if disk, fds or RSS keep growing

        \(peerSources)

        \(exitCodes)
        """

    static func text(for command: Command) -> String {
        let (usage, about): (String, String) =
            switch command {
            case .server:
                (
                    "ledger server -c FILE",
                    """
                    Runs one node until SIGTERM or SIGINT (then it finishes in-flight work, syncs and exits 0).
                    A configuration problem prints one line naming the file and line and exits 2.
                    """
                )
            case .status:
                (
                    "ledger status [--json] [--watch SECONDS] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Asks every node for its status and prints one row per node: group, id, address,
                    role (LEADER, FOLLOWER, CATCHING UP for a follower 10000 or more entries behind,
                    CANDIDATE, or DOWN with the reason), term, the leader it knows, last/commit/applied
                    index, lag behind the leader's last index, uptime, first index, disk use. --json
                    prints {"group", "leader", "term", "nodes": [{"id", "address", "up", "role", "term",
                    "leader", "lastIndex", "commitIndex", "appliedIndex", "lag", "catchingUp",
                    "uptimeMs", "firstIndex", "diskUsedRatio", "error"}]}. Exits 0
                    when a leader is seen, 3 when none is.
                    """
                )
            case .append:
                (
                    "ledger append [--data TEXT] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Appends each entry through the leader and prints its log index once committed, one
                    per line. Stops at the first failure with one line on stderr.
                    """
                )
            case .get:
                (
                    "ledger get --index N [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Prints the data of the committed entry at index N, read from the leader.
                    """
                )
            case .transferLeader:
                (
                    "ledger transfer-leader --to ID [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Asks the leader to hand leadership to ID and waits until ID leads; prints the new
                    leader and its term. Exits 1 when another node still leads at the timeout.
                    """
                )
            }
        return text(usage: usage, about: about, flags: command.flags, findsPeers: command != .server)
    }

    /// A command's `--help`: its usage line, what it does, its flags (and `-h`), where it finds
    /// the group (client commands, `findsPeers`), then the exit codes.
    package static func text(usage: String, about: String, flags: [FlagSpec], findsPeers: Bool) -> String {
        var sections = [
            "usage: \(usage)", about,
            "flags:\n" + FlagParser.helpLines(flags + [FlagSpec(["--help", "-h"], help: "show this text")]),
        ]
        if findsPeers { sections.append(peerSources) }
        sections.append(exitCodes)
        return sections.joined(separator: "\n\n")
    }
}
