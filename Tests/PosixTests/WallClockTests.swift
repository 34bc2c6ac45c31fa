import Posix
import Testing

@Suite struct WallClockTests {
    @Test func millisecondsAreTheEpochTimeRoundedDown() {
        let before = WallClock.now()
        let milliseconds = WallClock.nowMilliseconds()
        let after = WallClock.now()
        #expect(milliseconds > 1_600_000_000_000, "after September 2020")
        #expect(before.milliseconds <= milliseconds && milliseconds <= after.milliseconds)
        #expect((0..<1_000_000_000).contains(before.nanoseconds))
    }
}
