/// The leader's view of one follower (etcd's Progress): how much of the log it holds and how
/// the leader is sending to it.
struct Progress {
    enum State: String {
        /// Unsure where the follower's log ends: one append at a time, backtracking on rejection.
        case probe
        /// Streaming: appends sent optimistically, bounded by the inflight window.
        case replicate
        /// The follower needs entries the log no longer holds: a snapshot was offered, nothing
        /// else goes until it answers at or beyond `pendingSnapshot`, or its owner reports the
        /// transfer over.
        case snapshot
    }

    /// The highest index known to match the leader's log.
    var match: LogIndex = .zero
    /// The next index to send.
    var next: LogIndex
    var state: State = .probe
    /// In probe state: an append is outstanding, wait for its answer or a heartbeat response.
    var probeSent = false
    /// In snapshot state: the index of the snapshot offered.
    private(set) var pendingSnapshot: LogIndex = .zero
    /// Heard from since the last check-quorum round.
    var recentActive = false
    /// The newest read sequence this follower has confirmed.
    var readAcked: UInt64 = 0
    /// When (in the core's ticks) a heartbeat answer last let an append through a paused flow.
    private var heartbeatReleasedAt: Int?
    var inflights: Inflights

    init(next: LogIndex, maxInflight: Int, maxInflightBytes: Int) {
        self.next = next
        inflights = Inflights(capacity: maxInflight, maxBytes: maxInflightBytes)
    }

    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        state = .probe
        next = match.next
        probeSent = false
        inflights.reset()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match.next
        probeSent = false
        inflights.reset()
    }

    /// A snapshot at `index` was offered to the follower.
    mutating func becomeSnapshot(_ index: LogIndex) {
        state = .snapshot
        pendingSnapshot = index
        probeSent = false
        inflights.reset()
    }

    /// The owner finished sending the offered snapshot: probe right after it, waiting for the
    /// follower's answer (or a heartbeat answer) before the next append.
    mutating func snapshotSent() {
        guard state == .snapshot else { return }
        let after = pendingSnapshot.next
        becomeProbe()
        next = max(after, match.next)
        probeSent = true
    }

    /// An append ending at `last`, carrying `entryCount` entries of `bytes` payload bytes, was sent.
    mutating func sent(through last: LogIndex, entryCount: Int, bytes: Int) {
        switch state {
        case .replicate:
            if entryCount > 0 {
                next = last.next
                inflights.add(last, bytes: bytes)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            preconditionFailure("an append sent to a follower waiting for a snapshot")
        }
    }

    /// The follower answered a heartbeat at tick `now`: answers to earlier appends may have been
    /// lost, so one append may pass a paused flow (a full window, or a probe outstanding) — at
    /// most once per `interval` ticks. A follower resuming from a long pause answers hundreds of
    /// queued heartbeats at once; each must not release another append, or the leader reads and
    /// queues megabytes for it in one go.
    mutating func heartbeatAnswered(at now: Int, interval: Int) {
        if let last = heartbeatReleasedAt, now - last < interval { return }
        heartbeatReleasedAt = now
        probeSent = false
        if state == .replicate && inflights.isFull { inflights.freeFirst() }
    }

    /// The follower holds everything through `index`. Returns false for a stale answer.
    mutating func acknowledge(_ index: LogIndex) -> Bool {
        guard index > match else { return false }
        match = index
        next = max(next, index.next)
        probeSent = false
        return true
    }

    /// The follower rejected an append after `rejected`; `hint` is where its log may match.
    /// Returns false for a stale rejection.
    mutating func backtrack(rejected: LogIndex, hint: LogIndex) -> Bool {
        switch state {
        case .replicate:
            guard rejected > match else { return false }
            becomeProbe()
        case .probe:
            guard next.previous == rejected else { return false }
            next = max(min(rejected, hint.next), match.next)
            probeSent = false
        case .snapshot:
            return false  // An answer to an append sent before the snapshot was offered.
        }
        return true
    }
}

/// The appends in flight to one follower (etcd's `Inflights`): a ring of their last indices
/// and payload sizes, full when it holds `capacity` appends or `maxBytes` payload bytes. Bytes
/// bound what a lagging follower costs the leader: no more than `maxBytes` of entries are read,
/// encoded and queued for it before it acknowledges some.
struct Inflights {
    private var buffer: [(last: LogIndex, bytes: Int)]
    private var start = 0
    private(set) var count = 0
    /// Payload bytes of the appends in flight.
    private(set) var bytes = 0
    let maxBytes: Int

    init(capacity: Int, maxBytes: Int) {
        buffer = Array(repeating: (.zero, 0), count: capacity)
        self.maxBytes = maxBytes
    }

    /// No append may be sent until some are acknowledged. (One append may take the byte count
    /// past `maxBytes`, so an entry larger than the window still goes out, alone.)
    var isFull: Bool { count == buffer.count || bytes >= maxBytes }

    mutating func add(_ index: LogIndex, bytes appendBytes: Int) {
        precondition(!isFull, "inflight window overflow")
        buffer[(start + count) % buffer.count] = (index, appendBytes)
        count += 1
        bytes += appendBytes
    }

    /// Frees every append ending at or before `index`.
    mutating func free(through index: LogIndex) {
        while count > 0 && buffer[start].last <= index { freeFirst() }
    }

    mutating func freeFirst() {
        guard count > 0 else { return }
        bytes -= buffer[start].bytes
        start = (start + 1) % buffer.count
        count -= 1
    }

    mutating func reset() {
        start = 0
        count = 0
        bytes = 0
    }
}
