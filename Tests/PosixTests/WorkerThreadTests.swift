import Posix
import Testing

/// A worker thread runs its jobs in order; once stopped, what is submitted later runs only on
/// request, on the caller's thread (the node's shutdown finishes the syncs and persists the
/// last results started).
@Suite struct WorkerThreadTests {
    @Test func jobsSubmittedAfterStopRunOnlyWhenAskedInOrder() throws {
        let results = try Mailbox<Int>()
        let worker = WorkerThread<Int, Int>(name: "test-worker", results: results) { $0 * 10 }
        worker.submit(1)
        worker.submit(2)
        worker.stop()
        #expect(results.drain() == [10, 20], "jobs queued before stop() finish")
        worker.submit(3)
        worker.submit(4)
        #expect(results.drain().isEmpty, "a stopped thread runs nothing")
        #expect(worker.runRemaining() == 2)
        #expect(results.drain() == [30, 40])
        #expect(worker.runRemaining() == 0)
    }
}
