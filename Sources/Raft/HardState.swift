/// The state a node must keep across crashes.
///
/// `term` and `vote` must be durable before any message that depends on them is sent (votes,
/// append responses): otherwise a restarted node could vote twice in one term. `commit` may be
/// written lazily; after a restart the node resumes from whatever commit index was last saved.
public struct HardState: Sendable, Hashable, CustomStringConvertible {
    public var term: Term
    public var vote: NodeID?
    public var commit: LogIndex

    public init(term: Term = .zero, vote: NodeID? = nil, commit: LogIndex = .zero) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var description: String {
        "term=\(term) vote=\(vote.map(String.init(describing:)) ?? "none") commit=\(commit)"
    }
}
