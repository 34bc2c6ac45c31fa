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

    @Test func theUTCOffsetIsAWholeQuarterHourWithinADay() {
        // Every zone in use today is UTC-12 to UTC+14 in quarter hours; the host's is unknown.
        let offset = WallClock.now().utcOffsetSeconds
        #expect((-12 * 3600...14 * 3600).contains(offset) && offset % 900 == 0, "\(offset)")
    }
}
