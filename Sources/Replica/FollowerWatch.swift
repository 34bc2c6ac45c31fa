import LedgerModel
import Raft

/// What a leader tells the operator about each follower's replication: one log line when a
/// follower starts or stops probing (its log may differ, or messages to it were lost) and when
/// it starts catching up (``StatusResponse/catchingUpLag`` entries or more behind) and when it is
/// within a tenth of that again; not one per message.
struct FollowerWatch {
    enum Phase: Equatable {
        case replicating
        case probing
        case catchingUp(since: Int64, lag: UInt64)
    }

    private var phases: [NodeID: Phase] = [:]
    private var term = Term.zero

    /// Compares `followers` (a leader's view, in id order, at `now`) with what was last seen;
    /// returns a line for each follower whose phase changed. A new term starts fresh: the
    /// probing every new leader does is not news.
    mutating func update(_ followers: [FollowerStatus], lastIndex: LogIndex, term: Term, now: Int64) -> [(
        NodeID, String
    )] {
        if term != self.term {
            self.term = term
            phases = [:]
            for follower in followers { phases[follower.id] = Self.phase(of: follower, lastIndex, now, previous: nil) }
            return []
        }
        var lines: [(NodeID, String)] = []
        for follower in followers {
            let previous = phases[follower.id]
            let phase = Self.phase(of: follower, lastIndex, now, previous: previous)
            phases[follower.id] = phase
            guard let previous, let line = Self.describe(from: previous, to: phase, follower, lastIndex, now) else {
                continue
            }
            lines.append((follower.id, line))
        }
        return lines
    }

    private static func lag(_ follower: FollowerStatus, _ lastIndex: LogIndex) -> UInt64 {
        lastIndex > follower.match ? lastIndex.rawValue - follower.match.rawValue : 0
    }

    private static func phase(of follower: FollowerStatus, _ lastIndex: LogIndex, _ now: Int64, previous: Phase?)
        -> Phase
    {
        let behind = lag(follower, lastIndex)
        // Caught up once within a tenth of the threshold: under load a follower is rarely at
        // exactly the leader's last index.
        if case .catchingUp(let since, _)? = previous, behind >= StatusResponse.catchingUpLag / 10 {
            return .catchingUp(since: since, lag: behind)
        }
        if behind >= StatusResponse.catchingUpLag { return .catchingUp(since: now, lag: behind) }
        return follower.state == "probe" ? .probing : .replicating
    }

    private static func describe(
        from previous: Phase, to phase: Phase, _ follower: FollowerStatus, _ lastIndex: LogIndex, _ now: Int64
    ) -> String? {
        switch (previous, phase) {
        case (.catchingUp, .catchingUp), (.replicating, .replicating), (.probing, .probing):
            return nil
        case (_, .catchingUp(_, let lag)):
            return "is catching up: \(lag) entries behind (index \(follower.match) of \(lastIndex))"
        case (.catchingUp(let since, _), _):
            return "caught up in \(Self.seconds(now - since)): \(lag(follower, lastIndex)) entries behind"
        case (_, .probing):
            return "is being probed from index \(follower.next) (its log may differ, or messages to it were lost)"
        case (.probing, .replicating):
            return "replicating again from index \(follower.match)"
        }
    }

    private static func seconds(_ milliseconds: Int64) -> String {
        let tenths = max(0, milliseconds) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
