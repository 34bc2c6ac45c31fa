import LedgerModel

/// How a clustering consumer group shares a topic's queues: RocketMQ's
/// `AllocateMessageQueueAveragely`, so a `ledger consume` member and a RocketMQ client of one
/// group, each computing its own share, agree on who reads what.
public enum QueueAllocation {
    /// The queues `member` reads: `queues` sorted, `members` sorted by their UTF-8 bytes, then
    /// consecutive runs of `queues.count / members.count` queues, the first
    /// `queues.count % members.count` members taking one more. Members past the queue count
    /// get none (they idle), and so does a `member` not among `members`. Duplicates in either
    /// list count once.
    public static func averagely(_ queues: [MessageQueue], members: [String], member: String) -> [MessageQueue] {
        let sortedQueues = Array(Set(queues)).sorted()
        let sortedMembers = Array(Set(members)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard let index = sortedMembers.firstIndex(of: member), !sortedQueues.isEmpty else { return [] }
        let queueCount = sortedQueues.count
        let memberCount = sortedMembers.count
        let remainder = queueCount % memberCount
        let share =
            queueCount <= memberCount ? 1 : queueCount / memberCount + (remainder > 0 && index < remainder ? 1 : 0)
        let start = remainder > 0 && index < remainder ? index * share : index * share + remainder
        let count = min(share, queueCount - start)
        guard count > 0 else { return [] }
        return Array(sortedQueues[start..<(start + count)])
    }
}
