/// How one node of a group behaves. Times are in ticks: the owner decides how long a tick is.
public struct RaftConfig: Sendable {
    /// This node.
    public var id: NodeID
    /// Every voting member, this node included.
    public var voters: [NodeID]
    /// A follower that hears no leader for a random number of ticks in this range campaigns.
    public var electionTimeoutTicks: ClosedRange<Int> = 10...20
    /// How often a leader sends heartbeats.
    public var heartbeatIntervalTicks: Int = 1
    /// Ask for pre-votes before bumping the term, so a node that was cut off cannot disrupt
    /// the group when it comes back.
    public var preVote: Bool = true
    /// A leader that has not heard from a majority for an election timeout steps down, and a
    /// follower that heard from its leader within the minimum election timeout refuses votes.
    public var checkQuorum: Bool = true
    /// Limits for one AppendEntries message.
    public var maxEntriesPerMessage: Int = 1024
    public var maxBytesPerMessage: Int = 1 << 20
    /// AppendEntries messages in flight to one follower before the leader waits for answers.
    public var maxInflightMessages: Int = 256
    /// Entry bytes in flight to one follower before the leader waits for answers: what a
    /// follower that falls behind can cost the leader in reads, encoding and buffers per round
    /// trip (an entry larger than this still goes out, alone).
    public var maxInflightBytes: Int = 8 << 20
    /// The largest proposal accepted.
    public var maxEntryBytes: Int = 4 << 20
    /// Payload bytes a leader lets wait for commit (etcd's `MaxUncommittedEntriesSize`): beyond
    /// them a proposal fails with ``RaftError/overloaded(uncommittedBytes:limit:)`` instead of
    /// growing the log faster than a majority takes it. One proposal is always accepted when
    /// nothing waits, whatever its size.
    public var maxUncommittedBytes: Int = 64 << 20
    /// A proposal not committed within this many ticks fails with ``RaftError/noQuorum(index:ticks:)``.
    public var proposalTimeoutTicks: Int = 60
    /// When set, a leader hands leadership to this node whenever it is caught up (DLedger's
    /// `preferredLeaderIds`).
    public var preferredLeader: NodeID? = nil
    /// Seeds election jitter, so a run replays from its seed.
    public var randomSeed: UInt64 = 0
    /// The last index the state machine had applied before this start; committed entries after
    /// it are handed out again. 0 replays the whole committed log.
    public var applied: LogIndex = .zero
    /// Deliberately broken rules, so tests can prove the checkers catch them. Never set in production.
    package var brokenRules: BrokenRules = []

    public init(id: NodeID, voters: [NodeID]) {
        self.id = id
        self.voters = voters
    }

    /// Checks the settings; the message names the setting and what was expected.
    public func validate() throws(RaftConfigError) {
        if !voters.contains(id) { throw RaftConfigError("voters \(voters) do not include this node \(id)") }
        if Set(voters).count != voters.count { throw RaftConfigError("voters \(voters) name a node twice") }
        if electionTimeoutTicks.lowerBound < 2 {
            throw RaftConfigError("electionTimeoutTicks must start at 2 or more, got \(electionTimeoutTicks)")
        }
        if heartbeatIntervalTicks < 1 || heartbeatIntervalTicks >= electionTimeoutTicks.lowerBound {
            throw RaftConfigError(
                "heartbeatIntervalTicks must be at least 1 and below the election timeout, got \(heartbeatIntervalTicks)"
            )
        }
        if maxEntriesPerMessage < 1 { throw RaftConfigError("maxEntriesPerMessage must be at least 1") }
        if maxBytesPerMessage < 1 { throw RaftConfigError("maxBytesPerMessage must be at least 1") }
        if maxInflightMessages < 1 { throw RaftConfigError("maxInflightMessages must be at least 1") }
        if maxInflightBytes < 1 { throw RaftConfigError("maxInflightBytes must be at least 1") }
        if maxUncommittedBytes < 1 { throw RaftConfigError("maxUncommittedBytes must be at least 1") }
        if proposalTimeoutTicks < electionTimeoutTicks.upperBound {
            throw RaftConfigError("proposalTimeoutTicks must be at least the longest election timeout")
        }
        if let preferred = preferredLeader, !voters.contains(preferred) {
            throw RaftConfigError("preferredLeader \(preferred) is not one of the voters \(voters)")
        }
    }
}

/// Rules a test can break on purpose to show that the invariant checkers notice.
package struct BrokenRules: OptionSet, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Advance commit by counting replicas of entries from earlier terms (Raft paper, Figure 8).
    package static let commitPriorTermEntries = BrokenRules(rawValue: 1 << 0)
    /// Grant votes without checking that the candidate's log is at least as up to date.
    package static let skipVoteLogCheck = BrokenRules(rawValue: 1 << 1)
}

/// An invalid ``RaftConfig``.
public struct RaftConfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
