/// The `--help` texts of the consumer commands (every flag appears, as for the others).
enum ConsumerHelp {
    static func text(for command: ConsumerCommand) -> String {
        let (usage, about): (String, String) =
            switch command {
            case .consume:
                (
                    "ledger consume --topic T --group G [--tags EXPR] [--from first|last|TIME] [--broadcast] "
                        + "[--orderly] [--auto-commit MS | --manual] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Joins consumer group G and prints each message of topic T as it arrives, one line each:
                    <queue> <offset> <tags> <keys> <body> (- for no tags or keys; keys comma-separated; a body
                    that is not UTF-8 as base64:...). Runs until SIGINT or SIGTERM, then commits its offsets,
                    gives up its queues, leaves the group and exits 0 (3 or 4 when that last commit fails).

                    Clustering (the default): the members of G (ledger consume processes and RocketMQ clients
                    alike) share T's queues by RocketMQ's average allocation over their sorted client ids;
                    members beyond the queue count idle. Each member heartbeats the leader and re-reads the
                    membership every 2 s (and at once after joining or a leader change) and rebalances,
                    committing a queue's offset before it hands the queue over.

                    A queue G never committed on starts at --from: first (its min offset), last (its max
                    offset; the default, as RocketMQ's CONSUME_FROM_LAST_OFFSET) or TIME (the first message
                    stored at or after it); the start is committed at once, so the next owner of the queue
                    continues from it. Offsets are committed through the log every --auto-commit MS (5000 by
                    default) or, with --manual, after each printed batch.

                    --orderly reads a queue only while holding its lock (renewed every 2 s, released at exit),
                    so no two members ever read one queue at once. --broadcast: every member reads every queue
                    from --from and commits nothing.

                    One line on stderr tells each change of the queues read: consume: <clientId> reads T
                    queues 0,1 (2 members). A failure the group may recover from (no leader, a leader change)
                    is reported on stderr and retried; a refused request exits 1.
                    """
                )
            case .query:
                (
                    "ledger query (--key K [--topic T] | --msg-id ID) [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Prints the messages with key K (of topic T, or of every topic), or the message with id ID,
                    and where each is stored: topic, queue, queue offset, physical offset, message id, store
                    and born time, tags, keys, properties and body; a blank line between messages. --json
                    prints {"messages": [{"topic", "queueId", "queueOffset", "physicalOffset", "msgId",
                    "tags", "keys", "body", "properties", "bornTimestamp", "storeTimestamp"}]}. Exits 1 when
                    no message matches (or the id names no message).
                    """
                )
            case .groups:
                (
                    "ledger groups [--group G] [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Prints each consumer group the leader knows, highest total lag first: its live members
                    (client id, address; ledger consume processes and RocketMQ clients), their subscriptions,
                    and per queue it committed on the consumer offset, the broker (max) offset and the
                    difference, highest first. --json prints {"groups": [{"group", "totalLag", "members":
                    [{"clientId", "address", "lastHeartbeatAgeMs"}], "subscriptions": [{"topic",
                    "expression"}], "queues": [{"topic", "queueId", "committedOffset", "maxOffset", "lag"}]}],
                    "truncated"}, as the admin port's /api/groups. With --group, a group with no live member
                    and no committed offset exits 1.
                    """
                )
            }
        return Help.text(usage: usage, about: about, flags: command.flags, findsPeers: true)
    }
}
