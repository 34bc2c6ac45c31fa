import Replica
import Testing

/// ``TopicCounters``: the first 100 topics keep their own count; later ones share `(other)`,
/// and no count ever goes down.
@Suite struct TopicCountersTests {
    @Test func boundedFirstComeLabels() {
        var counters = TopicCounters()
        #expect(counters.count(of: "a") == 0)
        counters.add(2, topic: "b")
        counters.add(1, topic: "a")
        counters.add(3, topic: "b")
        #expect(counters.sorted.map(\.topic) == ["a", "b"])
        #expect(counters.sorted.map(\.count) == [1, 5])
        for number in 0..<(TopicCounters.limit - 2) { counters.add(1, topic: "t\(number)") }
        #expect(counters.count(of: "late") == nil, "no room left: counted under (other)")
        counters.add(4, topic: "late")
        counters.add(1, topic: "later")
        counters.add(1, topic: "b")
        #expect(counters.counts.count == TopicCounters.limit + 1)
        #expect(counters.count(of: "late") == nil)
        #expect(counters.count(of: "b") == 6)
        #expect(counters.sorted.last?.topic == TopicCounters.otherTopic)
        #expect(counters.sorted.last?.count == 5)
        #expect(counters.count(of: TopicCounters.otherTopic) == 5)
    }
}
