/// The `--help` texts of `ledger topics create|alter|delete|describe`.
enum TopicAdminHelp {
    static func text(for command: TopicAdminCommand) -> String {
        let (usage, about): (String, String) =
            switch command {
            case .create:
                (
                    "ledger topics create --topic T --queues N [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Creates topic T with N queues (1 to 1024) through the log (Kafka's kafka-topics --create,
                    RocketMQ's mqadmin updateTopic). Prints: created topic T with N queues. A topic that
                    exists is refused (exit 1, with its queue count); use alter to grow it. Topics are also
                    created by their first send, with the group's defaultTopicQueueNums queues.
                    """
                )
            case .alter:
                (
                    "ledger topics alter --topic T --queues N [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Grows topic T to N queues through the log; queues only grow (fewer than it has is
                    refused, exit 1). The new queues start empty; producers and consumers see them at their
                    next route refresh. Prints: topic T has N queues.
                    """
                )
            case .delete:
                (
                    "ledger topics delete --topic T [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Deletes topic T through the log: its queues and every consumer group's offsets on them.
                    Its messages stay in the commit log until retention removes them, but no pull, route
                    or lookup sees them, also if T is created again. A send to T afterwards creates it
                    anew (RocketMQ's autoCreateTopicEnable). Prints: deleted topic T.
                    """
                )
            case .describe:
                (
                    "ledger topics describe --topic T [--json] [--peers LIST | -c FILE] [--timeout MS]",
                    """
                    Prints each queue of T (linearizable): <queue> <min> <max> <first stored> <last stored>
                    (UTC, - for an empty queue), then the group's leader, its replicas and which are in
                    sync (answering, and the leader or a follower less than 10,000 entries behind it).
                    --json prints {"topic", "queues": [{"queueId", "minOffset", "maxOffset",
                    "firstStoreTimestamp", "lastStoreTimestamp"}], "leader", "replicas", "inSync"}, times in
                    ms since the epoch or null. An unknown topic exits 1 with "no such topic".
                    """
                )
            }
        return Help.text(usage: usage, about: about, flags: command.flags, findsPeers: true)
    }
}
