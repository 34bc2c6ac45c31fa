/// A priority queue of events ordered by (time, sequence number): a binary min-heap.
///
/// Events scheduled for the same instant come out in the order they were scheduled, so the
/// order never depends on hashing or on anything but the run's own history.
struct EventQueue<Event> {
    private struct Item {
        var time: VirtualTime
        var sequence: UInt64
        var event: Event

        func precedes(_ other: Item) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Item] = []
    private var nextSequence: UInt64 = 0

    /// The time of the earliest event, if any.
    var nextTime: VirtualTime? { heap.first?.time }

    /// Adds `event` at `time`; returns its sequence number.
    @discardableResult
    mutating func schedule(_ event: Event, at time: VirtualTime) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        heap.append(Item(time: time, sequence: sequence, event: event))
        siftUp(heap.count - 1)
        return sequence
    }

    /// Removes and returns the earliest event.
    mutating func pop() -> (time: VirtualTime, sequence: UInt64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let item = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return (item.time, item.sequence, item.event)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && heap[left + 1].precedes(heap[left]) { smallest = left + 1 }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
