import FileIO
import LogStore
import Raft
import Replica

/// Checks Raft's safety properties incrementally, as the cluster runs (see
/// `raft-and-swift.md` §3.4). Each hook is called at the moment its property can first break;
/// together they check, after every event:
///
/// - election safety: at most one leader per term, ever;
/// - log matching: every entry a core emits is recorded as (index, term) → (previous term,
///   content digest); two entries with the same index and term must agree on both, which by
///   induction makes equal (index, term) imply equal prefixes;
/// - committed prefixes agree: every node's committed entries match one global committed
///   history, which only grows (so the cluster-wide commit index never decreases);
/// - the commit rule: a leader advances its commit index only to an entry of its own term
///   (Raft §5.4.2, Figure 8);
/// - commit is durable: an entry joins the committed history only while a majority of disks hold
///   it durably, and no disk ever drops a committed entry;
/// - leader completeness: a new leader's log holds every entry committed in an earlier term;
/// - leader append-only: a leader never rewrites an index it appended in its term;
/// - state machine safety: each node applies exactly the committed history, in order;
/// - monotonicity: term never decreases and the vote never changes within a term (in a process
///   lifetime, and on disk across restarts); a node grants at most one vote per term, ever, and
///   only once it is durable; commit never decreases within a lifetime and a restart resumes at
///   or above the durable commit; applied ≤ commit;
/// - durability before answers: a successful append response in the node's durable term only
///   covers durable entries; a ready with entries or a new term/vote demands a sync;
/// - the core's own `checkInvariants()`.
final class InvariantChecker {
    private struct EntryKey: Hashable {
        var index: LogIndex
        var term: Term
    }

    private struct EntryLink: Equatable {
        var previousTerm: Term
        var digest: UInt64
    }

    /// What one committed index holds.
    struct CommittedEntry: Equatable {
        var term: Term
        var digest: UInt64
    }

    /// For each committed index, the term of the node that first reported it committed: the
    /// entry was committed in that term or earlier (leaders report first; a follower only
    /// learns a commit from a leader of its term or an earlier one).
    private var committedInTerm: [Term] = []

    private struct VoteKey: Hashable {
        var voter: NodeID
        var term: Term
    }

    /// What the checker remembers of one node.
    private struct Watch {
        // One process lifetime; reset by `started`.
        var term: Term = .zero
        var vote: NodeID?
        var commit: LogIndex = .zero
        /// The node's committed entries up to here were compared with the committed history.
        var comparedCommit: LogIndex = .zero
        /// The term this incarnation was last seen leading in.
        var leaderTerm: Term?
        /// The last index appended while leading in `leaderTerm`.
        var leaderAppended: LogIndex = .zero
        var lastReadyHardState = HardState()
        var applied: LogIndex = .zero
        // Across lifetimes.
        var durable = HardState()
    }

    private let ids: [NodeID]
    private let disks: [LogStoreDisk]
    private var watches: [Watch]
    private var leaderOfTerm: [Term: NodeID] = [:]
    private var grantedVotes: [VoteKey: NodeID] = [:]
    private var links: [EntryKey: EntryLink] = [:]
    /// The global committed history: index i is at `committed[i - 1]`.
    private(set) var committed: [CommittedEntry] = []

    init(nodes: [SimNode]) {
        ids = nodes.map(\.id)
        disks = nodes.map(\.disk)
        watches = Array(repeating: Watch(), count: nodes.count)
    }

    /// The highest index known committed anywhere.
    var committedIndex: LogIndex { LogIndex(UInt64(committed.count)) }
    /// For each committed index, the raw proposal its entry carries, if any.
    private(set) var committedProposals: [UInt64?] = []

    /// The leader of `term`, if one was seen.
    func leader(of term: Term) -> NodeID? { leaderOfTerm[term] }

    /// How many terms had a leader.
    var leaderTermCount: Int { leaderOfTerm.count }

    // MARK: - Process lifetime

