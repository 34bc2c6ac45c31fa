import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A thread that runs blocking jobs (fsync) one at a time, in order, and posts each result to a
/// ``Mailbox`` so the event loop picks it up without ever blocking on the job itself.
public final class WorkerThread<Job: Sendable, Output: Sendable>: Sendable {
    private struct State {
        var jobs: [Job] = []
        var stopping = false
    }

    private let state = Mutex(State())
    private let wakeup = Semaphore()
    private let perform: @Sendable (Job) -> Output
    private let results: Mailbox<Output>
    private let finished = Semaphore()

    /// Starts the thread. `perform` runs on it; its outputs arrive in `results`.
    public init(name: String, results: Mailbox<Output>, perform: @escaping @Sendable (Job) -> Output) {
        self.perform = perform
        self.results = results
        spawnThread(name: name) { [self] in loop() }
    }

    /// Queues `job` behind the ones already waiting.
    public func submit(_ job: Job) {
        state.withLock { $0.jobs.append(job) }
        wakeup.signal()
    }

    /// Finishes the queued jobs, then stops the thread; returns once it has.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakeup.signal()
        finished.wait()
    }

    /// After ``stop()``: runs the jobs submitted since (the stopped thread runs none) on the
    /// calling thread, in order, posting their results as the thread would. Returns how many ran.
    @discardableResult
    public func runRemaining() -> Int {
        let jobs = state.withLock { state in
            precondition(state.stopping, "runRemaining() before stop()")
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        for job in jobs { results.post(perform(job)) }
        return jobs.count
    }

    private func loop() {
        while true {
            wakeup.wait()
            let (jobs, stopping) = state.withLock { state in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopping)
            }
            for job in jobs { results.post(perform(job)) }
            if stopping {
                finished.signal()
                return
            }
        }
    }
}

/// Runs `body` on a new detached POSIX thread.
public func spawnThread(name: String, _ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var handle = pthread_t()
    let created = pthread_create(
        &handle, nil,
        { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box)
    precondition(created == 0, "pthread_create failed for thread \(name): error \(created)")
    pthread_detach(handle)
}

/// A counting semaphore on a futex-backed mutex and condition (POSIX `sem_t`).
final class Semaphore: @unchecked Sendable {
    // sem_t is thread-safe by contract; the class only owns its storage.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() { sem_init(semaphore, 0, 0) }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() { sem_post(semaphore) }

    func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }
}
