/// A single-threaded event loop: descriptor readiness (epoll, level-triggered) and timers.
/// Everything registered runs on the thread that calls ``run(until:)``; other threads talk to
/// it through a ``Mailbox``. Not thread-safe otherwise.
public final class EventLoop {
    public typealias Handler = (Interest) -> Void

    private var epoll: Epoll
    private var handlers: [Int32: Handler] = [:]
    private var timers = TimerQueue()
    private let clock = ContinuousClock()
    private var stopped = false

    public init() throws(SystemError) {
        epoll = try Epoll()
    }

    deinit { epoll.close() }

    /// Watches `fd` for `interest`; `handler` runs on every loop turn while it is ready.
    public func register(_ fd: Int32, for interest: Interest, handler: @escaping Handler) throws(SystemError) {
        try epoll.add(fd, interest)
        handlers[fd] = handler
    }

    /// Changes what `fd` is watched for.
    public func watch(_ fd: Int32, for interest: Interest) throws(SystemError) {
        try epoll.modify(fd, interest)
    }

    /// Stops watching `fd` (before closing it).
    public func deregister(_ fd: Int32) {
        guard handlers.removeValue(forKey: fd) != nil else { return }
        // The descriptor is still open here, so removal can only fail on a programming error.
        do { try epoll.remove(fd) } catch { preconditionFailure("epoll_ctl(DEL) failed: \(error)") }
    }

    /// Runs `action` once, `delay` from now.
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping () -> Void) -> TimerID {
        timers.add(deadline: clock.now + delay, action)
    }

    /// Cancels a timer that has not fired yet.
    public func cancel(_ timer: TimerID) { timers.cancel(timer) }

    /// Makes ``run(until:)`` return after the current turn.
    public func stop() { stopped = true }

    /// The monotonic time now, for the owner's own bookkeeping.
    public var now: ContinuousClock.Instant { clock.now }

    /// Runs until ``stop()`` is called or `done` returns true (checked every turn).
    public func run(until done: () -> Bool = { false }) throws(SystemError) {
        stopped = false
        while !stopped && !done() {
            let timeout: Int32
            if let deadline = timers.nextDeadline {
                let remaining = clock.now.duration(to: deadline)
                let ms = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
                timeout = Int32(clamping: max(0, ms + (remaining > .zero ? 1 : 0)))
            } else {
                timeout = 1000
            }
            for (fd, readiness) in try epoll.wait(timeoutMs: timeout) {
                handlers[fd]?(readiness)
            }
            for action in timers.popDue(now: clock.now) { action() }
        }
    }
}

/// Identifies a scheduled timer.
public struct TimerID: Hashable, Sendable {
    let rawValue: UInt64
}

/// Timers by deadline (a binary min-heap), ties broken by scheduling order.
struct TimerQueue {
    private struct Timer {
        var deadline: ContinuousClock.Instant
        var id: UInt64
        var action: () -> Void
        func precedes(_ other: Timer) -> Bool { (deadline, id) < (other.deadline, other.id) }
    }

    private var heap: [Timer] = []
    private var cancelled: Set<UInt64> = []
    private var nextID: UInt64 = 0

    var nextDeadline: ContinuousClock.Instant? { heap.first?.deadline }

    mutating func add(deadline: ContinuousClock.Instant, _ action: @escaping () -> Void) -> TimerID {
        nextID += 1
        heap.append(Timer(deadline: deadline, id: nextID, action: action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        return TimerID(rawValue: nextID)
    }

    mutating func cancel(_ timer: TimerID) { cancelled.insert(timer.rawValue) }

    /// Removes and returns, in deadline order, the actions of timers due at `now`.
    mutating func popDue(now: ContinuousClock.Instant) -> [() -> Void] {
        var due: [() -> Void] = []
        while let first = heap.first, first.deadline <= now {
            let timer = removeFirst()
            if cancelled.remove(timer.id) == nil { due.append(timer.action) }
        }
        return due
    }

    private mutating func removeFirst() -> Timer {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