    /// A core was just built over `node`'s disk: it must resume from the durable hard state, and
    /// apply from where `node`'s reopened state machine stands.
    func started(_ node: SimNode, _ core: RaftCore) throws(Violation) {
        let durable = node.disk.durableHardState
        if core.term != durable.term || core.vote != durable.vote {
            throw Violation(
                "restart-hard-state",
                "n\(node.id) started at term \(core.term) vote \(core.vote.map(\.description) ?? "none") "
                    + "but its disk holds \(durable)")
        }
        if core.commitIndex < durable.commit {
            throw Violation(
                "commit-monotonic", "n\(node.id) started at commit \(core.commitIndex) below its durable \(durable)")
        }
        if core.lastIndex != node.disk.durableLastIndex {
            throw Violation(
                "restart-log",
                "n\(node.id) started with last index \(core.lastIndex) but its disk holds \(node.disk.durableLastIndex)"
            )
        }
        let durableWatch = watches[node.index].durable
        watches[node.index] = Watch(
            term: core.term, vote: core.vote, commit: core.commitIndex,
            lastReadyHardState: durable, applied: node.applied, durable: durableWatch)
    }

    // MARK: - Readies and writes

    /// `core` just returned `ready`.
    func readyProduced(_ ready: Ready, by node: SimNode, _ core: RaftCore) throws(Violation) {
        try commitAdvanced(node, core)
        try noteLeader(node, core)
        let who = "n\(node.id)"
        if let first = ready.entries.first {
            guard var previousTerm = core.term(at: first.index.previous) else {
                throw Violation("log-matching", "\(who) emitted entry \(first.index) but has no entry before it")
            }
            for (offset, entry) in ready.entries.enumerated() {
                if entry.index != first.index.advanced(by: Int64(offset)) {
                    throw Violation("ready-entries", "\(who) emitted non-contiguous entries at \(entry.index)")
                }
                if entry.term < previousTerm {
                    throw Violation(
                        "log-terms", "\(who) emitted entry \(entry.index) term \(entry.term) after term \(previousTerm)"
                    )
                }
                let link = EntryLink(previousTerm: previousTerm, digest: TraceHash.digest(of: entry))
                let key = EntryKey(index: entry.index, term: entry.term)
                if let known = links[key], known != link {
                    throw Violation(
                        "log-matching",
                        "\(who) holds entry \(entry.index) term \(entry.term) after term \(previousTerm) "
                            + "but another log holds it after term \(known.previousTerm)"
                            + (known.digest == link.digest ? "" : " with different content"))
                }
                links[key] = link
                previousTerm = entry.term
            }
            if !ready.mustSync {
                throw Violation("ready-sync", "\(who) emitted entries from \(first.index) without mustSync")
            }
            if core.role == .leader && watches[node.index].leaderTerm == core.term {
                let appended = watches[node.index].leaderAppended
                if first.index <= appended {
                    throw Violation(
                        "leader-append-only",
                        "\(who) leading term \(core.term) rewrote index \(first.index) (it had appended through \(appended))"
                    )
                }
            }
            if core.role == .leader {
                watches[node.index].leaderAppended = ready.entries[ready.entries.count - 1].index
            }
        }
        if let state = ready.hardState {
            let last = watches[node.index].lastReadyHardState
            if (state.term != last.term || state.vote != last.vote) && !ready.mustSync {
                throw Violation("ready-sync", "\(who) changed term/vote to \(state) without mustSync")
            }
            watches[node.index].lastReadyHardState = state
        }
    }

    /// A full disk refused `node`'s write of the entries from `index` on: a leader hands them
    /// out again (the only entries it may emit twice in a term), and re-reports its hard state.
    func writesRefused(from index: LogIndex?, on node: SimNode, _ core: RaftCore) {
        if let index, core.role == .leader, watches[node.index].leaderTerm == core.term {
            watches[node.index].leaderAppended = min(watches[node.index].leaderAppended, index.previous)
        }
        watches[node.index].lastReadyHardState = node.disk.durableHardState
    }

    /// `node` is about to write `entries` to its log (replacing any suffix from the first).
    func willWrite(_ entries: [Entry], on node: SimNode) throws(Violation) {
        guard let first = entries.first else { return }
        let disk = node.disk
        if first.index > disk.store.lastIndex.next {
            throw Violation(
                "ready-entries", "n\(node.id) must write entry \(first.index) past its last \(disk.store.lastIndex)")
        }
        let last = entries[entries.count - 1].index
        var index = first.index
        while index <= disk.durableLastIndex && index <= committedIndex {
            let committedTerm = committed[Int(index.rawValue - 1)].term
            if disk.durableTerm(at: index) == committedTerm {
                let replacement = index <= last ? entries[Int(first.index.distance(to: index))].term : nil
                if replacement != committedTerm {
                    throw Violation(
                        "committed-entry-kept",
                        "n\(node.id) overwrites committed entry \(index) term \(committedTerm) with "
                            + (replacement.map { "term \($0)" } ?? "nothing (truncation)"))
                }
            }
            index = index.next
        }
    }

