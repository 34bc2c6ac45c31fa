/// A priority queue of events ordered by (time, sequence number): a binary min-heap.
///
/// Events scheduled for the same instant come out in the order they were scheduled, so the
/// order never depends on hashing or on anything but the run's own history.
///
/// The heap orders small plain keys; the events (which carry messages with entry payloads)
/// stay put in slots until popped, so sifting never copies or retains them.
struct EventQueue<Event> {
    private struct Key {
        var time: VirtualTime
        var sequence: UInt64
        /// Where the event waits in `slots`.
        var slot: Int32

        func precedes(_ other: Key) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Key] = []
    private var slots: [Event?] = []
    /// Slots whose event was popped, for reuse.
    private var freeSlots: [Int32] = []
    private var nextSequence: UInt64 = 0

    /// The time of the earliest event, if any.
    var nextTime: VirtualTime? { heap.first?.time }

    /// Adds `event` at `time`; returns its sequence number.
    @discardableResult
    mutating func schedule(_ event: Event, at time: VirtualTime) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        push(event, at: time, sequence: sequence)
        return sequence
    }

    private mutating func push(_ event: Event, at time: VirtualTime, sequence: UInt64) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(free)] = event
        } else {
            slot = Int32(slots.count)
            slots.append(event)
        }
        heap.append(Key(time: time, sequence: sequence, slot: slot))
        siftUp(heap.count - 1)
    }

    /// Puts back an event popped as `sequence`, now due at `time`; among events due at the same
    /// time it keeps its original place.
    mutating func schedule(_ event: Event, at time: VirtualTime, sequence: UInt64) {
        precondition(sequence < nextSequence, "sequence \(sequence) was never handed out")
        push(event, at: time, sequence: sequence)
    }

    /// Removes and returns the earliest event.
    mutating func pop() -> (time: VirtualTime, sequence: UInt64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let key = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        guard let event = slots[Int(key.slot)].take() else { preconditionFailure("an empty event slot was queued") }
        freeSlots.append(key.slot)
        return (key.time, key.sequence, event)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let key = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard key.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = key
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let key = heap[parent]
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            if left + 1 < count && heap[left + 1].precedes(heap[left]) { smallest = left + 1 }
            guard heap[smallest].precedes(key) else { break }
            heap[parent] = heap[smallest]
            parent = smallest
        }
        heap[parent] = key
    }
}
