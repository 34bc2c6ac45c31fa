import Testing

@testable import Server

@Suite struct StallWatchTests {
    let watch = StallWatch(timeout: .seconds(10))
    let start = ContinuousClock.now

    func progress(partial: Int, established: Bool) -> StallWatch.Progress {
        StallWatch.Progress(lastActivity: start, partialBytes: partial, established: established)
    }

    @Test func anUnfinishedFrameStallsAfterTheTimeout() {
        #expect(watch.stall(progress(partial: 5, established: true), now: start + .seconds(9)) == nil)
        let stall = watch.stall(progress(partial: 5, established: true), now: start + .milliseconds(10_250))
        #expect(stall == "stalled: 5 bytes of an unfinished frame and nothing for 10250 ms")
    }

    @Test func aConnectionThatNeverFinishedAFrameStalls() {
        let stall = watch.stall(progress(partial: 0, established: false), now: start + .seconds(11))
        #expect(stall == "stalled: no complete frame yet and nothing for 11000 ms")
    }

    @Test func anIdleConnectionThatFinishedItsFramesStays() {
        #expect(watch.stall(progress(partial: 0, established: true), now: start + .seconds(3600)) == nil)
    }
}