    /// `node`'s disk accepted a write: its durable hard state may only move forward.
    func didWrite(on node: SimNode) throws(Violation) {
        let now = node.disk.durableHardState
        let before = watches[node.index].durable
        if now.term < before.term || (now.term == before.term && before.vote != nil && now.vote != before.vote)
            || now.commit < before.commit
        {
            throw Violation("durable-hard-state", "n\(node.id) durable hard state went from \(before) to \(now)")
        }
        watches[node.index].durable = now
    }

    // MARK: - Messages

    /// `node` sends `message` (before the network decides its fate).
    func sent(_ message: Message, by node: SimNode, _ core: RaftCore) throws(Violation) {
        if message.from != node.id || !ids.contains(message.to) || message.to == node.id {
            throw Violation("message-address", "n\(node.id) sent \(message)")
        }
        switch message.body {
        case .vote(let request) where request.preVote: return
        case .voteResponse(let response) where response.preVote: return
        default: break
        }
        if message.term > core.term {
            throw Violation("message-term", "n\(node.id) at term \(core.term) sent \(message)")
        }
        switch message.body {
        case .voteResponse(let response) where response.granted:
            let durable = node.disk.durableHardState
            if durable.term < message.term || (durable.term == message.term && durable.vote != message.to) {
                throw Violation(
                    "vote-durable",
                    "n\(node.id) granted its vote to \(message.to) in term \(message.term) "
                        + "but its disk holds \(durable)")
            }
            let key = VoteKey(voter: node.id, term: message.term)
            if let earlier = grantedVotes[key], earlier != message.to {
                throw Violation(
                    "one-vote-per-term",
                    "n\(node.id) voted for \(earlier) and then \(message.to) in term \(message.term)")
            }
            grantedVotes[key] = message.to
        case .appendResponse(let response) where !response.reject:
            // An acknowledgement made in an older term may leave after a newer leader truncated
            // the entries it covers: that is just a delayed message, which Raft tolerates. In the
            // node's durable term, though, the acknowledged entries must be on disk.
            let durable = node.disk.durableHardState
            if durable.term < message.term
                || (durable.term == message.term && node.disk.durableLastIndex < response.index)
            {
                throw Violation(
                    "append-durable",
                    "n\(node.id) acknowledged index \(response.index) in term \(message.term) "
                        + "but its disk holds \(durable) and ends at \(node.disk.durableLastIndex)")
            }
        default:
            break
        }
    }

    // MARK: - Commit and apply

    /// Compares `node`'s newly committed entries with the committed history, extending it.
    func commitAdvanced(_ node: SimNode, _ core: RaftCore) throws(Violation) {
        let commit = core.commitIndex
        var watch = watches[node.index]
        if commit < watch.commit {
            throw Violation("commit-monotonic", "n\(node.id) commit went from \(watch.commit) to \(commit)")
        }
        if commit > watch.commit && core.role == .leader && core.term(at: commit) != core.term {
            throw Violation(
                "leader-commit-rule",
                "n\(node.id) leading term \(core.term) advanced commit to \(commit), an entry of term "
                    + "\(core.term(at: commit).map(\.description) ?? "none") (Raft counts only current-term entries)")
        }
        watch.commit = commit
        defer { watches[node.index] = watch }
        guard commit > watch.comparedCommit else { return }
        let entries: [Entry]
        do {
            // Entries before the log's first index were compacted (or replaced by a snapshot).
            entries = try core.entries(from: max(watch.comparedCommit.next, core.firstIndex), through: commit)
        } catch {
            throw Violation("core-error", "n\(node.id) cannot read its committed entries: \(error)")
        }
        var extended = false
        for entry in entries {
            let record = CommittedEntry(term: entry.term, digest: TraceHash.digest(of: entry))
            if entry.index <= committedIndex {
                let known = committed[Int(entry.index.rawValue - 1)]
                if known != record {
                    throw Violation(
                        "committed-prefix",
                        "n\(node.id) committed index \(entry.index) term \(entry.term) but term \(known.term) "
                            + "\(known.digest == record.digest ? "" : "with other content ")was committed there before")
                }
            } else if entry.index == committedIndex.next {
                committed.append(record)
                committedInTerm.append(core.term)
                committedProposals.append(entry.kind == .normal ? Payload.id(in: entry.data) : nil)
                extended = true
            } else {
                throw Violation("committed-prefix", "n\(node.id) committed \(entry.index) past a gap")
            }
        }
        watch.comparedCommit = commit
        if extended {
            let term = committed[committed.count - 1].term
            let holders = disks.count(where: { $0.durableTerm(at: commit) == term })
            if holders * 2 <= disks.count {
                throw Violation(
                    "commit-durable",
                    "n\(node.id) committed index \(commit) term \(term) held durably by only \(holders) of \(disks.count) disks"
                )
            }
        }
    }

