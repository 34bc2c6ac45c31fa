/// A broken internal invariant of the Raft core: a bug, reported with what was seen.
public struct InvariantViolation: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension RaftCore {
    /// Checks this node's internal consistency; tests and the simulator call it after every step.
    public func checkInvariants() throws(InvariantViolation) {
        func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(InvariantViolation) {
            if !condition { throw InvariantViolation("node \(id): \(message())") }
        }
        if let violation = safetyViolation { throw InvariantViolation("node \(id): \(violation)") }
        try check(log.committed <= log.lastIndex, "commit \(log.committed) beyond last index \(log.lastIndex)")
        try check(
            log.firstIndex.previous <= log.committed,
            "the log starts after \(log.firstIndex.previous), beyond commit \(log.committed)")
        try check(log.applied <= log.committed, "applied \(log.applied) beyond commit \(log.committed)")
        try check(log.applied <= log.persistedIndex, "applied \(log.applied) beyond durable \(log.persistedIndex)")
        try check(log.persistedIndex <= log.lastIndex, "durable index beyond last index")
        var previous = log.term(at: log.unstableStart.previous) ?? .zero
        for (offset, entry) in log.unstable.enumerated() {
            try check(
                entry.index.rawValue == log.unstableStart.rawValue + UInt64(offset),
                "unstable entries not contiguous at \(entry.index)")
            try check(entry.term >= previous, "term goes backwards at index \(entry.index)")
            try check(entry.term <= term, "entry \(entry.index) has term \(entry.term) beyond current \(term)")
            previous = entry.term
        }
        switch role {
        case .leader:
            try check(leader == id, "leader does not know itself as leader")
            try check(vote == id, "leader of term \(term) did not vote for itself")
            try check(progress.count == peers.count, "leader lacks progress for some peers")
            for peer in peers {
                guard let pr = progress[peer] else { continue }
                try check(pr.match < pr.next, "follower \(peer): match \(pr.match) not below next \(pr.next)")
                try check(pr.match <= log.lastIndex, "follower \(peer): match beyond the leader's log")
            }
        case .candidate:
            try check(vote == id, "candidate did not vote for itself")
            try check(leader == nil, "candidate knows a leader")
        case .preCandidate:
            try check(leader == nil, "pre-candidate knows a leader")
        case .follower:
            try check(leader != id, "follower believes it leads")
            try check(progress.isEmpty && pendingProposals.isEmpty, "follower keeps leader state")
        }
    }
}
