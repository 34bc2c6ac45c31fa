/// Everything the core asks its owner to do, collected since the previous ``Ready``.
///
/// Handle it in this order, then call ``RaftCore/advance(_:)``:
/// 1. send `messages` (they never depend on unpersisted state of this node);
/// 2. persist: install `snapshot` if set (replace the state machine with the leader's snapshot
///    the owner received, and make the log storage start after it, discarding every entry —
///    after any sync still in flight); discard stored entries with index ≥
///    `entries.first.index`, append `entries`, save `hardState` — durably (fsync) when
///    `mustSync`;
/// 3. only then send `messagesAfterPersist` (votes and append responses promise durability);
/// 4. apply `committedEntries` in order; answer `readStates` once applied ≥ their index;
///    fail `failedProposals`.
///
/// The core may be stepped, ticked and proposed to while a ready is being handled (so the
/// disk and the network overlap), but only one ready is outstanding at a time. An owner that
/// keeps syncing while it takes the next readies advances with `entriesDurable: false` and
/// reports durability through ``RaftCore/entriesPersisted(through:term:)``.
public struct Ready: Sendable {
    /// Set when role or leader changed.
    public var softState: SoftState?
    /// Set when term, vote or commit changed.
    public var hardState: HardState?
    /// True when entries or term/vote must reach stable storage before `messagesAfterPersist`.
    public var mustSync: Bool
    /// A leader's snapshot to install before anything else of this ready; see
    /// ``SnapshotMetadata``. Entries of this ready and later ones follow it.
    public var snapshot: SnapshotMetadata?
    /// Entries to append, possibly overwriting a conflicting stored suffix.
    public var entries: [Entry]
    /// Messages to send now.
    public var messages: [Message]
    /// Messages to send after `entries` and `hardState` are persisted.
    public var messagesAfterPersist: [Message]
    /// Committed, locally durable entries to apply, in index order.
    public var committedEntries: [Entry]
    /// Confirmed linearizable reads.
    public var readStates: [ReadState]
    /// Proposals this node accepted but can no longer see through.
    public var failedProposals: [FailedProposal]
    /// Reads this node accepted but can no longer confirm.
    public var failedReads: [FailedRead]

    public init() {
        softState = nil
        hardState = nil
        snapshot = nil
        mustSync = false
        entries = []
        messages = []
        messagesAfterPersist = []
        committedEntries = []
        readStates = []
        failedProposals = []
        failedReads = []
    }

    /// True when there is nothing to do.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && snapshot == nil && entries.isEmpty && messages.isEmpty
            && messagesAfterPersist.isEmpty && committedEntries.isEmpty && readStates.isEmpty
            && failedProposals.isEmpty && failedReads.isEmpty
    }
}

/// A read confirmed by a quorum: it is linearizable once the state machine has applied `index`.
public struct ReadState: Sendable, Hashable {
    public var index: LogIndex
    public var context: [UInt8]

    public init(index: LogIndex, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}

/// A proposal that will not be acknowledged by this node, and why.
public struct FailedProposal: Sendable, Hashable {
    public var index: LogIndex
    public var term: Term
    public var error: RaftError

    public init(index: LogIndex, term: Term, error: RaftError) {
        self.index = index
        self.term = term
        self.error = error
    }
}

/// A read this node accepted but cannot confirm, and why.
public struct FailedRead: Sendable, Hashable {
    public var context: [UInt8]
    public var error: RaftError

    public init(context: [UInt8], error: RaftError) {
        self.context = context
        self.error = error
    }
}

/// Where an accepted proposal sits in the log. It is acknowledged when the entry at `index`
/// is applied with this `term`; an entry of another term there means it was lost.
public struct Proposal: Sendable, Hashable {
    public var index: LogIndex
    public var term: Term

    public init(index: LogIndex, term: Term) {
        self.index = index
        self.term = term
    }
}
