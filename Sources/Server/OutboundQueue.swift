import Bytes

/// The frames waiting to be written to one socket, in two lanes. `control` frames (heartbeats,
/// votes, Raft answers) leave before `bulk` frames (appends carrying entries, client answers)
/// that were queued earlier, so a follower catching up on megabytes of entries still hears the
/// leader's heartbeats in time. A bulk frame the socket took in part is finished first: frames
/// never interleave.
struct OutboundQueue {
    enum Lane {
        case control
        case bulk
    }

    private var control = ByteWriter(capacity: 4 << 10)
    private var controlStart = 0
    private var bulk = ByteWriter(capacity: 64 << 10)
    private var bulkStart = 0
    /// Where each queued bulk frame ends in `bulk`, oldest first, from `frameHead` on.
    private var frameEnds: [Int] = []
    private var frameHead = 0
    /// Where the oldest unfinished bulk frame starts.
    private var headFrameStart = 0

    /// Bytes waiting in both lanes.
    var pendingBytes: Int { control.count - controlStart + bulk.count - bulkStart }
    var isEmpty: Bool { pendingBytes == 0 }
    /// Bytes the lanes hold, written ones not yet dropped included.
    var retainedBytes: Int { control.count + bulk.count }

    /// Queues one frame that `encode` writes, in `lane`. If `encode` throws, nothing is queued.
    mutating func append<E: Error>(_ lane: Lane, _ encode: (inout ByteWriter) throws(E) -> Void) throws(E) {
        switch lane {
        case .control:
            try encode(&control)
        case .bulk:
            let before = bulk.count
            try encode(&bulk)
            if bulk.count > before { frameEnds.append(bulk.count) }
        }
    }

    /// Writes what `write` takes, control first (after finishing a bulk frame begun). `write`
    /// returns how many bytes it took; fewer than offered means the socket is full. Returns true
    /// when nothing is left.
    mutating func drain<E: Error>(_ write: (UnsafeRawBufferPointer) throws(E) -> Int) throws(E) -> Bool {
        while !isEmpty {
            let lane: Lane
            let end: Int
            if bulkStart > headFrameStart || controlStart == control.count {
                // Finish the bulk frame begun; with no control waiting, send every bulk frame.
                lane = .bulk
                end = controlStart == control.count ? bulk.count : frameEnds[frameHead]
            } else {
                lane = .control
                end = control.count
            }
            let start = lane == .control ? controlStart : bulkStart
            let bytes = lane == .control ? control.bytes : bulk.bytes
            let written = try bytes.withUnsafeBytes { raw in
                Result { () throws(E) -> Int in try write(UnsafeRawBufferPointer(rebasing: raw[start..<end])) }
            }.get()
            advance(lane, by: written)
            if written < end - start { return false }
        }
        return true
    }

    /// Bytes written from the bulk lane's front after which, once they are at least half of
    /// it, the lane drops them: a socket that never quite drains must not keep everything it
    /// ever sent in memory.
    static let compactionBytes = 1 << 20

    /// Moves the bulk lane's unwritten bytes (and their frame ends) to the front.
    private mutating func compactBulk() {
        let consumed = bulkStart
        bulk.removeFirst(consumed)
        bulkStart = 0
        frameEnds = frameEnds[frameHead...].map { $0 - consumed }
        frameHead = 0
        headFrameStart -= consumed
    }

    private mutating func advance(_ lane: Lane, by written: Int) {
        switch lane {
        case .control:
            controlStart += written
            if controlStart == control.count {
                control.removeAll()
                controlStart = 0
            }
        case .bulk:
            bulkStart += written
            while frameHead < frameEnds.count && frameEnds[frameHead] <= bulkStart {
                headFrameStart = frameEnds[frameHead]
                frameHead += 1
            }
            if bulkStart == bulk.count {
                bulk.removeAll()
                bulkStart = 0
                frameEnds.removeAll(keepingCapacity: true)
                frameHead = 0
                headFrameStart = 0
            } else if bulkStart >= Self.compactionBytes && bulkStart * 2 >= bulk.count {
                compactBulk()
            }
        }
    }
}
