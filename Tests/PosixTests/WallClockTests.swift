import Posix
import Testing

@Suite struct WallClockTests {
    @Test func millisecondsAreTheEpochTimeRoundedDown() {
        let before = WallClock.sinceEpoch()
        let milliseconds = WallClock.milliseconds()
        let after = WallClock.sinceEpoch()
        #expect(milliseconds > 1_600_000_000_000, "after September 2020")
        #expect(before <= .milliseconds(milliseconds + 1) && .milliseconds(milliseconds) <= after)
    }
}
