import Raft

// The plain replicated log's client operations: append an opaque entry, read one back.

/// Append one entry with opaque `data` to the replicated log (leader only).
public struct ClientAppendRequest: Hashable, Sendable {
    public var data: [UInt8]

    public init(data: [UInt8]) { self.data = data }
}

/// The answer to a ``ClientAppendRequest``, sent once the entry is committed and applied.
public struct ClientAppendResponse: Hashable, Sendable {
    /// Where the entry sits in the log.
    public var index: LogIndex

    public init(index: LogIndex) { self.index = index }
}

/// Read the committed entry at `index`.
public struct GetRequest: Hashable, Sendable {
    public var index: LogIndex

    public init(index: LogIndex) { self.index = index }
}

/// The entry a ``GetRequest`` asked for.
public struct GetResponse: Hashable, Sendable {
    public var index: LogIndex
    public var term: Term
    /// A leader's no-op entry has kind `.noop` and no data.
    public var kind: EntryKind
    public var data: [UInt8]

    public init(index: LogIndex, term: Term, kind: EntryKind = .normal, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}
