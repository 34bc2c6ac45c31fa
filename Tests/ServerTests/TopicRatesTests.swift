import Replica
import Testing

@testable import Server

/// ``TopicRates``: growth per second since the oldest sample of the last minute.
@Suite struct TopicRatesTests {
    func counters(_ counts: [String: Int]) -> TopicCounters {
        var counters = TopicCounters()
        for (topic, count) in counts.sorted(by: { $0.key < $1.key }) { counters.add(count, topic: topic) }
        return counters
    }

    @Test func ratesOverTheLastMinute() throws {
        let start = ContinuousClock.now
        var rates = TopicRates()
        #expect(rates.rates(of: "a", at: start, received: counters([:]), delivered: counters([:])) == nil)
        rates.sample(at: start, received: counters([:]), delivered: counters([:]))
        // Less than a second of history: no rate yet.
        let early = start + .milliseconds(500)
        #expect(rates.rates(of: "a", at: early, received: counters(["a": 5]), delivered: counters([:])) == nil)
        #expect(rates.windowSeconds(at: early) == nil)

        let tenSeconds = start + .seconds(10)
        let first = try #require(
            rates.rates(of: "a", at: tenSeconds, received: counters(["a": 50]), delivered: counters(["a": 20])))
        #expect(first.in == 5 && first.out == 2)
        #expect(rates.windowSeconds(at: tenSeconds) == 10)

        // Samples every 5 s; after 90 s the rate covers only the last minute.
        for step in 1...18 {
            rates.sample(
                at: start + .seconds(5 * step), received: counters(["a": step < 12 ? 0 : 60 * (step - 11)]),
                delivered: counters([:]))
        }
        let later = start + .seconds(90)
        let recent = try #require(
            rates.rates(of: "a", at: later, received: counters(["a": 420]), delivered: counters([:])))
        #expect(rates.windowSeconds(at: later) == 60)
        #expect(recent.in == 7, "420 since the sample at 30 s, when it was 0")
        #expect(recent.out == 0)
    }

    @Test func topicsSharingOtherHaveNoRate() throws {
        var full: [String: Int] = [:]
        for number in 0..<TopicCounters.limit { full["t\(number)"] = 1 }
        let start = ContinuousClock.now
        var rates = TopicRates()
        rates.sample(at: start, received: counters(full), delivered: counters([:]))
        var now = counters(full)
        now.add(10, topic: "overflow")
        let result = try #require(
            rates.rates(of: "overflow", at: start + .seconds(2), received: now, delivered: counters([:])))
        #expect(result.in == nil)
        #expect(result.out == 0)
    }
}
