/// The durable log as the core sees it: read-only. The core's owner writes to it (append,
/// truncate, save hard state) when it handles a ``Ready``; the core reads what is stable.
///
/// Indices in `firstIndex...lastIndex` hold entries. `term(at: firstIndex.previous)` must also
/// answer (0 for an empty, never-compacted log), so the entry before the first can be matched.
public protocol RaftStorage: AnyObject {
    /// The hard state saved last, as recovered at start.
    var hardState: HardState { get }
    /// The first index that still holds an entry (`lastIndex + 1` when the log is empty).
    var firstIndex: LogIndex { get }
    /// The last index stored (0 when the log is empty).
    var lastIndex: LogIndex { get }
    /// The term of the entry at `index`, or nil outside `firstIndex.previous...lastIndex`.
    func term(at index: LogIndex) -> Term?
    /// Entries `from...through` in order, stopping early once `maxBytes` is exceeded but always
    /// returning at least one entry. Both ends must lie in `firstIndex...lastIndex`.
    func entries(from: LogIndex, through: LogIndex, maxBytes: Int) throws(StorageFailure) -> [Entry]
    /// The newest snapshot the owner can send to a follower whose log ends before `firstIndex`:
    /// its index lies in `firstIndex.previous...lastIndex` and is at most the applied index
    /// (``SnapshotMetadata/initial`` for a log that was never compacted). A leader's core offers
    /// it when a follower needs an entry the log no longer holds.
    var snapshot: SnapshotMetadata { get }
}

/// A read from log storage failed (I/O error, corrupt record). The node must stop.
public struct StorageFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
