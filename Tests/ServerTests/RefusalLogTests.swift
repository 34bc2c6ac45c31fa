import Testing

@testable import Server

/// At most one refusal line per address per interval, with the count of the ones not logged;
/// addresses are independent; memory stays bounded under many addresses.
@Suite struct RefusalLogTests {
    let start = ContinuousClock().now

    @Test func oneLinePerAddressPerMinute() {
        var log = RefusalLog(interval: .seconds(60))
        #expect(log.record(address: "10.0.0.7", now: start) == 0, "the first refusal is logged")
        #expect(log.record(address: "10.0.0.7", now: start + .seconds(1)) == nil)
        #expect(log.record(address: "10.0.0.7", now: start + .seconds(59)) == nil)
        #expect(log.record(address: "10.0.0.8", now: start + .seconds(59)) == 0, "another address is logged")
        #expect(log.record(address: "10.0.0.7", now: start + .seconds(60)) == 2, "a minute later, with the count")
        #expect(log.record(address: "10.0.0.7", now: start + .seconds(61)) == nil)
        #expect(log.record(address: "10.0.0.7", now: start + .seconds(125)) == 1)
    }

    @Test func manyAddressesStayBounded() {
        var log = RefusalLog(interval: .seconds(60), capacity: 4)
        for number in 0..<4 {
            #expect(log.record(address: "10.0.0.\(number)", now: start) == 0)
        }
        #expect(log.count == 4)
        // Full of fresh entries: a new address is logged but not remembered.
        #expect(log.record(address: "10.0.1.1", now: start + .seconds(1)) == 0)
        #expect(log.count == 4)
        #expect(log.record(address: "10.0.0.0", now: start + .seconds(2)) == nil, "remembered ones still limit")
        // Once the old entries expire they are dropped to make room.
        #expect(log.record(address: "10.0.2.2", now: start + .seconds(70)) == 0)
        #expect(log.count == 1)
        #expect(log.record(address: "10.0.2.2", now: start + .seconds(71)) == nil)
    }
}
