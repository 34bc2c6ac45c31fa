/// A message between two members of a group. `term` is the sender's current term, except for
/// pre-vote requests (the term the sender would campaign in) and pre-vote responses (the term of
/// the request they answer).
public struct Message: Sendable, Hashable, CustomStringConvertible {
    public var from: NodeID
    public var to: NodeID
    public var term: Term
    public var body: Body

    public init(from: NodeID, to: NodeID, term: Term, body: Body) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }

    /// The payload of a ``Message``.
    public enum Body: Sendable, Hashable {
        case append(AppendRequest)
        case appendResponse(AppendResponse)
        case heartbeat(Heartbeat)
        case heartbeatResponse(HeartbeatResponse)
        case vote(VoteRequest)
        case voteResponse(VoteResponse)
        /// Leadership transfer: the receiver campaigns at once, bypassing pre-vote and leases.
        case timeoutNow
        /// The leader's log no longer holds the entries the receiver needs: it must take the
        /// state machine's snapshot at this point instead, then the entries after it. The
        /// owners move the snapshot's bytes; the receiver's core sees this message only once its
        /// owner holds them all, and answers with an ``AppendResponse`` at the snapshot's index
        /// (or at its commit index when the snapshot is not newer than what it holds).
        case installSnapshot(SnapshotMetadata)
    }

    public var description: String { "\(from)->\(to) t\(term) \(body)" }
}

/// AppendEntries: "your log should hold `prevTerm` at `prevIndex`; append `entries` after it".
public struct AppendRequest: Sendable, Hashable {
    public var prevIndex: LogIndex
    public var prevTerm: Term
    public var entries: [Entry]
    /// The leader's commit index.
    public var commit: LogIndex

    public init(prevIndex: LogIndex, prevTerm: Term, entries: [Entry], commit: LogIndex) {
        self.prevIndex = prevIndex
        self.prevTerm = prevTerm
        self.entries = entries
        self.commit = commit
    }
}

/// The answer to an ``AppendRequest``; sent only after the follower's log is durable.
public struct AppendResponse: Sendable, Hashable {
    /// On success: the last index the follower now holds in agreement with the leader.
    /// On rejection: the `prevIndex` that did not match.
    public var index: LogIndex
    public var reject: Bool
    /// On rejection, a hint for fast backtracking: the largest index ≤ `index` whose term is
    /// ≤ `hintTerm` in the follower's log (or its last index if shorter), and that term.
    public var hintIndex: LogIndex
    public var hintTerm: Term

    public init(index: LogIndex, reject: Bool = false, hintIndex: LogIndex = .zero, hintTerm: Term = .zero) {
        self.index = index
        self.reject = reject
        self.hintIndex = hintIndex
        self.hintTerm = hintTerm
    }
}

/// The leader's periodic "I am alive", also the round trip that confirms a ReadIndex.
public struct Heartbeat: Sendable, Hashable {
    /// The commit index, capped at what the receiver is known to hold.
    public var commit: LogIndex
    /// The newest read request this round confirms (0 when none is pending).
    public var readSequence: UInt64

    public init(commit: LogIndex, readSequence: UInt64 = 0) {
        self.commit = commit
        self.readSequence = readSequence
    }
}

/// The answer to a ``Heartbeat``; echoes its read sequence.
public struct HeartbeatResponse: Sendable, Hashable {
    public var readSequence: UInt64

    public init(readSequence: UInt64 = 0) { self.readSequence = readSequence }
}

/// RequestVote, or PreVote when `preVote` is set.
public struct VoteRequest: Sendable, Hashable {
    public var lastIndex: LogIndex
    public var lastTerm: Term
    public var preVote: Bool
    /// Set when campaigning on a leadership transfer: voters ignore their leader lease.
    public var transfer: Bool

    public init(lastIndex: LogIndex, lastTerm: Term, preVote: Bool, transfer: Bool = false) {
        self.lastIndex = lastIndex
        self.lastTerm = lastTerm
        self.preVote = preVote
        self.transfer = transfer
    }
}

/// The answer to a ``VoteRequest``; a granted real vote is sent only after it is durable.
public struct VoteResponse: Sendable, Hashable {
    public var granted: Bool
    public var preVote: Bool

    public init(granted: Bool, preVote: Bool) {
        self.granted = granted
        self.preVote = preVote
    }
}
