/// What an entry means to the layers above the core.
public enum EntryKind: UInt8, Sendable, Hashable {
    /// A client proposal; `data` is opaque to Raft.
    case normal = 0
    /// The empty entry a new leader appends so it can commit entries of earlier terms (Raft §5.4.2).
    case noop = 1
}

/// One record of the replicated log.
public struct Entry: Sendable, Hashable {
    public var index: LogIndex
    public var term: Term
    public var kind: EntryKind
    public var data: [UInt8]

    public init(index: LogIndex, term: Term, kind: EntryKind = .normal, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }

    /// Bytes this entry counts against message and batch size limits.
    public var byteCount: Int { data.count + 24 }
}
