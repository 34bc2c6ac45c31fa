import Raft

/// One committed entry of the replicated log, as ``LedgerClient/get(_:)`` returns it.
public struct LedgerEntry: Sendable, Hashable {
    public var index: LogIndex
    /// The term of the leader that appended it.
    public var term: Term
    /// `.noop` for the empty entry each new leader appends; `.normal` for client data.
    public var kind: EntryKind
    public var data: [UInt8]

    public init(index: LogIndex, term: Term, kind: EntryKind, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}
