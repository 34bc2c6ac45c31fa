import LedgerModel

/// The one log as the state machine reads it: the bytes at a log position. Messages are stored
/// once, inside the bodies of the Raft entries (``RecordsEntry``); consume queues and the key
/// index hold their physical offsets, which are log positions. The node reads through its log
/// store; a memory-only machine through a ``MemoryMessageLog``.
public protocol MessageLog: AnyObject {
    /// Up to `count` bytes from `position`: fewer where a data file or the log ends, none
    /// outside the log. Throws when the bytes cannot be read.
    func bytes(at position: Int64, count: Int) throws(CommitLogError) -> [UInt8]
    /// The first position the log still holds: retention deleted everything before it, so a
    /// record that an index still names there is gone, not damaged.
    var startPosition: Int64 { get }
}

/// Entry bodies kept in memory at the positions their owner gave them: the log of a
/// memory-only state machine (tests, the benchmark). Bodies are added in position order.
public final class MemoryMessageLog: MessageLog {
    /// Space left before each body, as a log store leaves room for its record header.
    public static let headerBytes: Int64 = 56

    private var starts: [Int64] = []
    private var bodies: [[UInt8]] = []
    /// Where the next body goes when ``append(_:)`` places it.
    public private(set) var end: Int64 = 0
    /// Bodies before it were dropped (``dropBodies(before:)``).
    public private(set) var startPosition: Int64 = 0

    public init() {}

    /// Places `body` after the last one (leaving ``headerBytes``) and returns its position.
    @discardableResult
    public func append(_ body: [UInt8]) -> Int64 {
        let position = end + Self.headerBytes
        add(body, at: position)
        return position
    }

    /// Where ``append(_:)`` would put a body: what a leader predicts before proposing.
    public var nextPosition: Int64 { end + Self.headerBytes }

    /// Keeps `body` at `position`, which must not precede the end of the last body.
    public func add(_ body: [UInt8], at position: Int64) {
        precondition(position >= end, "body at \(position) before the log's end \(end)")
        starts.append(position)
        bodies.append(body)
        end = position + Int64(body.count)
    }

    /// Forgets the bodies that start before `position`, as retention deletes a log's first files.
    public func dropBodies(before position: Int64) {
        var kept = 0
        while kept < starts.count && starts[kept] < position { kept += 1 }
        starts.removeFirst(kept)
        bodies.removeFirst(kept)
        startPosition = max(startPosition, position)
    }

    public func bytes(at position: Int64, count: Int) throws(CommitLogError) -> [UInt8] {
        guard position >= startPosition else { return [] }
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= position { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return [] }
        let body = bodies[low - 1]
        let offset = Int(position - starts[low - 1])
        guard offset < body.count, count > 0 else { return [] }
        return Array(body[offset..<min(body.count, offset + count)])
    }
}
