/// The `--help` texts of the message commands (every flag appears, as for the others).
enum MessageHelp {
    static func text(for command: MessageCommand) -> String {
        let (usage, about): (String, String) =
            switch command {
            case .send:
                (
                    "ledger send --topic T [--tags TAGS] [--keys K] [--key SHARDING_KEY | --queue N] [--property K=V]... "
                        + "[--delay-level N] [--mode sync|async|oneway] (--body TEXT | lines from stdin) [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Sends one message (--body) or one per line of stdin to topic T (created on first send
                    with defaultTopicQueueNums queues). sync and async print one line per stored message:
                    <topic> <queue> <queueOffset> <msgId>. oneway prints nothing. Each send is idempotent:
                    it is retried (same producer id and sequence) on leader changes until --timeout, and
                    stored once. A body over the group's maxMessageSize, a bad topic or queue is refused
                    before it reaches the log. Stops at the first failure with one line on stderr.
                    With --delay-level N the message waits in SCHEDULE_TOPIC_XXXX (the line shows it
                    there) and reaches topic T once level N's delay has passed (1s 5s 10s 30s 1m 2m ...
                    by default; a level above the group's last is the last).
                    """
                )
            case .pull:
                (
                    "ledger pull --topic T --queue N [--offset O] [--max 32] [--tags EXPR] [--group G [--commit]] "
                        + "[--wait MS] [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Reads up to --max messages of queue N from offset O (linearizable: every acknowledged
                    send is visible). Prints one line per message, <queueOffset> <tags> <keys> <body> (- for
                    none), then: next <nextOffset> status <STATUS> min <minOffset> max <maxOffset>.
                    STATUS is FOUND, NO_NEW_MSG, NO_MATCHED_MSG or OFFSET_ILLEGAL (then next is the nearest
                    valid offset). --json prints {"status", "nextOffset", "minOffset", "maxOffset",
                    "messages": [{"topic", "queueId", "queueOffset", "physicalOffset", "msgId", "tags", "keys",
                    "body", "properties", "bornTimestamp", "storeTimestamp"}]}; a body that is not UTF-8 is
                    base64 with "bodyEncoding": "base64". An unknown topic exits 1 with "no such topic".
                    """
                )
            case .offsets:
                (
                    "ledger offsets --group G [--topic T] [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Prints the group's committed offset, the queue's max offset and the lag of every queue
                    it committed on: <topic> <queue> <committed> <max> <lag>, then the total lag. --json
                    prints {"group", "totalLag", "queues": [{"topic", "queueId", "committedOffset",
                    "maxOffset", "lag"}]}.
                    """
                )
            case .topics:
                (
                    "ledger topics [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Prints every topic's queues with their min and max offsets (max - min messages):
                    <topic> <queue> <min> <max>. --json prints {"topics": [{"name", "queues": [{"queueId",
                    "minOffset", "maxOffset"}]}]}. Administration: ledger topics create|alter|delete|describe
                    (each with --help).
                    """
                )
            }
        return Help.text(usage: usage, about: about, flags: command.flags, findsPeers: true)
    }
}
