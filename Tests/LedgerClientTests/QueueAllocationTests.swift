import LedgerClient
import LedgerModel
import Testing

/// ``QueueAllocation/averagely(_:members:member:)`` against RocketMQ's
/// `AllocateMessageQueueAveragely` (worked cases from its source), and its invariants.
@Suite struct QueueAllocationTests {
    static func queues(_ count: Int, topic: String = "T") -> [MessageQueue] {
        (0..<count).map { MessageQueue(topic: topic, queueID: Int32($0)) }
    }

    static func ids(_ share: [MessageQueue]) -> [Int32] { share.map(\.queueID) }

    @Test(arguments: [
        // queues, members (as given, unsorted), member → queue ids
        (4, ["b", "a"], "a", [0, 1] as [Int32]),
        (4, ["b", "a"], "b", [2, 3]),
        (5, ["c", "a", "b"], "a", [0, 1]),
        (5, ["c", "a", "b"], "b", [2, 3]),
        (5, ["c", "a", "b"], "c", [4]),
        (4, ["a", "b", "c"], "a", [0, 1]),
        (4, ["a", "b", "c"], "b", [2]),
        (4, ["a", "b", "c"], "c", [3]),
        (2, ["a", "b", "c"], "a", [0]),
        (2, ["a", "b", "c"], "b", [1]),
        (2, ["a", "b", "c"], "c", []),
        (3, ["a"], "a", [0, 1, 2]),
        (3, ["a", "b"], "z", []),
        (0, ["a"], "a", []),
        // Byte order, not locale order: "B" (0x42) sorts before "a" (0x61).
        (4, ["a", "B"], "B", [0, 1]),
    ])
    func matchesRocketMQ(queueCount: Int, members: [String], member: String, expected: [Int32]) {
        let share = QueueAllocation.averagely(Self.queues(queueCount), members: members, member: member)
        #expect(Self.ids(share) == expected, "\(queueCount) queues, members \(members), \(member)")
    }

    @Test func ordersQueuesFirstAndIgnoresDuplicates() {
        let scrambled =
            [MessageQueue(topic: "T", queueID: 3), MessageQueue(topic: "T", queueID: 1)]
            + Self.queues(4) + [MessageQueue(topic: "T", queueID: 0)]
        #expect(Self.ids(QueueAllocation.averagely(scrambled, members: ["x", "y", "x"], member: "y")) == [2, 3])
    }

    @Test func everyQueueGoesToExactlyOneMemberAndSharesDifferByAtMostOne() {
        for queueCount in 0...12 {
            for memberCount in 1...9 {
                let members = (0..<memberCount).map { "client-\($0)" }
                let shares = members.map {
                    Self.ids(QueueAllocation.averagely(Self.queues(queueCount), members: members, member: $0))
                }
                let all = shares.flatMap { $0 }.sorted()
                #expect(all == (0..<queueCount).map { Int32($0) }, "\(queueCount) queues, \(memberCount) members")
                let sizes = shares.map(\.count)
                #expect(
                    (sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1,
                    "\(queueCount) queues, \(memberCount) members: \(sizes)")
            }
        }
    }
}
