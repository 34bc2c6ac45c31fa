import Testing

@testable import Admin

@Suite struct EventRingTests {
    func event(_ number: Int, _ message: String? = nil) -> NodeEvent {
        NodeEvent(timeMs: Int64(number), level: "info", term: UInt64(number), message: message ?? "event \(number)")
    }

    @Test func keepsTheLatestInOrder() {
        var ring = EventRing(capacity: 3)
        #expect(ring.events.isEmpty)
        for number in 1...2 { ring.record(event(number)) }
        #expect(ring.events.map(\.timeMs) == [1, 2])
        for number in 3...7 { ring.record(event(number)) }
        #expect(ring.events.map(\.timeMs) == [5, 6, 7])
        #expect(ring.recorded == 7)
    }

    @Test func cutsLongMessagesAtAScalarBoundary() {
        var ring = EventRing(capacity: 2)
        ring.record(event(1, String(repeating: "€", count: 400)))
        let kept = ring.events[0].message
        #expect(kept.utf8.count <= EventRing.maxMessageBytes)
        #expect(kept.hasSuffix("…"))
        #expect(kept == String(repeating: "€", count: (EventRing.maxMessageBytes - 3) / 3) + "…")
        ring.record(event(2, "short"))
        #expect(ring.events[1].message == "short")
    }

    @Test func rendersJSON() {
        var ring = EventRing(capacity: 2)
        ring.record(NodeEvent(timeMs: 5, level: "warning", term: nil, message: "peer \"n1\" down"))
        #expect(
            String(decoding: ring.json, as: UTF8.self)
                == #"{"capacity":2,"recorded":1,"events":[{"timeMs":5,"level":"warning","term":null,"message":"peer \"n1\" down"}]}"#
        )
    }
}
