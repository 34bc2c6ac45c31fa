/// Where a snapshot of the state machine stands in the log: it holds the effect of every entry
/// through `index`, whose term is `term`. A log compacted up to a snapshot starts at
/// `index + 1` and still answers `term` for `index`, so the next entry can be matched.
///
/// The core deals in this metadata only. The state machine's bytes are its owner's: a leader's
/// owner sends them when the core offers a snapshot to a follower
/// (``Message/Body/installSnapshot(_:)``); a follower's owner steps its core with the offer
/// only once it holds all of them, and installs them when a ``Ready`` carries the snapshot.
public struct SnapshotMetadata: Sendable, Hashable, CustomStringConvertible {
    public var index: LogIndex
    public var term: Term

    public init(index: LogIndex, term: Term) {
        self.index = index
        self.term = term
    }

    /// The snapshot of an empty state machine, before index 1: a log that was never compacted.
    public static let initial = SnapshotMetadata(index: .zero, term: .zero)

    public var description: String { "snapshot@\(index)/t\(term)" }
}
