import Replica

/// Messages in and out per second per topic over the last minute, for `/api/topics`: samples of
/// the node's two per-topic counters (received by its state machine, delivered in pull answers)
/// taken every ``interval``; a rate is the growth since the oldest sample at most ``window``
/// old, divided by the time since it. Holds at most `window / interval + 1` samples of at most
/// ``TopicCounters/limit`` + 1 counts each. Single-owner: the event loop.
struct TopicRates {
    /// How often the node samples its counters.
    static let interval: Duration = .seconds(5)
    /// The span a rate covers once the node has run that long.
    static let window: Duration = .seconds(60)

    private struct Sample {
        var time: ContinuousClock.Instant
        var received: TopicCounters
        var delivered: TopicCounters
    }

    /// Oldest first.
    private var samples: [Sample] = []

    /// Keeps the counters as they are at `now`, and drops samples no rate needs any more.
    mutating func sample(at now: ContinuousClock.Instant, received: TopicCounters, delivered: TopicCounters) {
        samples.append(Sample(time: now, received: received, delivered: delivered))
        samples.removeAll { now - $0.time > Self.window }
    }

    /// Messages per second in and out of `topic` from the oldest sample within ``window`` of
    /// `now` to the counters at `now`, and the seconds that covers; nil without such a sample
    /// or less than a second after it. A rate is nil for a topic counted under
    /// ``TopicCounters/otherTopic``.
    func rates(
        of topic: String, at now: ContinuousClock.Instant, received: TopicCounters, delivered: TopicCounters
    ) -> (in: Double?, out: Double?)? {
        guard let base = samples.first(where: { now - $0.time <= Self.window }) else { return nil }
        let elapsed = now - base.time
        guard elapsed >= .seconds(1) else { return nil }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        func rate(_ current: TopicCounters, _ then: TopicCounters) -> Double? {
            guard let count = current.count(of: topic) else { return nil }
            let before = then.count(of: topic) ?? 0
            return Double(count - min(before, count)) / seconds
        }
        return (rate(received, base.received), rate(delivered, base.delivered))
    }

    /// The seconds the rates at `now` cover (see ``rates(of:at:received:delivered:)``), or nil.
    func windowSeconds(at now: ContinuousClock.Instant) -> Int64? {
        guard let base = samples.first(where: { now - $0.time <= Self.window }), now - base.time >= .seconds(1) else {
            return nil
        }
        return (now - base.time).components.seconds
    }
}