    /// `node` installed a leader's snapshot: its state machine continues after `snapshot`, which
    /// must be committed.
    func installed(_ snapshot: SnapshotMetadata, on node: SimNode) throws(Violation) {
        guard snapshot.index <= committedIndex, committed[Int(snapshot.index.rawValue - 1)].term == snapshot.term else {
            throw Violation(
                "snapshot-committed", "n\(node.id) installed \(snapshot), which is not the committed entry there")
        }
        watches[node.index].applied = snapshot.index
        watches[node.index].comparedCommit = max(watches[node.index].comparedCommit, snapshot.index)
    }

    /// `node`'s state machine applies `entry`: it must be the next index and the committed one.
    func applied(_ entry: Entry, on node: SimNode) throws(Violation) {
        let expected = watches[node.index].applied.next
        if entry.index != expected {
            throw Violation("apply-order", "n\(node.id) applied \(entry.index), expected \(expected)")
        }
        guard entry.index <= committedIndex else {
            throw Violation("apply-committed", "n\(node.id) applied \(entry.index) beyond every known commit")
        }
        let known = committed[Int(entry.index.rawValue - 1)]
        if known != CommittedEntry(term: entry.term, digest: TraceHash.digest(of: entry)) {
            throw Violation(
                "apply-committed",
                "n\(node.id) applied index \(entry.index) term \(entry.term), but term \(known.term) is committed there"
            )
        }
        watches[node.index].applied = entry.index
    }

    // MARK: - After every event

    /// The first time a node is seen leading a term: no other node led it, and its log holds
    /// every entry committed in an earlier term. (A leader of an old term, elected late by
    /// delayed votes, need not hold what later terms committed.)
    private func noteLeader(_ node: SimNode, _ core: RaftCore) throws(Violation) {
        guard core.role == .leader && watches[node.index].leaderTerm != core.term else { return }
        let who = "n\(node.id)"
        if let other = leaderOfTerm[core.term], other != node.id {
            throw Violation("election-safety", "\(who) and n\(other) both led term \(core.term)")
        }
        leaderOfTerm[core.term] = node.id
        watches[node.index].leaderTerm = core.term
        watches[node.index].leaderAppended = .zero
        // Entries before the snapshot the log starts after are compacted; the snapshot's own
        // entry is still answered, so it is compared.
        let compacted = Int(core.firstIndex.previous.rawValue) - 1
        for (offset, entry) in committed.enumerated() where committedInTerm[offset] < core.term && offset >= compacted {
            let index = LogIndex(UInt64(offset + 1))
            if core.term(at: index) != entry.term {
                throw Violation(
                    "leader-completeness",
                    "\(who) leads term \(core.term) without committed entry \(index) term \(entry.term) "
                        + "(it holds \(core.term(at: index).map { "term \($0)" } ?? "nothing") there)")
            }
        }
    }

    /// Everything that can change when a node handles an event.
    func observe(_ node: SimNode, _ core: RaftCore) throws(Violation) {
        try commitAdvanced(node, core)
        let who = "n\(node.id)"
        var watch = watches[node.index]
        if core.term < watch.term {
            throw Violation("term-monotonic", "\(who) term went from \(watch.term) to \(core.term)")
        }
        if core.term == watch.term, let vote = watch.vote, core.vote != vote {
            throw Violation(
                "vote-monotonic",
                "\(who) changed its vote in term \(core.term) from \(vote) to \(core.vote.map(\.description) ?? "none")"
            )
        }
        watch.term = core.term
        watch.vote = core.vote
        watches[node.index] = watch
        try noteLeader(node, core)
        if core.appliedIndex > core.commitIndex {
            throw Violation(
                "applied-le-commit", "\(who) applied \(core.appliedIndex) beyond commit \(core.commitIndex)")
        }
        do {
            try core.checkInvariants()
        } catch {
            throw Violation("core-invariant", "\(who): \(error)")
        }
    }
}
