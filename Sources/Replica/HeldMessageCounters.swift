import CommitLog
import LedgerModel
import Raft

/// What this replica's state machine did with held messages since the node started, counted
/// as committed entries apply (the same on every replica that applied the same entries), for
/// metrics.
public struct HeldMessageCounters: Sendable, Hashable {
    /// Messages stored in the schedule topic: delayed sends, and send-backs on their way to a
    /// retry topic.
    public internal(set) var delayed: UInt64 = 0
    /// Delayed messages moved into their topic once due.
    public internal(set) var delivered: UInt64 = 0
    /// Send-backs stored on their way to a retry topic, and those stored in a dead-letter topic.
    public internal(set) var retried: UInt64 = 0
    public internal(set) var deadLettered: UInt64 = 0
    /// Half messages stored, and their outcomes.
    public internal(set) var halfMessages: UInt64 = 0
    public internal(set) var committed: UInt64 = 0
    public internal(set) var rolledBack: UInt64 = 0
    public internal(set) var discarded: UInt64 = 0
    /// Check backs counted.
    public internal(set) var checks: UInt64 = 0

    /// Counts what `entry` did, given its apply `results`.
    mutating func count(_ entry: Entry, _ results: [ApplyResult]) {
        var stored = 0
        for result in results {
            switch result {
            case .stored(let sent):
                stored += 1
                let topic = sent.queue.topic
                if topic == SystemTopic.schedule { delayed += 1 }
                if topic == SystemTopic.transactionHalf { halfMessages += 1 }
                if topic.hasPrefix(SystemTopic.deadLetterPrefix) { deadLettered += 1 }
            case .transactionEnded: rolledBack += 1
            case .transactionChecked: checks += 1
            case .transactionDiscarded: discarded += 1
            default: break
            }
        }
        // A move's origin says what kind of move its stored records were (the header only).
        let data = entry.data
        guard stored > 0, data.count > 1, data[0] == RecordsEntry.tag, data[1] & 2 != 0,
            let origin = (try? RecordsEntry(decodingHeader: data))?.origin
        else { return }
        switch origin {
        case .delayed: delivered += UInt64(stored)
        case .sentBack:
            if case .stored(let sent) = results[0], sent.queue.topic == SystemTopic.schedule { retried += 1 }
        case .committed: committed += 1
        }
    }
}
