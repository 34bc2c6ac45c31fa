import Raft

/// One piece of a state snapshot on its way from a leader to a follower (Raft's InstallSnapshot,
/// chunked): the snapshot's point in the log, where this piece lies in its bytes, and the CRC of
/// the whole, which the follower checks before it installs anything. Peers carry it like a Raft
/// message; the follower's core sees the offer only once every byte arrived intact.
///
/// A piece without bytes goes the other way: the follower's receipt (``receipt(for:holding:)``),
/// saying how many leading bytes of that snapshot it holds, so an offer repeated after an
/// interrupted transfer resumes there instead of at the first byte.
public struct SnapshotChunk: Sendable, Hashable, CustomStringConvertible {
    /// Bytes of snapshot one chunk carries at most.
    public static let maxDataBytes = 512 << 10

    public var from: NodeID
    public var to: NodeID
    /// The leader's term when it sent the snapshot.
    public var term: Term
    public var snapshot: SnapshotMetadata
    /// The snapshot's size in bytes and its CRC-32C.
    public var totalBytes: UInt64
    public var checksum: UInt32
    /// Where `data` starts in the snapshot.
    public var offset: UInt64
    public var data: [UInt8]

    public init(
        from: NodeID, to: NodeID, term: Term, snapshot: SnapshotMetadata, totalBytes: UInt64, checksum: UInt32,
        offset: UInt64, data: [UInt8]
    ) {
        self.from = from
        self.to = to
        self.term = term
        self.snapshot = snapshot
        self.totalBytes = totalBytes
        self.checksum = checksum
        self.offset = offset
        self.data = data
    }

    /// Whether this is a follower's receipt rather than a piece of the snapshot.
    public var isReceipt: Bool { data.isEmpty }

    /// The receipt `follower` sends back for the snapshot `chunk` belongs to: it holds the
    /// snapshot's first `bytes` bytes (0 when it holds none, or discarded them).
    public static func receipt(for chunk: SnapshotChunk, holding bytes: UInt64) -> SnapshotChunk {
        SnapshotChunk(
            from: chunk.to, to: chunk.from, term: chunk.term, snapshot: chunk.snapshot, totalBytes: chunk.totalBytes,
            checksum: chunk.checksum, offset: bytes, data: [])
    }

    public var description: String {
        isReceipt
            ? "\(from)->\(to) t\(term) \(snapshot) receipt: holds \(offset) of \(totalBytes) bytes"
            : "\(from)->\(to) t\(term) \(snapshot) bytes \(offset)..<\(offset + UInt64(data.count)) of \(totalBytes)"
    }
}
